import Catalog
import Foundation
import Logging
import ObjectStore
import TributaryConfig
import TributaryCore

/// The Iceberg catalog publishing of the configuration (`catalog.*`), shared by the
/// `catalog` commands and the background service of `up` / `process`.
enum CatalogSetup {
    /// The REST client settings; nil when `catalog.uri` is empty.
    static func restConfiguration(_ config: TributaryConfig, retry: RetryPolicy? = nil) -> IcebergRESTConfiguration? {
        guard let uri = config.catalogURI else { return nil }
        let auth: IcebergRESTConfiguration.Auth
        let credential = config.string("catalog.credential"), token = config.string("catalog.token")
        if !token.isEmpty {
            auth = .bearer(token)
        } else if let colon = credential.firstIndex(of: ":") {
            let scope = config.string("catalog.scope"), tokenURI = config.string("catalog.oauth2_server_uri")
            auth = .clientCredentials(clientID: String(credential[..<colon]), secret: String(credential[credential.index(after: colon)...]),
                                      scope: scope.isEmpty ? nil : scope, tokenURI: tokenURI.isEmpty ? nil : tokenURI)
        } else {
            auth = .none
        }
        var rest = IcebergRESTConfiguration(uri: uri, warehouse: config.string("catalog.warehouse"),
                                            prefix: config.string("catalog.prefix"), auth: auth)
        if let retry { rest.retry = retry }
        return rest
    }

    /// The lake root as Iceberg readers see it: `file:///abs/path` or `s3://bucket/prefix`.
    static func lakeLocation(_ config: TributaryConfig) throws -> String {
        let uri = config.string("storage.uri")
        let parsed = try ObjectStoreURI(uri)
        switch parsed.location {
        case .local(let path):
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path)
                : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path)
            return url.standardizedFileURL.absoluteString
        case .s3(let bucket):
            return "s3://\(bucket)" + (parsed.prefix.isEmpty ? "" : "/\(parsed.prefix)")
        case .memory:
            throw ConfigError("storage.uri = '\(uri)': an in-memory lake cannot be published to a catalog")
        }
    }

    /// The lake's sync against the configured catalog; nil when none is configured.
    static func sync(_ config: TributaryConfig, lake: (any ObjectStore)? = nil, retry: RetryPolicy? = nil,
                     logger: Logger = Logger(label: "tributary.catalog")) async throws -> LakeCatalogSync? {
        guard let rest = restConfiguration(config, retry: retry) else { return nil }
        let store: any ObjectStore
        if let lake { store = lake } else { store = try await Lake.open(config) }
        // `catalog`: manifests under the location the catalog assigns each table (its
        // storage, reached with the `s3.*` settings when it is on S3); data files stay put.
        let placement: IcebergPublisher.MetadataPlacement =
            config.string("catalog.metadata") == "catalog" ? .catalogLocation(s3: try Lake.s3Options(config)) : .tableRoot
        return LakeCatalogSync(lake: store, lakeLocation: try lakeLocation(config),
                               catalog: IcebergRESTCatalog(configuration: rest, logger: logger),
                               namespace: config.catalogNamespace, placement: placement, logger: logger)
    }

    /// The background publisher of `up` and `process`; nil when no catalog is configured.
    static func service(_ config: TributaryConfig, logger: Logger) async throws -> CatalogSyncService? {
        guard let sync = try await sync(config, logger: logger) else { return nil }
        return CatalogSyncService(sync: sync, interval: config.duration("catalog.sync_interval"), logger: logger)
    }

    static let notConfigured = """
        no Iceberg catalog configured: set catalog.uri and catalog.warehouse (TRIBUTARY_CATALOG_URI, \
        TRIBUTARY_CATALOG_WAREHOUSE, or --set catalog.uri=...); `tributary config keys` lists the catalog.* keys
        """
}

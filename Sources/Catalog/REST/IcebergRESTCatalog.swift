import AsyncHTTPClient
import Foundation
import Hudi
import NIOCore
import NIOFoundationCompat

/// Where an Iceberg REST catalog is and how to authenticate (`catalog.*` configuration).
public struct IcebergRESTConfiguration: Sendable {
    public enum Auth: Sendable {
        case none
        /// A fixed bearer token.
        case bearer(String)
        /// OAuth2 client credentials, exchanged at `<uri>/v1/oauth/tokens` (or `tokenURI`).
        case clientCredentials(clientID: String, secret: String, scope: String? = nil, tokenURI: String? = nil)
    }

    /// Base URI, e.g. `http://127.0.0.1:8181` or `https://polaris/api/catalog`.
    public var uri: String
    /// Warehouse name sent to `/v1/config` (the server may answer with a path prefix).
    public var warehouse: String?
    public var auth: Auth
    public var requestTimeout: Double

    public init(uri: String, warehouse: String? = nil, auth: Auth = .none, requestTimeout: Double = 30) {
        self.uri = uri.hasSuffix("/") ? String(uri.dropLast()) : uri
        self.warehouse = warehouse
        self.auth = auth
        self.requestTimeout = requestTimeout
    }
}

/// Errors from a REST catalog.
public enum IcebergRESTError: Error, Equatable, CustomStringConvertible {
    /// 409 on a commit: a requirement failed (someone else committed first).
    case commitConflict(String)
    case notFound(String)
    case alreadyExists(String)
    case unauthorized(String)
    /// Any other non-2xx answer, with the server's error message.
    case server(status: Int, message: String)
    case badResponse(String)

    public var description: String {
        switch self {
        case .commitConflict(let m): return "catalog commit conflict: \(m)"
        case .notFound(let m): return "not found in the catalog: \(m)"
        case .alreadyExists(let m): return "already exists in the catalog: \(m)"
        case .unauthorized(let m): return "catalog authentication failed: \(m)"
        case .server(let s, let m): return "catalog answered \(s): \(m)"
        case .badResponse(let m): return "unexpected catalog response: \(m)"
        }
    }
}

/// A table as the catalog returns it (the parts the publisher needs).
public struct IcebergCatalogTable: Sendable {
    public var metadataLocation: String?
    public var metadata: JSONValue
    public var currentSnapshotID: Int64? {
        guard let id = metadata["current-snapshot-id"]?.int, id >= 0 else { return nil }
        return id
    }
    public var snapshotIDs: [Int64] { (metadata["snapshots"]?.arrayValues ?? []).compactMap { $0["snapshot-id"]?.int } }
    public var lastUpdatedMillis: Int64 { metadata["last-updated-ms"]?.int ?? 0 }
    public var lastSequenceNumber: Int64 { metadata["last-sequence-number"]?.int ?? 0 }
}

/// A client of the Iceberg REST catalog API (the API Apache Polaris serves): namespaces,
/// tables, and table commits guarded by requirements.
public actor IcebergRESTCatalog {
    public let configuration: IcebergRESTConfiguration
    private let http: HTTPClient
    private var prefix: String?
    private var token: String?

    public init(configuration: IcebergRESTConfiguration, httpClient: HTTPClient = .shared) {
        self.configuration = configuration
        self.http = httpClient
        if case .bearer(let t) = configuration.auth { token = t }
    }

    // MARK: API

    /// Creates a namespace; an existing one is fine.
    public func ensureNamespace(_ namespace: [String]) async throws {
        do {
            _ = try await call("POST", "namespaces", body: .object([
                ("namespace", .array(namespace.map(JSONValue.string))), ("properties", .object([])),
            ]))
        } catch IcebergRESTError.alreadyExists {
            return
        }
    }

    /// The table, or nil when the catalog has none of that name.
    public func loadTable(_ namespace: [String], _ name: String) async throws -> IcebergCatalogTable? {
        do {
            return try Self.table(try await call("GET", "namespaces/\(Self.path(namespace))/tables/\(Self.escape(name))"))
        } catch IcebergRESTError.notFound {
            return nil
        }
    }

    /// Creates a table with the schema, identity partition spec and properties of `metadata`.
    public func createTable(_ namespace: [String], _ name: String, like metadata: IcebergTableMetadata) async throws -> IcebergCatalogTable {
        let spec: JSONValue = .object([("spec-id", .int(0)), ("fields", metadata.specFieldsJSON)])
        let body: JSONValue = .object([
            ("name", .string(name)),
            ("schema", metadata.schema.json),
            ("partition-spec", spec),
            ("write-order", .object([("order-id", .int(0)), ("fields", .array([]))])),
            ("properties", .object(metadata.properties.filter { $0.0 != "format-version" }.map { ($0.0, .string($0.1)) })),
            ("stage-create", .bool(false)),
        ])
        return try Self.table(try await call("POST", "namespaces/\(Self.path(namespace))/tables", body: body))
    }

    /// Commits `updates` if `requirements` hold (`POST .../tables/{name}`); a failed
    /// requirement throws ``IcebergRESTError/commitConflict(_:)``.
    public func commit(_ namespace: [String], _ name: String, requirements: [JSONValue], updates: [JSONValue]) async throws -> IcebergCatalogTable {
        let body: JSONValue = .object([("requirements", .array(requirements)), ("updates", .array(updates))])
        return try Self.table(try await call("POST", "namespaces/\(Self.path(namespace))/tables/\(Self.escape(name))", body: body))
    }

    // MARK: HTTP

    private func call(_ method: String, _ route: String, body: JSONValue? = nil, retryAuth: Bool = true) async throws -> JSONValue {
        let base = try await basePath()
        var request = HTTPClientRequest(url: "\(base)/\(route)")
        request.method = .RAW(value: method)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body.compact()))
        }
        if let t = try await bearer() { request.headers.add(name: "Authorization", value: "Bearer \(t)") }
        let (status, data) = try await send(request)
        if status == 401, retryAuth, case .clientCredentials = configuration.auth {
            token = nil  // expired: fetch a new one once
            return try await call(method, route, body: body, retryAuth: false)
        }
        return try Self.check(status, data, what: "\(method) \(route)")
    }

    private func send(_ request: HTTPClientRequest) async throws -> (Int, Data) {
        let response = try await http.execute(request, timeout: .milliseconds(Int64(configuration.requestTimeout * 1000)))
        let buffer = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), Data(buffer: buffer))
    }

    /// `<uri>/v1/<prefix>`, asking `/v1/config` for the prefix once.
    private func basePath() async throws -> String {
        if let prefix { return "\(configuration.uri)/v1\(prefix.isEmpty ? "" : "/" + prefix)" }
        var url = "\(configuration.uri)/v1/config"
        if let w = configuration.warehouse { url += "?warehouse=\(Self.escape(w))" }
        var request = HTTPClientRequest(url: url)
        if let t = try await bearer() { request.headers.add(name: "Authorization", value: "Bearer \(t)") }
        let (status, data) = try await send(request)
        let config = try Self.check(status, data, what: "GET /v1/config")
        let p = config["overrides"]?["prefix"]?.string ?? config["defaults"]?["prefix"]?.string ?? ""
        prefix = p
        return "\(configuration.uri)/v1\(p.isEmpty ? "" : "/" + p)"
    }

    private func bearer() async throws -> String? {
        if let token { return token }
        guard case .clientCredentials(let id, let secret, let scope, let tokenURI) = configuration.auth else { return nil }
        var form = "grant_type=client_credentials&client_id=\(Self.escape(id))&client_secret=\(Self.escape(secret))"
        if let scope { form += "&scope=\(Self.escape(scope))" }
        var request = HTTPClientRequest(url: tokenURI ?? "\(configuration.uri)/v1/oauth/tokens")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: form))
        let (status, data) = try await send(request)
        guard (200..<300).contains(status) else {
            throw IcebergRESTError.unauthorized("token endpoint answered \(status): \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        guard let t = try JSONValue.parse(data)["access_token"]?.string else { throw IcebergRESTError.badResponse("no access_token") }
        token = t
        return t
    }

    static func check(_ status: Int, _ data: Data, what: String) throws -> JSONValue {
        let json = data.isEmpty ? JSONValue.null : ((try? JSONValue.parse(data)) ?? .string(String(decoding: data.prefix(500), as: UTF8.self)))
        if (200..<300).contains(status) { return json }
        let message = "\(what): " + (json["error"]?["message"]?.string ?? json.string ?? "HTTP \(status)")
        switch status {
        case 401, 403: throw IcebergRESTError.unauthorized(message)
        case 404: throw IcebergRESTError.notFound(message)
        case 409:
            let type = json["error"]?["type"]?.string ?? ""
            if type.contains("AlreadyExists") { throw IcebergRESTError.alreadyExists(message) }
            if what.hasPrefix("POST namespaces/") && what.hasSuffix("/tables") { throw IcebergRESTError.alreadyExists(message) }
            if what == "POST namespaces" { throw IcebergRESTError.alreadyExists(message) }
            throw IcebergRESTError.commitConflict(message)
        default: throw IcebergRESTError.server(status: status, message: message)
        }
    }

    static func table(_ json: JSONValue) throws -> IcebergCatalogTable {
        guard let metadata = json["metadata"], case .object = metadata else { throw IcebergRESTError.badResponse("no table metadata") }
        return IcebergCatalogTable(metadataLocation: json["metadata-location"]?.string, metadata: metadata)
    }

    /// Multi-level namespaces join with the unit separator (0x1F), as the spec says.
    static func path(_ namespace: [String]) -> String { escape(namespace.joined(separator: "\u{1F}")) }

    static func escape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}

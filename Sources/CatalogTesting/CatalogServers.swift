import Catalog
import Foundation
import ObjectStore
import ObjectStoreTesting
import TributaryCore
import TributaryTesting

/// A running Iceberg REST catalog server of the tests, and how to reach it.
public struct CatalogServer: Sendable {
    public var kind: CatalogServerKind
    /// Base URI (`http://127.0.0.1:PORT`).
    public var uri: String
    public var warehouse: String?
    /// The path prefix the client must configure (the server's `/v1/config` names none).
    public var prefix: String?
    public var auth: IcebergRESTConfiguration.Auth
    /// pyiceberg `RestCatalog` properties for the oracle.
    public var pyicebergProperties: [String: String]

    /// A client configuration for this server (to `uri`, or to a proxy in front of it).
    public func configuration(uri: String? = nil, requestTimeout: Double = 30,
                              retry: RetryPolicy = RetryPolicy(maxAttempts: 5, baseDelay: 0.2, maxDelay: 5)) -> IcebergRESTConfiguration {
        IcebergRESTConfiguration(uri: uri ?? self.uri, warehouse: warehouse, prefix: prefix, auth: auth,
                                 requestTimeout: requestTimeout, retry: retry)
    }

    /// The `catalog.*` settings of the `tributary` binary for this server.
    public var environment: [String: String] {
        var env = ["TRIBUTARY_CATALOG_URI": uri]
        if let warehouse { env["TRIBUTARY_CATALOG_WAREHOUSE"] = warehouse }
        if let prefix { env["TRIBUTARY_CATALOG_PREFIX"] = prefix }
        switch auth {
        case .none: break
        case .bearer(let token): env["TRIBUTARY_CATALOG_TOKEN"] = token
        case .clientCredentials(let id, let secret, _, _): env["TRIBUTARY_CATALOG_CREDENTIAL"] = "\(id):\(secret)"
        }
        return env
    }

    public var port: Int { URL(string: uri)?.port ?? 0 }

    /// A namespace for tests named `name`: lakana accepts tables only under a top-level
    /// `bronze`, `silver` or `gold` namespace (so `bronze.<name>`); SeaweedFS's catalog has
    /// one level.
    public func namespace(_ name: String) -> [String] {
        kind == .lakana ? ["bronze", name] : [name]
    }

    /// `namespace(name)` joined with dots, plus `.table` (for pyiceberg).
    public func identifier(_ name: String, _ table: String) -> String {
        (namespace(name) + [table]).joined(separator: ".")
    }
}

/// The Iceberg REST catalog servers that run here (`../shared/tools.md`): SeaweedFS's
/// built-in catalog and lakana-server on PostgreSQL. Each starts once per test run.
public enum CatalogServerKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case seaweedfs, lakana

    public var description: String { rawValue }

    /// Starts the server (once per test process) and returns how to reach it.
    public func start() async throws -> CatalogServer {
        switch self {
        case .seaweedfs: try await SeaweedCatalog.shared.server()
        case .lakana: try await LakanaCatalog.shared.server()
        }
    }
}

/// One SeaweedFS (`weed mini`) per test run, for its built-in Iceberg REST catalog
/// (OAuth2 client credentials = the S3 keys).
public actor SeaweedCatalog {
    public static let shared = SeaweedCatalog()
    public static var available: Bool { SeaweedMini.available }
    public static let warehouse = "warehouse"

    private var process: ManagedProcess?
    private var catalogURI: String?
    private var s3Port: Int?
    private var buckets: Set<String> = []

    private var starting: Task<String, any Error>?

    /// The catalog's base URI (`http://127.0.0.1:PORT`), starting the server once (tests
    /// of several suites ask at once: they all wait for the one start).
    public func uri() async throws -> String {
        if let catalogURI { return catalogURI }
        if let starting { return try await starting.value }
        let task = Task { try await self.start() }
        starting = task
        defer { starting = nil }
        return try await task.value
    }

    private func start() async throws -> String {
        if let catalogURI { return catalogURI }
        let (server, ports) = try SeaweedMini.start(tableBucket: Self.warehouse)
        process = server
        s3Port = ports.s3
        let uri = "http://127.0.0.1:\(ports.iceberg ?? server.port)"
        // The port answers before the warehouse (table bucket) exists: wait until a
        // namespace can be created in it.
        var lastError: (any Error)?
        for _ in 0..<120 {
            let probe = IcebergRESTCatalog(configuration: IcebergRESTConfiguration(
                uri: uri, warehouse: Self.warehouse, auth: .clientCredentials(clientID: "test", secret: "test"), requestTimeout: 5,
                retry: .none))
            do {
                try await probe.ensureNamespace(["ready"])
                catalogURI = uri
                return uri
            } catch {
                lastError = error
            }
            try await Task.sleep(nanoseconds: 250_000_000)
        }
        throw CatalogError(.invalidArgument, "SeaweedFS's Iceberg catalog did not come up: \(String(describing: lastError))")
    }

    /// The S3 endpoint of the same server (keys test/test).
    public func s3Endpoint() async throws -> String {
        _ = try await uri()
        return "http://127.0.0.1:\(s3Port ?? 0)"
    }

    /// A store on `bucket` of the same server's S3 (created once).
    public func s3Store(bucket: String) async throws -> S3ObjectStore {
        let endpoint = try await s3Endpoint()
        let configuration = S3Configuration(bucket: bucket, endpoint: endpoint, credentials: MotoServer.credentials,
                                            requestTimeout: 20, retry: RetryPolicy(maxAttempts: 20, baseDelay: 0.2, maxDelay: 1))
        let store = try S3ObjectStore(configuration: configuration)
        if !buckets.contains(bucket) {
            try await store.ensureBucket()
            buckets.insert(bucket)
        }
        return store
    }

    /// Storage options of hudi-rs (object_store) for this server's S3.
    public func hudiS3Options() async throws -> [String: String] {
        ["aws_endpoint_url": try await s3Endpoint(), "aws_access_key_id": "test", "aws_secret_access_key": "test",
         "aws_region": "us-east-1", "aws_allow_http": "true"]
    }

    /// pyiceberg FileIO properties for this server's S3.
    public func pyicebergS3Properties() async throws -> [String: String] {
        ["s3.endpoint": try await s3Endpoint(), "s3.access-key-id": "test", "s3.secret-access-key": "test",
         "s3.region": "us-east-1", "s3.force-virtual-addressing": "false"]
    }

    public func server() async throws -> CatalogServer {
        let uri = try await uri()
        return CatalogServer(kind: .seaweedfs, uri: uri, warehouse: Self.warehouse, prefix: nil,
                             auth: .clientCredentials(clientID: "test", secret: "test"),
                             pyicebergProperties: ["uri": uri, "warehouse": Self.warehouse, "credential": "test:test"])
    }
}

/// lakana-server (PyPI, FastAPI; `.venv-lakana/`, installed by `make setup`) on a
/// PostgreSQL of its own (Debian's, `initdb` into a temporary folder, a free port), one
/// per test run. Its catalog authenticates with a bearer token (a personal access token
/// of the bootstrap administrator) and its REST prefix is an environment name, created
/// here with a folder of its own as storage root.
public actor LakanaCatalog {
    public static let shared = LakanaCatalog()
    public static let server = TestEnvironment.packageRoot.appendingPathComponent(".venv-lakana/bin/lakana-server")
    public static let environment = "tributary"
    static let keyID = "tributary", secret = "tributary-test-secret-0123456789abcdef"
    public static var token: String { "lakana_pat_\(keyID)_\(secret)" }

    public static var available: Bool {
        FileManager.default.isExecutableFile(atPath: server.path) && PostgresServer.binaries != nil
    }

    private var processes: [ManagedProcess] = []
    private var running: CatalogServer?

    public func server() async throws -> CatalogServer {
        if let running { return running }
        let postgres = try PostgresServer.start()
        processes.append(postgres.process)
        let database = "postgresql+pg8000://lakana@127.0.0.1:\(postgres.port)/postgres"
        let env = [
            "LAKANA_DATABASE__URL": database, "LAKANA_HOST": "127.0.0.1",
            "LAKANA_BOOTSTRAP_PAT_KEY_ID": Self.keyID, "LAKANA_BOOTSTRAP_PAT_SECRET": Self.secret,
            "LAKANA_LOG__ACCESS": "false", "LAKANA_LOG__LEVEL": "WARNING",
        ]
        try runProcess(Self.server, ["migrate"], environment: env)
        let port = try freeLoopbackPort()
        let lakana = try ManagedProcess(Self.server, [], port: port, environment: env.merging(["LAKANA_PORT": "\(port)"]) { $1 }, timeout: 60)
        lakana.stopAtExit()
        processes.append(lakana)
        let uri = "http://127.0.0.1:\(port)"
        // The environment is the catalog's `{prefix}`; its storage root a folder of its own.
        let root = try TestEnvironment.temporaryDirectory("lakana-storage")
        let body = #"{"name":"\#(Self.environment)","storage":{"scheme":"file","root":"\#(root.absoluteURL.absoluteString)"}}"#
        let created = try runProcess(URL(fileURLWithPath: "/usr/bin/curl"), [
            "-s", "-o", "/dev/stderr", "-w", "%{http_code}", "-X", "POST", "\(uri)/api/v1/environments",
            "-H", "Authorization: Bearer \(Self.token)", "-H", "Content-Type: application/json", "-d", body,
        ])
        guard ["201", "409"].contains(created.stdoutText) else {
            throw CatalogError(.invalidArgument, "lakana: creating environment \(Self.environment) answered \(created.stdoutText): \(created.stderrText)")
        }
        let server = CatalogServer(kind: .lakana, uri: uri, warehouse: nil, prefix: Self.environment, auth: .bearer(Self.token),
                                   pyicebergProperties: ["uri": uri, "prefix": Self.environment, "token": Self.token])
        running = server
        return server
    }
}

/// A throw-away PostgreSQL (Debian's binaries): `initdb` into a temporary folder, then the
/// server on a free loopback port, trust authentication, user `lakana`. PostgreSQL refuses
/// to run as root: as root it runs as the `postgres` user (`setpriv`, no extra process).
public enum PostgresServer {
    /// `initdb` and `postgres` of the newest installed major version.
    public static var binaries: (initdb: URL, postgres: URL)? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        for v in versions.reversed() {
            let bin = URL(fileURLWithPath: "\(root)/\(v)/bin")
            let initdb = bin.appendingPathComponent("initdb"), postgres = bin.appendingPathComponent("postgres")
            if FileManager.default.isExecutableFile(atPath: initdb.path) && FileManager.default.isExecutableFile(atPath: postgres.path) {
                return (initdb, postgres)
            }
        }
        return nil
    }

    public static func start() throws -> (process: ManagedProcess, port: Int) {
        guard let (initdb, postgres) = binaries else {
            throw CatalogError(.invalidArgument, "PostgreSQL is not installed (Debian package postgresql; `make setup`)")
        }
        let dir = try TestEnvironment.temporaryDirectory("postgres")
        let data = dir.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        var prefix: [String] = []
        if getuid() == 0 {
            guard let pw = getpwnam("postgres") else {
                throw CatalogError(.invalidArgument, "running as root and there is no postgres user to run PostgreSQL as")
            }
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
            try FileManager.default.setAttributes([.ownerAccountID: Int(pw.pointee.pw_uid), .posixPermissions: 0o700], ofItemAtPath: data.path)
            prefix = ["--reuid=postgres", "--regid=postgres", "--init-groups", "--"]
        }
        func command(_ tool: URL, _ args: [String]) -> (URL, [String]) {
            prefix.isEmpty ? (tool, args) : (URL(fileURLWithPath: "/usr/bin/setpriv"), prefix + [tool.path] + args)
        }
        let (initTool, initArgs) = command(initdb, ["-D", data.path, "-U", "lakana", "--auth=trust", "-E", "UTF8", "--no-sync"])
        try runProcess(initTool, initArgs)
        let port = try freeLoopbackPort()
        let (tool, args) = command(postgres, [
            "-D", data.path, "-p", "\(port)", "-k", data.path, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
        ])
        let process = try ManagedProcess(tool, args, port: port, timeout: 60)
        process.stopAtExit()
        return (process, port)
    }
}

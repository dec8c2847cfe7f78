import AsyncHTTPClient
import Foundation
import Hudi
import Logging
import NIOCore
import NIOFoundationCompat
import ObjectStore
import TributaryCore

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
    /// Path prefix used when `/v1/config` names none (`catalog.prefix`).
    public var prefix: String?
    public var auth: Auth
    public var requestTimeout: Double
    /// Requests failing with a connection error, a timeout, 5xx or 429 are retried with
    /// jittered exponential backoff (429/503 honour `Retry-After`, capped at `maxDelay`).
    public var retry: RetryPolicy

    public init(uri: String, warehouse: String? = nil, prefix: String? = nil, auth: Auth = .none, requestTimeout: Double = 30,
                retry: RetryPolicy = RetryPolicy(maxAttempts: 5, baseDelay: 0.2, maxDelay: 5)) {
        var uri = uri
        while uri.hasSuffix("/") { uri.removeLast() }
        self.uri = uri
        self.warehouse = warehouse.flatMap { $0.isEmpty ? nil : $0 }
        var p = prefix ?? ""
        while p.hasPrefix("/") { p.removeFirst() }
        while p.hasSuffix("/") { p.removeLast() }
        self.prefix = p.isEmpty ? nil : p
        self.auth = auth
        self.requestTimeout = requestTimeout
        self.retry = retry
    }
}

/// Errors from a REST catalog. Messages name the request (method and URL) and the
/// server's answer.
public enum IcebergRESTError: Error, Equatable, CustomStringConvertible {
    /// 409 on a commit: a requirement failed (someone else committed first).
    case commitConflict(String)
    case notFound(String)
    case alreadyExists(String)
    case unauthorized(String)
    /// Any other non-2xx answer, with the server's error message.
    case server(status: Int, message: String)
    case badResponse(String)
    /// No answer: connection refused or reset, DNS, timeout (after the retries).
    case unreachable(url: String, message: String)

    /// Worth another try later (the catalog may come back): outages, 5xx, 429.
    public var isTransient: Bool {
        switch self {
        case .unreachable: return true
        case .server(let status, _): return status >= 500 || status == 429 || status == 408
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .commitConflict(let m): return "catalog commit conflict: \(m)"
        case .notFound(let m): return "not found in the catalog: \(m)"
        case .alreadyExists(let m): return "already exists in the catalog: \(m)"
        case .unauthorized(let m): return "catalog authentication failed: \(m)"
        case .server(_, let m): return "catalog error: \(m)"
        case .badResponse(let m): return "unexpected catalog response: \(m)"
        case .unreachable(let url, let m): return "catalog unreachable at \(url): \(m)"
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
    private let logger: Logger
    private var prefix: String?
    private var token: String?

    /// A process-wide client (never shut down, so catalogs can be created and dropped
    /// freely) that fails a refused connection at once: the retries are ours, with
    /// backoff, instead of the pool's reconnecting until the request deadline.
    public static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10)),
            connectionPool: .init(idleTimeout: .seconds(30)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    public init(configuration: IcebergRESTConfiguration, httpClient: HTTPClient = IcebergRESTCatalog.sharedHTTPClient,
                logger: Logger = Logger(label: "tributary.catalog")) {
        self.configuration = configuration
        self.http = httpClient
        self.logger = logger
        if case .bearer(let t) = configuration.auth { token = t }
    }

    // MARK: API

    /// Asks the catalog for its configuration (`GET /v1/config`, authenticating first):
    /// throws when it is unreachable or refuses the credentials. Returns the base URL of
    /// the REST routes (with the prefix the server named).
    @discardableResult
    public func connect() async throws -> String {
        try await basePath()
    }

    /// Creates a namespace, and its parents first when it is nested (`a`, then `a.b`);
    /// existing ones are fine.
    public func ensureNamespace(_ namespace: [String]) async throws {
        for level in 1...max(1, namespace.count) where level <= namespace.count {
            do {
                _ = try await call("POST", "namespaces", body: .object([
                    ("namespace", .array(namespace.prefix(level).map(JSONValue.string))), ("properties", .object([])),
                ]))
            } catch IcebergRESTError.alreadyExists {
                continue
            }
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
    /// No location is sent: SeaweedFS refuses `file://` ones and lakana any (catalogs assign
    /// it); the snapshots name their manifest lists by absolute URI.
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

    /// Requests sent, retries included (for tests and logs).
    public private(set) var requestCount = 0
    /// Retries after a transient failure (connection error, timeout, 5xx, 429).
    public private(set) var retryCount = 0

    private func call(_ method: String, _ route: String, body: JSONValue? = nil, retryAuth: Bool = true) async throws -> JSONValue {
        let base = try await basePath()
        let url = "\(base)/\(route)"
        var request = HTTPClientRequest(url: url)
        request.method = .RAW(value: method)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body.json))
        }
        if let t = try await bearer() { request.headers.add(name: "Authorization", value: "Bearer \(t)") }
        let (status, data) = try await send(request, url: url)
        if status == 401, retryAuth, case .clientCredentials = configuration.auth {
            token = nil  // expired: fetch a new one once
            return try await call(method, route, body: body, retryAuth: false)
        }
        return try Self.check(status, data, method: method, route: route, url: url)
    }

    /// Sends `request`, retrying connection errors, timeouts, 5xx and 429 with backoff.
    /// A retried commit is safe: its `assert-ref-snapshot-id` requirement fails (409) if an
    /// earlier attempt was applied after all, and the publisher then sees its snapshot.
    private func send(_ request: HTTPClientRequest, url: String) async throws -> (Int, Data) {
        try await configuration.retry.run { attempt in
            requestCount += 1
            var retryAfter: Double?
            do {
                let response = try await http.execute(request, timeout: .milliseconds(Int64(configuration.requestTimeout * 1000)))
                let buffer = try await response.body.collect(upTo: 64 << 20)
                let status = Int(response.status.code)
                guard !attempt.isLast, status >= 500 || status == 429 else { return .done((status, Data(buffer: buffer))) }
                retryAfter = response.headers.first(name: "Retry-After").flatMap(Double.init)
                logger.debug("catalog answered \(status); retrying", metadata: ["url": "\(url)", "attempt": "\(attempt.number)"])
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                guard !attempt.isLast, !Task.isCancelled else {
                    let n = attempt.number
                    throw IcebergRESTError.unreachable(url: url, message: "\(Self.describe(error)) (\(n) attempt\(n == 1 ? "" : "s"))")
                }
                logger.debug("catalog request failed; retrying", metadata: ["url": "\(url)", "error": "\(error)"])
            }
            retryCount += 1
            return .again(afterSeconds: retryAfter)
        }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? HTTPClientError {
            if e == .connectTimeout || e == .deadlineExceeded || e == .readTimeout { return "timed out" }
        }
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        return text
    }

    /// `<uri>/v1/<prefix>`, asking `/v1/config` for the prefix once.
    private func basePath() async throws -> String {
        if let prefix { return "\(configuration.uri)/v1\(prefix.isEmpty ? "" : "/" + prefix)" }
        var url = "\(configuration.uri)/v1/config"
        if let w = configuration.warehouse { url += "?warehouse=\(Self.escape(w))" }
        var request = HTTPClientRequest(url: url)
        if let t = try await bearer() { request.headers.add(name: "Authorization", value: "Bearer \(t)") }
        let (status, data) = try await send(request, url: url)
        let config = try Self.check(status, data, method: "GET", route: "config", url: url)
        let p = config["overrides"]?["prefix"]?.string ?? config["defaults"]?["prefix"]?.string ?? configuration.prefix ?? ""
        prefix = p
        return "\(configuration.uri)/v1\(p.isEmpty ? "" : "/" + p)"
    }

    private func bearer() async throws -> String? {
        if let token { return token }
        guard case .clientCredentials(let id, let secret, let scope, let tokenURI) = configuration.auth else { return nil }
        var form = "grant_type=client_credentials&client_id=\(Self.escape(id))&client_secret=\(Self.escape(secret))"
        if let scope { form += "&scope=\(Self.escape(scope))" }
        let url = tokenURI ?? "\(configuration.uri)/v1/oauth/tokens"
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: form))
        let (status, data) = try await send(request, url: url)
        guard (200..<300).contains(status) else {
            let message = "POST \(url) answered \(status): \(String(decoding: data.prefix(300), as: UTF8.self))"
            // The token endpoint's own outage is an outage, not bad credentials.
            if status >= 500 || status == 429 { throw IcebergRESTError.server(status: status, message: message) }
            throw IcebergRESTError.unauthorized(message)
        }
        guard let t = try JSONValue.parse(data)["access_token"]?.string else { throw IcebergRESTError.badResponse("POST \(url): no access_token") }
        token = t
        return t
    }

    static func check(_ status: Int, _ data: Data, method: String, route: String, url: String) throws -> JSONValue {
        let json = data.isEmpty ? JSONValue.null : ((try? JSONValue.parse(data)) ?? .string(String(decoding: data.prefix(500), as: UTF8.self)))
        if (200..<300).contains(status) { return json }
        let what = "\(method) \(route)"
        let message = "\(method) \(url) answered \(status): " + (json["error"]?["message"]?.string ?? json.string ?? "HTTP \(status)")
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

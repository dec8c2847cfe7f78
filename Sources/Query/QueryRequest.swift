import TributaryCore
import Foundation

/// The body of `POST /api/query`: `{"sql": "...", "as_of": "...", "since": "...",
/// "until": "...", "with_meta": false, "limit": 1000, "timeout_ms": 30000}` (all but `sql`
/// optional). The answer is `QueryResult.json`, or `{"error": "..."}` (see `errorJSON`).
public struct QueryRequest: Sendable, Equatable {
    public var sql: String
    /// The query options the body names (a timeout can only shorten the service's own).
    public var options: QueryOptions

    public init(sql: String, options: QueryOptions = QueryOptions()) {
        self.sql = sql
        self.options = options
    }

    /// Decodes a request body (throws `QueryError.invalidOptions` for bad JSON).
    public static func decode(_ body: Data) throws -> QueryRequest {
        let invalid = QueryError.invalidOptions("request body must be JSON like {\"sql\": \"SELECT …\"}")
        guard let object = try? JSONValue.parse(body), let sql = object["sql"]?.string else { throw invalid }
        func field<T>(_ key: String, _ read: (JSONValue) -> T?) throws -> T? {
            guard let value = object[key], !value.isNull else { return nil }
            guard let typed = read(value) else { throw QueryError.invalidOptions("'\(key)' has the wrong type") }
            return typed
        }
        return QueryRequest(sql: sql, options: QueryOptions(
            asOf: try field("as_of", \.string), since: try field("since", \.string), until: try field("until", \.string),
            includeMetaColumns: try field("with_meta", \.bool) ?? false, limit: try field("limit") { $0.int.flatMap(Int.init(exactly:)) },
            timeout: try field("timeout_ms") { $0.int.flatMap(Int.init(exactly:)) }.map { .milliseconds(max(1, $0)) }))
    }
}

extension QueryService {
    /// Runs a decoded request.
    public func query(_ request: QueryRequest) async throws -> QueryResult {
        var options = request.options
        if let t = options.timeout, t > configuration.timeout { options.timeout = configuration.timeout }
        return try await query(request.sql, options: options)
    }
}

extension QueryError {
    /// `{"error": "...", "kind": "duckdb|refused|timeout|too_large|invalid|engine"}` for an API answer.
    public var errorJSON: String {
        let kind = switch self {
        case .duckdb: "duckdb"
        case .refused: "refused"
        case .timeout: "timeout"
        case .resultTooLarge: "too_large"
        case .invalidOptions: "invalid"
        case .engine: "engine"
        }
        return "{\"error\":\(jsonQuoted(description)),\"kind\":\"\(kind)\"}"
    }

    /// The HTTP status an API answer should carry: 400 for the query's fault, 408 for a
    /// timeout, 413 for a too-large result, 500 for engine failures.
    public var httpStatus: Int {
        switch self {
        case .duckdb, .refused, .invalidOptions: 400
        case .timeout: 408
        case .resultTooLarge: 413
        case .engine: 500
        }
    }
}

import Foundation
import Parquet

/// One value of a query result, as DuckDB's JSON output renders it: numbers stay numbers,
/// dates, timestamps, decimals and big integers arrive as strings, lists and structs as
/// JSON arrays and objects (in DuckDB's order).
public enum QueryValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([QueryValue])
    case object([(String, QueryValue)])

    public static func == (a: QueryValue, b: QueryValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x == y || (x.isNaN && y.isNaN)
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public func hash(into h: inout Hasher) {
        switch self {
        case .null: h.combine(0)
        case .bool(let v): h.combine(v)
        case .int(let v): h.combine(v)
        case .double(let v): h.combine(v.isNaN ? Double.nan.bitPattern : v.bitPattern)
        case .string(let v): h.combine(v)
        case .array(let v): h.combine(v)
        case .object(let v): for (k, x) in v { h.combine(k); h.combine(x) }
        }
    }

    /// JSON text of the value (NaN and infinities as strings, since JSON has no such numbers).
    public var json: String {
        switch self {
        case .null: return "null"
        case .bool(let v): return v ? "true" : "false"
        case .int(let v): return String(v)
        case .double(let v):
            if v.isNaN { return "\"NaN\"" }
            if v.isInfinite { return v > 0 ? "\"Infinity\"" : "\"-Infinity\"" }
            return String(v)
        case .string(let v): return Self.quote(v)
        case .array(let v): return "[" + v.map(\.json).joined(separator: ",") + "]"
        case .object(let v): return "{" + v.map { Self.quote($0.0) + ":" + $0.1.json }.joined(separator: ",") + "}"
        }
    }

    /// Plain text for table and CSV output (strings unquoted, NULL as empty).
    public var text: String {
        switch self {
        case .null: return ""
        case .string(let v): return v
        default: return json
        }
    }

    /// `s` as a JSON string literal (the one escaper, from Parquet).
    static func quote(_ s: String) -> String {
        var out = ""
        appendJSONString(s, to: &out)
        return out
    }
}

/// A result column: its name and DuckDB type (`BIGINT`, `VARCHAR`, `TIMESTAMP WITH TIME ZONE`, …).
public struct QueryColumn: Sendable, Hashable, Codable {
    public var name: String
    public var type: String
    public init(name: String, type: String) {
        self.name = name
        self.type = type
    }
}

/// What a query returned.
public struct QueryResult: Sendable {
    public var columns: [QueryColumn]
    public var rows: [[QueryValue]]
    /// True when the result had more rows than the row limit (the extra rows are dropped).
    public var truncated: Bool
    /// Wall time of the query in DuckDB plus parsing, in seconds.
    public var elapsed: Double

    public init(columns: [QueryColumn], rows: [[QueryValue]], truncated: Bool = false, elapsed: Double = 0) {
        self.columns = columns
        self.rows = rows
        self.truncated = truncated
        self.elapsed = elapsed
    }

    /// The result as one JSON object: `{"columns":[{"name","type"}...],"rows":[[...]...],"truncated":…}`
    /// (what `POST /api/query` answers).
    public var json: String {
        let cols = columns.map { "{\"name\":\(QueryValue.quote($0.name)),\"type\":\(QueryValue.quote($0.type))}" }
        let rs = rows.map { "[" + $0.map(\.json).joined(separator: ",") + "]" }
        return "{\"columns\":[\(cols.joined(separator: ","))],\"rows\":[\(rs.joined(separator: ","))],\"truncated\":\(truncated),\"elapsed_ms\":\(String(format: "%.3f", elapsed * 1000))}"
    }
}

/// Options of one query.
public struct QueryOptions: Sendable {
    /// Time travel: read every table as of this instant (`yyyyMMddHHmmssSSS`) or time
    /// (`yyyy-MM-dd HH:mm:ss`).
    public var asOf: String?
    /// Incremental read: only records written by commits after `since` (exclusive) …
    public var since: String?
    /// … up to `until` (inclusive; default: the latest commit).
    public var until: String?
    /// Show Hudi's `_hoodie_*` columns in the table views.
    public var includeMetaColumns: Bool
    /// Row limit (nil: the service's default).
    public var limit: Int?
    /// Timeout (nil: the service's default).
    public var timeout: Duration?

    public init(asOf: String? = nil, since: String? = nil, until: String? = nil, includeMetaColumns: Bool = false,
                limit: Int? = nil, timeout: Duration? = nil) {
        self.asOf = asOf
        self.since = since
        self.until = until
        self.includeMetaColumns = includeMetaColumns
        self.limit = limit
        self.timeout = timeout
    }

    /// Whether the query reads something other than the latest snapshot.
    var needsTemporaryViews: Bool { asOf != nil || since != nil || until != nil || includeMetaColumns }
}

/// Why a query failed.
public enum QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// DuckDB rejected the query; the message is DuckDB's own.
    case duckdb(String)
    /// The query asked for something the lockdown forbids.
    case refused(String)
    case timeout(Duration)
    case resultTooLarge(limitBytes: Int)
    case invalidOptions(String)
    /// The DuckDB process failed (not the query's fault).
    case engine(String)

    public var description: String {
        switch self {
        case .duckdb(let m): return m
        case .refused(let m): return "refused: \(m)"
        case .timeout(let d): return "query cancelled: it ran longer than the timeout of \(d)"
        case .resultTooLarge(let n): return "query cancelled: the result is larger than the limit of \(n) bytes; add a LIMIT or select fewer columns"
        case .invalidOptions(let m): return "invalid query options: \(m)"
        case .engine(let m): return "query engine error: \(m)"
        }
    }
}

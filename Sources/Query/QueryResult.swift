import Foundation
import TributaryCore

/// One value of a query result, as DuckDB's JSON output renders it: numbers stay numbers,
/// dates, timestamps, decimals and big integers arrive as strings, lists and structs as
/// JSON arrays and objects (in DuckDB's order).
public typealias QueryValue = JSONValue

extension JSONValue {
    /// Plain text for table and CSV output (strings unquoted, NULL as empty).
    public var text: String {
        switch self {
        case .null: return ""
        case .string(let v): return v
        default: return json
        }
    }

    /// Parses one line of DuckDB's `-jsonlines` output: an object, its keys in column order.
    /// DuckDB writes non-finite doubles as bare `NaN`/`Infinity` and HUGEINT beyond Int64 as
    /// digits, which the parser is told to accept.
    static func duckDBRow(_ line: some Collection<UInt8>) throws -> [(String, JSONValue)] {
        let options = JSONParser.Options(allowsNonFiniteNumbers: true, keepsBigIntegersAsText: true)
        let value: JSONValue
        do { value = try JSONValue.parse(bytes: Array(line), options: options) } catch {
            throw QueryError.engine("unreadable DuckDB output: \(error)")
        }
        guard case .object(let fields) = value else { throw QueryError.engine("DuckDB output line is not an object") }
        return fields
    }
}

/// A result column: its name and DuckDB type (`BIGINT`, `VARCHAR`, `TIMESTAMP WITH TIME ZONE`, …).
public struct QueryColumn: Sendable, Hashable, Codable {
    public var name: String
    public var type: String
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
        (self.columns, self.rows, self.truncated, self.elapsed) = (columns, rows, truncated, elapsed)
    }

    /// The result as one JSON object: `{"columns":[{"name","type"}...],"rows":[[...]...],"truncated":…}`
    /// (what `POST /api/query` answers).
    public var json: String {
        let cols = columns.map { "{\"name\":\(jsonQuoted($0.name)),\"type\":\(jsonQuoted($0.type))}" }
        let rs = rows.map { "[" + $0.map(\.json).joined(separator: ",") + "]" }
        return "{\"columns\":[\(cols.joined(separator: ","))],\"rows\":[\(rs.joined(separator: ","))],\"truncated\":\(truncated),\"elapsed_ms\":\(String(format: "%.3f", elapsed * 1000))}"
    }
}

/// Options of one query.
public struct QueryOptions: Sendable, Equatable {
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

import Foundation

/// Checks user SQL and wraps it so DuckDB can only run it as one read-only query.
///
/// The user's text never reaches the CLI as statement text: it is passed as a string
/// literal to DuckDB's `query()` table function, which accepts exactly one SELECT-like
/// statement (so `COPY`, `ATTACH`, `SET`, a second statement … are parser errors), and
/// the literal is built on a single line (newlines become `chr(10)`), so no line of our
/// stdin can start with `.` and become a CLI dot-command. The keyword check below only
/// turns the common forbidden statements into a clear message before DuckDB sees them.
public enum SQLGuard {
    /// Statements that are refused with a message naming them.
    static let refusedStatements: Set<String> = [
        "COPY", "ATTACH", "DETACH", "INSTALL", "LOAD", "FORCE", "SET", "RESET", "PRAGMA", "EXPORT", "IMPORT",
        "CREATE", "DROP", "ALTER", "INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "CALL", "USE", "CHECKPOINT",
        "VACUUM", "BEGIN", "COMMIT", "ROLLBACK", "ABORT", "START", "PREPARE", "EXECUTE", "DEALLOCATE", "UPSERT", "REPLACE",
    ]

    /// Table functions that read arbitrary files or alter the session: refused by name
    /// (the lockdown would stop most of them too; this gives a clear message).
    static let refusedFunctions: [String] = [
        "read_csv", "read_csv_auto", "read_json", "read_json_auto", "read_json_objects", "read_ndjson",
        "read_ndjson_auto", "read_ndjson_objects", "read_parquet", "parquet_scan", "parquet_metadata", "parquet_schema",
        "parquet_file_metadata", "parquet_kv_metadata", "read_text", "read_blob", "glob", "sniff_csv", "read_xlsx",
        "iceberg_scan", "delta_scan", "sqlite_scan", "postgres_scan", "mysql_scan", "getenv", "query_table",
    ]

    /// Throws `QueryError.refused` for text that is empty, holds a CLI dot-command line or
    /// starts with a forbidden statement; returns the text without trailing `;`.
    public static func check(_ sql: String) throws -> String {
        var text = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasSuffix(";") { text = String(text.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines) }
        guard !text.isEmpty else { throw QueryError.refused("empty query") }
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix(".") {
                throw QueryError.refused("lines starting with '.' (DuckDB CLI dot-commands such as .shell or .read) are not allowed")
            }
        }
        let words = keywords(text)
        if let first = words.first, refusedStatements.contains(first) {
            throw QueryError.refused("\(first) statements are not allowed: only one read-only query (SELECT, WITH, FROM, VALUES, …) over the lake's tables")
        }
        let lower = text.lowercased()
        for f in refusedFunctions where containsCall(lower, f) {
            throw QueryError.refused("\(f)() is not allowed: queries read the lake's tables (see SHOW TABLES), not other files")
        }
        if text.contains("\0") { throw QueryError.refused("NUL characters are not allowed") }
        return text
    }

    /// The statement that runs `sql` (already checked) through `query()`, at most `limit` rows.
    static func wrapped(_ sql: String, limit: Int?) -> String {
        "SELECT * FROM query(\(literal(sql)))" + (limit.map { " LIMIT \($0)" } ?? "") + ";"
    }

    /// The statement that describes the result columns of `sql` without running it.
    static func described(_ sql: String) -> String {
        "DESCRIBE SELECT * FROM query(\(literal(sql)));"
    }

    /// A single-line SQL string expression equal to `s`: quotes doubled, line breaks and
    /// other control characters spliced in with `chr()`.
    public static func literal(_ s: String) -> String {
        var parts: [String] = []
        var current = ""
        for u in s.unicodeScalars {
            if u == "'" {
                current += "''"
            } else if u.value < 0x20 || u.value == 0x7F {
                parts.append("'" + current + "'")
                parts.append("chr(\(u.value))")
                current = ""
            } else {
                current.unicodeScalars.append(u)
            }
        }
        parts.append("'" + current + "'")
        return parts.count == 1 ? parts[0] : "(" + parts.joined(separator: " || ") + ")"
    }

    /// A double-quoted identifier.
    public static func identifier(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// Upper-cased words outside comments (enough to find the statement's first keyword).
    static func keywords(_ text: String) -> [String] {
        var words: [String] = []
        var word = ""
        var chars = Array(text.unicodeScalars)[...]
        func flush() {
            if !word.isEmpty { words.append(word.uppercased()); word = "" }
        }
        while let c = chars.first {
            chars = chars.dropFirst()
            if c == "-", chars.first == "-" {
                flush()
                while let d = chars.first, d != "\n" { chars = chars.dropFirst() }
            } else if c == "/", chars.first == "*" {
                flush()
                chars = chars.dropFirst()
                while !chars.isEmpty, !(chars.first == "*" && chars.dropFirst().first == "/") { chars = chars.dropFirst() }
                chars = chars.dropFirst(2)
            } else if c.properties.isAlphabetic || c == "_" {
                word.unicodeScalars.append(c)
            } else {
                flush()
                if words.count >= 3 { break }
            }
        }
        flush()
        return words
    }

    /// Whether `text` (lower-cased) calls `name(`, allowing spaces before the parenthesis.
    private static func containsCall(_ text: String, _ name: String) -> Bool {
        var search = text[...]
        while let r = search.range(of: name) {
            let before = r.lowerBound == text.startIndex ? nil : text[text.index(before: r.lowerBound)]
            let boundary = before.map { !($0.isLetter || $0.isNumber || $0 == "_") } ?? true
            let rest = text[r.upperBound...].drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
            if boundary, rest.first == "(" { return true }
            search = text[r.upperBound...]
        }
        return false
    }
}


/// The settings every DuckDB process gets before it sees user SQL.
///
/// Order matters: the allow-list is set while settings can still change, then external
/// access is switched off (DuckDB still reads allow-listed paths — the views are late
/// bound, so they need it), then the configuration is locked so a query cannot undo it.
enum Lockdown {
    /// - Parameter directories: absolute folders the views may read (the lake's local
    ///   root or the S3 file cache), each ending with `/`.
    static func statements(directories: [String], threads: Int?, memoryLimit: String?) -> [String] {
        let list = directories.map { SQLGuard.literal($0.hasSuffix("/") ? $0 : $0 + "/") }.joined(separator: ", ")
        var s: [String] = []
        if let threads { s.append("SET threads=\(threads);") }
        if let memoryLimit { s.append("SET memory_limit=\(SQLGuard.literal(memoryLimit));") }
        s += [
            // Base files never change once written: their footers can be cached.
            "SET parquet_metadata_cache=true;",
            // Rows come back in ORDER BY order or none: without this, the LIMIT wrapped
            // around every query would make DuckDB scan on one thread.
            "SET preserve_insertion_order=false;",
            "SET allowed_directories=[\(list)];",
            "SET autoinstall_known_extensions=false;",
            "SET autoload_known_extensions=false;",
            "SET enable_external_access=false;",
            "SET lock_configuration=true;",
        ]
        return s
    }
}

import Foundation
import Parquet
import TributaryTesting

/// Calls `oracle/compare.py` (pyarrow or the DuckDB CLI) on a Parquet file and our
/// expected JSON lines.
struct OracleResult {
    var ok: Bool
    var rows: Int
    var types: [String: String]
    var problems: String
}

enum Oracle {
    static let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/ParquetTests/oracle/compare.py").path

    static func compare(file: String, expected: [String], engine: String = "pyarrow", columns: [String]? = nil) throws -> OracleResult {
        let dir = try TestEnvironment.temporaryDirectory("parquet-oracle")
        defer { try? FileManager.default.removeItem(at: dir) }
        let exp = dir.appendingPathComponent("expected.jsonl")
        try Data((expected.joined(separator: "\n") + "\n").utf8).write(to: exp)
        var args = [script, file, exp.path, "--engine", engine, "--duckdb", TestEnvironment.nativeTool("duckdb").path]
        if let columns { args += ["--columns", columns.joined(separator: ",")] }
        let out = try runPython(args, check: false)
        let firstLine = out.stdoutText.split(separator: "\n").first.map(String.init) ?? "{}"
        let summary = (try? JSONSerialization.jsonObject(with: Data(firstLine.utf8))) as? [String: Any] ?? [:]
        return OracleResult(ok: out.status == 0, rows: summary["rows"] as? Int ?? -1,
                            types: summary["types"] as? [String: String] ?? [:],
                            problems: out.stderrText + (out.status != 0 && summary.isEmpty ? out.stdoutText : ""))
    }

    /// Our reader's rows rendered as JSON lines.
    static func ourLines(_ reader: ParquetFileReader, columns: [String]? = nil) throws -> [String] {
        let (names, rows) = try reader.readRows(columns: columns)
        return rows.map { renderJSONLine(names: names, row: $0) }
    }
}

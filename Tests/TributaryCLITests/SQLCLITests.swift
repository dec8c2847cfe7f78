import Foundation
import Testing
import TributaryTesting

/// `tributary sql` over a lake folder holding Spark-written Hudi tables, against hudi-rs.
@Suite(.ownThread) struct SQLCLITests {
    @Test(arguments: ["v6_simplekeygen_nonhivestyle", "v8_complexkeygen_hivestyle"])
    func sqlOverSparkTablesMatchesHudiRs(_ name: String) throws {
        let lake = try TestEnvironment.temporaryDirectory("sql-cli")
        defer { try? FileManager.default.removeItem(at: lake) }
        try runPython(["-c", """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1]) as z:
                for m in z.namelist():
                    if not (m.startswith('__MACOSX/') or m.endswith('.DS_Store')):
                        z.extract(m, sys.argv[2])
            """, "/work/shared/hudi/fixtures/\(name).zip", lake.path])
        let uri = "storage.uri=file://\(lake.path)"
        let ours = try CLI.run(["sql", "--set", uri, "--with-meta", "--format", "json",
                                "SELECT _hoodie_record_key FROM \(name) ORDER BY 1"])
        #expect(ours.status == 0, "\(ours.stderrText)")
        let oracle = TestEnvironment.packageRoot.appendingPathComponent("Tests/HudiTests/oracle/read_table.py").path
        let theirs = try runPython([oracle, lake.appendingPathComponent(name).path]).stdoutText.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["_hoodie_record_key"] as? String
        }.sorted()
        let answer = try JSONSerialization.jsonObject(with: Data(ours.stdoutText.utf8)) as? [String: Any]
        let keys = (answer?["rows"] as? [[Any]] ?? []).compactMap { $0.first as? String }
        #expect(!theirs.isEmpty)
        #expect(keys == theirs)
        // Meta columns are hidden without --with-meta; the JSON format carries the types.
        let json = try CLI.run(["sql", "--set", uri, "--format", "json", "SELECT * FROM \(name) LIMIT 1"])
        #expect(json.status == 0, "\(json.stderrText)")
        #expect(json.stdoutText.hasPrefix(#"{"columns":[{"name":"#))
        #expect(!json.stdoutText.contains("_hoodie_"))
        // CSV: a header of the column names, one line a row; the table: boxed, every line as
        // wide as the widest cell makes its column, names over types, then the row count.
        let query = "SELECT 'a,b' AS text, 42 AS answer, NULL AS nothing FROM \(name) LIMIT 2"
        let csv = try CLI.run(["sql", "--set", uri, "--format", "csv", query])
        #expect(csv.status == 0, "\(csv.stderrText)")
        #expect(csv.stdoutText == "text,answer,nothing\n\"a,b\",42,\n\"a,b\",42,\n")
        let table = try CLI.run(["sql", "--set", uri, query])
        #expect(table.status == 0, "\(table.stderrText)")
        let boxed = table.stdoutText.split(separator: "\n").map(String.init)
        #expect(Set(boxed.dropLast().map(\.count)).count == 1, "\(table.stdoutText)")
        #expect(boxed.first?.hasPrefix("┌") == true && boxed.dropLast().last?.hasPrefix("└") == true)
        #expect(boxed.dropFirst().first?.contains("│ text ") == true)
        #expect(boxed.filter { $0.contains("│ a,b ") && $0.contains(" NULL ") }.count == 2)
        #expect(boxed.last == "2 rows")
        // Refused statements and DuckDB errors: exit 1 with the message.
        let copy = try CLI.run(["sql", "--set", uri, "COPY \(name) TO '/tmp/out.csv'"])
        #expect(copy.status == 1)
        #expect(copy.stderrText.contains("COPY statements are not allowed"))
        let bad = try CLI.run(["sql", "--set", uri, "SELEC 1"])
        #expect(bad.status == 1)
        #expect(bad.stderrText.contains("Parser Error: syntax error"))
    }
}

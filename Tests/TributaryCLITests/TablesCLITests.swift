import Foundation
import Testing
import TributaryTesting

/// `tributary tables read` on Spark-written Hudi tables, compared with hudi-rs.
@Suite struct TablesCLITests {
    func unzip(_ name: String) throws -> URL {
        let dir = try TestEnvironment.temporaryDirectory("tables-cli")
        try runPython(["-c", """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1]) as z:
                for m in z.namelist():
                    if not (m.startswith('__MACOSX/') or m.endswith('.DS_Store')):
                        z.extract(m, sys.argv[2])
            """, "/work/shared/hudi/fixtures/\(name).zip", dir.path])
        return dir
    }

    func keys(_ jsonLines: String) -> [String] {
        jsonLines.split(separator: "\n").compactMap { line in
            let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return o?["_hoodie_record_key"] as? String
        }.sorted()
    }

    @Test(arguments: ["v6_simplekeygen_nonhivestyle", "v8_complexkeygen_hivestyle"])
    func readMatchesHudiRs(_ name: String) throws {
        let dir = try unzip(name)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent(name).path
        let ours = try CLI.run(["tables", "read", path])
        #expect(ours.status == 0, "\(ours.stderrText)")
        let oracle = TestEnvironment.packageRoot.appendingPathComponent("Tests/HudiTests/oracle/read_table.py").path
        let theirs = try runPython([oracle, path])
        #expect(!keys(ours.stdoutText).isEmpty)
        #expect(keys(ours.stdoutText) == keys(theirs.stdoutText))
        // Same value rendering as the oracle (which mirrors `parquet cat`): whole lines match.
        #expect(Set(ours.stdoutText.split(separator: "\n")) == Set(theirs.stdoutText.split(separator: "\n")))

        let limited = try CLI.run(["tables", "read", path, "--limit", "1", "--format", "csv"])
        let lines = limited.stdoutText.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("_hoodie_commit_time,_hoodie_commit_seqno,_hoodie_record_key") == true)
    }

    @Test func asOfAndMissingTable() throws {
        let dir = try unzip("v6_simplekeygen_nonhivestyle")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("v6_simplekeygen_nonhivestyle").path
        let old = try CLI.run(["tables", "read", path, "--as-of", "20240418172802262"])
        #expect(old.status == 0)
        #expect(keys(old.stdoutText) == ["1", "2", "3"])
        let missing = try CLI.run(["tables", "read", dir.appendingPathComponent("nope").path])
        #expect(missing.status != 0)
        #expect(missing.stderrText.contains("no table folder"))
    }
}

import Foundation
import Hudi
import ObjectStore
import Parquet
import Testing
import TributaryCore
import TributaryTesting

/// `tributary tables read` on Spark-written Hudi tables, compared with hudi-rs.
@Suite(.ownThread) struct TablesCLITests {
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

    /// `show` and `timeline` of a Spark-written table given by path: the live files are
    /// hudi-rs's, the commits those of the fixture.
    @Test func showAndTimelineOfASparkTable() throws {
        let dir = try unzip("v6_simplekeygen_nonhivestyle")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("v6_simplekeygen_nonhivestyle").path
        let oracle = TestEnvironment.packageRoot.appendingPathComponent("Tests/HudiTests/oracle/read_table.py").path
        let files = try runPython([oracle, path, "--files"]).stdoutText.split(separator: "\n").map(String.init).sorted()
        let show = try CLI.run(["tables", "show", path, "--json"])
        #expect(show.status == 0, "\(show.stderrText)")
        let info = (try? JSONSerialization.jsonObject(with: show.stdout)) as? [String: Any] ?? [:]
        let live = (info["fileGroups"] as? [[String: Any]] ?? []).compactMap { $0["latestFile"] as? String }.sorted()
        #expect(!files.isEmpty && live == files)
        #expect(info["recordKeyFields"] as? [String] == ["id"])
        let timeline = try CLI.run(["tables", "timeline", path, "--json"])
        let entries = (try? JSONSerialization.jsonObject(with: timeline.stdout)) as? [[String: Any]] ?? []
        #expect(entries.compactMap { $0["instant"] as? String } == ["20240418172802262", "20240418172804498"])
        #expect(entries.allSatisfy { $0["operation"] as? String == "UPSERT" })
        let lastOne = try CLI.run(["tables", "timeline", path, "--last", "1"])
        #expect(lastOne.status == 0 && lastOne.stdoutText.split(separator: "\n").count == 2, "\(lastOne.stdoutText)")
        let lastNone = try CLI.run(["tables", "timeline", path, "--last", "0"])
        #expect(lastNone.status != 0 && lastNone.stderrText.contains("--last must be at least 1"))
        let missing = try CLI.run(["tables", "show", dir.appendingPathComponent("nope").path])
        #expect(missing.status != 0 && missing.stderrText.contains("no Hudi table at"))
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

extension TablesCLITests {
    /// `tributary tables list|show|timeline|rollback|clean` on a lake we write, checked
    /// against hudi-rs and the commits' own metadata.
    @Suite(.serialized) struct Services {
        static let fields = [Field("id", .string, nullable: false), Field("ts", .int64, nullable: false),
                             Field("day", .string, nullable: false), Field("v", .int64, nullable: false)]
        static let oracle = TestEnvironment.packageRoot.appendingPathComponent("Tests/HudiTests/oracle/read_table.py").path

        /// Six commits (inserts, updates, one delete commit) into `{lake}/user_events`.
        func makeLake() async throws -> (lake: URL, results: [CommitResult]) {
            let lake = try TestEnvironment.temporaryDirectory("tables-lake")
            var options = WriteOptions()
            options.autoClean = false
            let table = try await HudiTable.create(
                store: try LocalObjectStore(root: lake.appendingPathComponent("user_events")), name: "user_events_table",
                recordKeyField: "id", precombineField: "ts", partitionField: "day", fields: Self.fields, options: options)
            var results: [CommitResult] = []
            for c in 0..<6 {
                let keys = c == 0 ? Array(0..<12) : Array((c..<(c + 5)))
                let ts = keys.map { Int64(c * 100 + $0) }
                let days = keys.map { "2026-11-\(20 + $0 % 3)" }
                let batch = RecordBatch(fields: Self.fields, columns: [.strings(keys.map { "k\($0)" }), .int64(ts), .strings(days), .int64(keys.map { Int64($0 * c) })],
                                        recordKeys: keys.map { "k\($0)" }, partitionValues: days, orderingValues: ts)
                results.append(try await table.write(batch, operation: c == 4 ? .delete : .upsert,
                                                     extraMetadata: [Hudi.checkpointKey: "user_events,0:\(c * 10 + 10)"]))
            }
            await table.close()  // releases the writer lease: the CLI runs below are other processes
            return (lake, results)
        }

        func run(_ lake: URL, _ args: [String]) throws -> ProcessOutput {
            try CLI.run(["tables"] + args + ["--set", "storage.uri=file://\(lake.path)"])
        }

        func json(_ out: ProcessOutput) -> Any? { try? JSONSerialization.jsonObject(with: out.stdout) }

        func hudiRsFiles(_ table: URL) throws -> [String] {
            try runPython([Self.oracle, table.path, "--files"]).stdoutText.split(separator: "\n").map(String.init).sorted()
        }

        @Test func listShowTimelineCleanRollback() async throws {
            let (lake, results) = try await makeLake()
            defer { try? FileManager.default.removeItem(at: lake) }
            let tableDir = lake.appendingPathComponent("user_events")
            let files = try hudiRsFiles(tableDir)
            let bytes = try files.reduce(0) { $0 + ((try FileManager.default.attributesOfItem(atPath: tableDir.appendingPathComponent($1).path)[.size] as? Int) ?? 0) }

            // list
            let list = try run(lake, ["list", "--json"])
            #expect(list.status == 0, "\(list.stderrText)")
            let tables = json(list) as? [[String: Any]] ?? []
            #expect(tables.count == 1)
            #expect(tables.first?["name"] as? String == "user_events")
            #expect(tables.first?["commits"] as? Int == 6)
            #expect(tables.first?["files"] as? Int == files.count)
            #expect(tables.first?["bytes"] as? Int == bytes)
            let listText = try run(lake, ["list"])
            #expect(listText.stdoutText.contains("user_events") && listText.stdoutText.contains("COMMITS"))

            // show: the live file groups are hudi-rs's snapshot files
            let show = try run(lake, ["show", "user_events", "--json"])
            #expect(show.status == 0, "\(show.stderrText)")
            let info = json(show) as? [String: Any] ?? [:]
            #expect((info["schema"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["id", "ts", "day", "v"])
            let groups = info["fileGroups"] as? [[String: Any]] ?? []
            #expect(groups.compactMap { $0["latestFile"] as? String }.sorted() == files)
            #expect(Set((info["partitions"] as? [[String: Any]] ?? []).compactMap { $0["partition"] as? String })
                    == Set(files.map { String($0.split(separator: "/")[0]) }))
            #expect(groups.contains { ($0["versions"] as? Int ?? 0) > 1 })
            #expect(try run(lake, ["show", "user_events_table"]).stdoutText.contains("file groups:"))

            // timeline: counts and checkpoints as the commits recorded them
            let timeline = try run(lake, ["timeline", "user_events_table", "--json"])
            #expect(timeline.status == 0, "\(timeline.stderrText)")
            let commits = (json(timeline) as? [[String: Any]] ?? []).filter { $0["action"] as? String == "commit" }
            #expect(commits.compactMap { $0["instant"] as? String } == results.map(\.instant))
            for (entry, r) in zip(commits, results) {
                #expect(entry["operation"] as? String == r.metadata.operationType)
                #expect(entry["inserts"] as? Int == Int(r.metadata.writeStats.reduce(0) { $0 + $1.numInserts }))
                #expect(entry["deletes"] as? Int == Int(r.metadata.writeStats.reduce(0) { $0 + $1.numDeletes }))
                #expect(entry["updates"] as? Int == Int(r.metadata.writeStats.reduce(0) { $0 + $1.numUpdateWrites }))
                #expect(entry["checkpoint"] as? String == r.metadata.extraMetadata[Hudi.checkpointKey])
            }
            #expect((commits[4]["deletes"] as? Int ?? 0) > 0)
            let timelineText = try run(lake, ["timeline", "user_events", "--last", "2"])
            #expect(timelineText.stdoutText.split(separator: "\n").count == 3)
            #expect(timelineText.stdoutText.contains("checkpoint user_events,0:60"))

            // clean: files go, the snapshot stays what hudi-rs read before
            let before = try runPython([Self.oracle, tableDir.path]).stdoutText
            let clean = try run(lake, ["clean", "user_events", "--retain", "2", "--json"])
            #expect(clean.status == 0, "\(clean.stderrText)")
            let cleaned = json(clean) as? [String: Any] ?? [:]
            #expect((cleaned["filesDeleted"] as? Int ?? 0) > 0)
            #expect(cleaned["earliestQueryableInstant"] as? String == results[4].instant)
            #expect(Set(try runPython([Self.oracle, tableDir.path]).stdoutText.split(separator: "\n")) == Set(before.split(separator: "\n")))
            #expect(try run(lake, ["clean", "user_events", "--retain", "2"]).stdoutText.contains("nothing to clean"))
            let shown = json(try run(lake, ["show", "user_events", "--json"])) as? [String: Any] ?? [:]
            #expect(shown["earliestQueryableInstant"] as? String == results[4].instant)
            let afterClean = json(try run(lake, ["timeline", "user_events", "--json"])) as? [[String: Any]] ?? []
            #expect(afterClean.contains { $0["action"] as? String == "clean" && $0["state"] as? String == "completed" })

            // rollback: only the latest; afterwards hudi-rs reads the previous commit's snapshot
            let older = try run(lake, ["rollback", "user_events", results[3].instant])
            #expect(older.status != 0)
            #expect(older.stderrText.contains("not the latest commit"))
            let unknown = try run(lake, ["rollback", "user_events", "20000101000000000"])
            #expect(unknown.status != 0 && unknown.stderrText.contains("no commit 20000101000000000"))
            let previous = try runPython([Self.oracle, tableDir.path, "--as-of", results[4].instant]).stdoutText
            let rollback = try run(lake, ["rollback", "user_events", results[5].instant, "--json"])
            #expect(rollback.status == 0, "\(rollback.stderrText)")
            let rolled = json(rollback) as? [String: Any] ?? [:]
            #expect(rolled["rolledBack"] as? [String] == [results[5].instant])
            #expect(rolled["latestCommit"] as? String == results[4].instant)
            #expect(Set(try runPython([Self.oracle, tableDir.path]).stdoutText.split(separator: "\n")) == Set(previous.split(separator: "\n")))
            let afterRollback = json(try run(lake, ["timeline", "user_events", "--json"])) as? [[String: Any]] ?? []
            #expect(afterRollback.contains { $0["action"] as? String == "rollback" && ($0["rolledBack"] as? [String]) == [results[5].instant] })
            #expect(!afterRollback.contains { $0["instant"] as? String == results[5].instant })
        }

        @Test func unknownTableAndHelp() async throws {
            let (lake, _) = try await makeLake()
            defer { try? FileManager.default.removeItem(at: lake) }
            for sub in ["show", "timeline", "clean"] {
                let out = try run(lake, [sub, "nope"])
                #expect(out.status != 0)
                #expect(out.stderrText.contains("no table 'nope'") && out.stderrText.contains("tables: user_events"))
            }
            for sub in ["list", "show", "timeline", "rollback", "clean"] {
                let help = try CLI.run(["tables", sub, "--help"])
                #expect(help.status == 0)
                #expect(help.stdoutText.contains("--json"), "tables \(sub) --help")
            }
            #expect(try CLI.run(["tables", "timeline", "--help"]).stdoutText.contains("checkpoint"))
            let empty = try TestEnvironment.temporaryDirectory("tables-empty")
            defer { try? FileManager.default.removeItem(at: empty) }
            #expect(try run(empty, ["list"]).stdoutText.contains("no tables"))
        }
    }
}

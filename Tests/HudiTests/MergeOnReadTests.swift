import Foundation
import ObjectStore
import Parquet
import Testing
import TributaryCore
import TributaryTesting
@testable import Hudi

/// Merge-on-read tables we write: updates and deletes land in log files, and hudi-rs (the
/// oracle) and our reader both read the merged table equal to a model, at every instant.
@Suite(.serialized) struct MergeOnReadTests {
    static let day: Int64 = 86_400_000_000
    static let base: Int64 = 1_795_000_000_000_000  // 2026-11-18

    func newTable(_ dir: URL, options: WriteOptions = WriteOptions()) async throws -> HudiTable {
        try await HudiTable.create(store: try LocalObjectStore(root: dir), name: "user_events_table", recordKeyField: "event_id",
                                   precombineField: "timestamp", partitionField: "event_date", fields: Events.fields,
                                   tableType: .mergeOnRead, options: options)
    }

    /// The model: per key its live record and the instant that wrote it.
    struct Model {
        var rows: [String: (record: EventRecord, instant: String)] = [:]

        /// Applies a batch the way the writer must: the larger timestamp wins (ties: the
        /// later record), stale records are ignored, deletes remove, deleted keys come back
        /// as new records.
        mutating func apply(_ records: [EventRecord], instant: String) {
            var winners: [String: EventRecord] = [:]
            var order: [String] = []
            for r in records {
                if let w = winners[r.eventId] {
                    if w.timestamp > r.timestamp { continue }
                } else {
                    order.append(r.eventId)
                }
                winners[r.eventId] = r
            }
            for key in order {
                guard let r = winners[key] else { continue }
                if let stored = rows[key], r.timestamp < stored.record.timestamp { continue }
                if r.delete { rows[key] = nil } else { rows[key] = (r, instant) }
            }
        }

        var expected: [JSONValue] { sortedRows(rows.values.map { Events.expectedLine($0.record, commitTime: $0.instant) }) }
    }

    static func record(_ key: Int, version: Int, dayOffset: Int64, delete: Bool = false) -> EventRecord {
        EventRecord(eventId: "k\(key)", userId: "u\(key % 11)", eventType: version == 0 ? "view" : "click\(version)",
                    page: key % 4 == 0 ? nil : "/p/\(key)/\(version)", country: key % 5 == 0 ? nil : "NL",
                    timestamp: base + dayOffset * day + Int64(version) * 1_000_000 + Int64(key), kafkaOffset: Int64(version * 1000 + key),
                    delete: delete)
    }

    /// Inserts, then upserts and deletes over several delta commits: logs, not rewrites;
    /// hudi-rs and our reader agree with the model at the latest and every earlier instant;
    /// read-optimized reads the base files only.
    @Test func deltaCommitsReadByHudiRs() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-mor")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = WriteOptions()
        options.compactionMaxDeltaCommits = 0  // compaction has its own test
        let table = try await newTable(dir, options: options)
        var model = Model()
        var expectedAt: [(String, [JSONValue])] = []
        var rng = SplitMix(seed: 21)
        // Keys never change partition here: the day is fixed per key.
        func dayOf(_ key: Int) -> Int64 { Int64(key % 3) }
        let inserts = (0..<120).map { Self.record($0, version: 0, dayOffset: dayOf($0)) }
        let first = try await table.write(Events.batch(inserts))
        model.apply(inserts, instant: first.instant)
        expectedAt.append((first.instant, model.expected))
        let baseFiles = try await table.planSnapshot().filePaths
        for version in 1...6 {
            var records: [EventRecord] = []
            for _ in 0..<25 {
                let key = Int(rng.next() % 130)  // a few keys are new: inserts beside the logs
                var r = Self.record(key, version: version, dayOffset: dayOf(key), delete: rng.next() % 5 == 0)
                if rng.next() % 9 == 0 { r.timestamp -= 50_000_000 }  // sometimes stale
                records.append(r)
            }
            let result = try await table.write(Events.batch(records))
            model.apply(records, instant: result.instant)
            expectedAt.append((result.instant, model.expected))
            #expect(result.logFilesWritten > 0)
            #expect(try await table.timeline().latestCompletedCommit?.action == "deltacommit")
        }
        // Updates and inserts went to logs: every group still has its first base file.
        let plan = try await table.planSnapshot()
        #expect(plan.hasLogFiles)
        #expect(plan.slices.allSatisfy { !$0.logFiles.isEmpty && baseFiles.contains($0.path) })
        #expect(sortedRows(try await ourRows(table)) == model.expected)
        #expect(sortedRows(try HudiOracle.read(dir.path)) == model.expected)
        // Time travel, every instant, both readers.
        let answers = try HudiOracle.queries(dir.path, expectedAt.map { .object([("as_of", .string($0.0))]) })
        for (i, (instant, expected)) in expectedAt.enumerated() {
            #expect(sortedRows(answers[i]) == expected, "hudi-rs as of \(instant)")
            #expect(sortedRows(try await ourRows(table, asOf: instant)) == expected, "ours as of \(instant)")
        }
        // Read-optimized: the base files only — the first commit's keys, deleted in logs or
        // not; keys inserted later live in logs until compaction.
        let ro = try await table.readSnapshot(readOptimized: true)
        #expect(Set(LogInsertTests.keys(ro)) == Set(inserts.map(\.eventId)))
        // Incremental from the first commit: what changed since, merged (upserted rows only).
        let incremental = try await table.readIncremental(since: first.instant)
        let changed = model.rows.values.filter { $0.instant > first.instant }.map(\.record.eventId)
        let incKeys = Set(incremental.rows.compactMap { row -> String? in
            guard let i = incremental.names.firstIndex(of: "event_id"), case .string(let k) = row[i] else { return nil }
            return k
        })
        #expect(incKeys == Set(changed))
        // Incremental ranges equal hudi-rs's.
        let ranges = [(first.instant, nil)] + zip(expectedAt.map(\.0), expectedAt.dropFirst().map(\.0)).map { ($0, Optional($1)) }
        let theirs = try HudiOracle.queries(dir.path, ranges.map { r in
            .object([("start", .string(r.0))] + (r.1.map { [("end", JSONValue.string($0))] } ?? []))
        })
        for (i, r) in ranges.enumerated() {
            let rows = try await table.readIncremental(since: r.0, until: r.1)
            let ours = try rows.rows.map { canonical(try JSONValue.parse(Data(renderJSONLine(names: rows.names, row: $0).utf8))) }
            #expect(sortedRows(ours) == sortedRows(theirs[i]), "incremental (\(r.0), \(r.1 ?? "latest")]")
        }
        // Delta commit metadata names the log files as Hudi's delta write stats do.
        let tl = try await table.timeline()
        let meta = try await table.commitMetadata(tl.completedDataCommits[1])
        let logStats = meta.writeStats.filter { $0.log != nil }
        #expect(!logStats.isEmpty && logStats.allSatisfy { $0.path.contains(".log.") && $0.prevCommit == first.instant })
    }

    /// The log-size trigger alone: long before `compactionMaxDeltaCommits`, a file group
    /// whose logs exceed `compactionMaxLogBytes` is compacted, and only that one; groups with
    /// smaller logs keep them. Both readers read the model after.
    @Test func compactionScheduledByLogSizeAlone() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-mor-logsize")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = WriteOptions()
        options.compactionMaxDeltaCommits = 100
        options.compactionMaxLogBytes = 0  // off while the logs are made and measured
        options.compactInBackground = false
        let table = try await newTable(dir, options: options)
        var model = Model()
        func write(_ table: HudiTable, _ records: [EventRecord]) async throws {
            model.apply(records, instant: try await table.write(Events.batch(records)).instant)
        }
        // Three partitions (key % 3), one file group each; then every key of day 0 updated
        // (a large log), one key of day 1 (a small one).
        try await write(table, (0..<120).map { Self.record($0, version: 0, dayOffset: Int64($0 % 3)) })
        try await write(table, stride(from: 0, to: 120, by: 3).map { Self.record($0, version: 1, dayOffset: 0) } + [Self.record(1, version: 1, dayOffset: 1)])
        #expect(try await table.pendingCompactions().isEmpty)
        func logBytes(_ plan: SnapshotPlan) -> [String: Int] {
            Dictionary(uniqueKeysWithValues: plan.slices.map { ($0.partitionPath, $0.logFiles.reduce(0) { $0 + $1.size }) })
        }
        let before = logBytes(try await table.planSnapshot())
        let large = try #require(before["event_date=2026-11-18"]), small = try #require(before["event_date=2026-11-19"])
        #expect(large > small && small > 0)
        await table.close()

        // Reopened with the threshold between the two: the next delta commit (a small log in
        // day 2) schedules a compaction of the day-0 group alone.
        options.compactionMaxLogBytes = (large + small) / 2
        let reopened = try await HudiTable.open(store: try LocalObjectStore(root: dir), options: options)
        try await write(reopened, [Self.record(2, version: 1, dayOffset: 2)])
        let pending = try await reopened.pendingCompactions()
        #expect(pending.count == 1)
        #expect(pending.first?.plan.operations.map(\.partitionPath) == ["event_date=2026-11-18"])
        let results = try await reopened.compact(force: false)
        #expect(results.map(\.fileGroups) == [1])
        let after = logBytes(try await reopened.planSnapshot())
        #expect(after["event_date=2026-11-18"] == 0)
        #expect(after["event_date=2026-11-19"] == small)
        #expect((after["event_date=2026-11-20"] ?? 0) > 0)
        #expect(sortedRows(try await ourRows(reopened)) == model.expected)
        #expect(sortedRows(try HudiOracle.read(dir.path)) == model.expected)
        await reopened.close()
    }

    /// A compaction the log size triggered restarts the delta-commit count: the scheduler
    /// counts delta commits since the newest compaction of any kind, so the next one by
    /// count comes `compactionMaxDeltaCommits` delta commits after it, not after the start.
    @Test func logSizeCompactionRestartsTheDeltaCommitCount() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-mor-count")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = WriteOptions()
        options.compactionMaxDeltaCommits = 3
        options.compactionMaxLogBytes = 1  // any log: the first update's group is compacted by size
        options.compactInBackground = false
        let table = try await newTable(dir, options: options)
        var model = Model()
        func write(_ table: HudiTable, _ records: [EventRecord]) async throws {
            model.apply(records, instant: try await table.write(Events.batch(records)).instant)
        }
        /// Every key of one day's file group (keys are on day `key % 3`).
        func write(_ table: HudiTable, day: Int64, version: Int) async throws {
            try await write(table, stride(from: Int(day), to: 120, by: 3).map { Self.record($0, version: version, dayOffset: day) })
        }
        try await write(table, (0..<120).map { Self.record($0, version: 0, dayOffset: Int64($0 % 3)) })
        try await write(table, day: 0, version: 1)  // delta commit 2: a log in the day-0 group
        #expect(try await table.timeline().completedDataCommits.filter { $0.action == "deltacommit" }.count == 2)
        let bySize = try await table.pendingCompactions()
        #expect(bySize.count == 1)
        #expect(bySize.first?.plan.operations.map(\.partitionPath) == ["event_date=2026-11-18"])
        #expect(try await table.compact(force: false).map(\.fileGroups) == [1])
        await table.close()

        // Size trigger off: only the count schedules now. Delta commits 3 and 4 since the
        // start, 1 and 2 since the compaction: nothing; the third after it: all groups.
        options.compactionMaxLogBytes = 0
        let reopened = try await HudiTable.open(store: try LocalObjectStore(root: dir), options: options)
        for (n, day) in [Int64(1), 2].enumerated() {
            try await write(reopened, day: day, version: 2)
            #expect(try await reopened.pendingCompactions().isEmpty, "delta commit \(n + 1) after the size compaction")
        }
        try await write(reopened, day: 0, version: 3)
        let byCount = try await reopened.pendingCompactions()
        #expect(byCount.count == 1)
        #expect(Set(byCount.first?.plan.operations.map(\.partitionPath) ?? []) == ["event_date=2026-11-18", "event_date=2026-11-19", "event_date=2026-11-20"])
        #expect(try await reopened.compact(force: false).map(\.fileGroups) == [3])
        #expect(sortedRows(try await ourRows(reopened)) == model.expected)
        #expect(sortedRows(try HudiOracle.read(dir.path)) == model.expected)
        await reopened.close()
    }

    /// A table keeps its type: opening a merge-on-read table as copy-on-write is refused.
    @Test func tableKeepsItsType() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-mor-type")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try await newTable(dir)
        let props = try String(contentsOf: dir.appendingPathComponent(".hoodie/hoodie.properties"), encoding: .utf8)
        #expect(props.contains("hoodie.table.type=MERGE_ON_READ"))
        await #expect(throws: HudiError.self) {
            _ = try await HudiTable.openOrCreate(store: try LocalObjectStore(root: dir), name: "user_events_table", recordKeyField: "event_id",
                                                 precombineField: "timestamp", partitionField: "event_date", fields: Events.fields,
                                                 tableType: .copyOnWrite)
        }
        let reopened = try await HudiTable.openOrCreate(store: try LocalObjectStore(root: dir), name: "user_events_table",
                                                        recordKeyField: "event_id", precombineField: "timestamp",
                                                        partitionField: "event_date", fields: Events.fields, tableType: .mergeOnRead)
        #expect(reopened.tableType == .mergeOnRead)
    }

    /// A delta commit that failed after writing its log file is rolled back by the next
    /// write with a rollback command block: neither reader ever shows its records.
    @Test func failedDeltaCommitRolledBackWithCommandBlock() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-mor-rollback")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await newTable(dir)
        var model = Model()
        let inserts = (0..<30).map { Self.record($0, version: 0, dayOffset: 0) }
        model.apply(inserts, instant: try await table.write(Events.batch(inserts)).instant)
        struct Refused: Error {}
        let doomed = (0..<10).map { Self.record($0, version: 1, dayOffset: 0, delete: $0 % 3 == 0) }
        await #expect(throws: Refused.self) {
            try await table.write(Events.batch(doomed), check: CommitCheck(keys: []) { _ in throw Refused() })
        }
        #expect(try await table.timeline().pending.contains { $0.action == "deltacommit" })
        let updates = (5..<15).map { Self.record($0, version: 2, dayOffset: 0) }
        model.apply(updates, instant: try await table.write(Events.batch(updates)).instant)
        let tl = try await table.timeline()
        #expect(tl.pending.isEmpty)
        #expect(tl.instants.contains { $0.action == "rollback" && $0.state == .completed })
        // The failed log file is still there, and a rollback block names its instant.
        let group = try await table.fileSystemView.fileGroups().first { !$0.logFiles.isEmpty }
        var targets: [String] = []
        for log in group?.logFiles ?? [] {
            for b in try LogBlock.decodeAll(try Data(contentsOf: dir.appendingPathComponent(log.path)), path: log.path) where b.type == .command {
                targets += [b.header[.targetInstantTime] ?? ""]
            }
        }
        #expect(targets.count == 1)
        #expect(sortedRows(try await ourRows(table)) == model.expected)
        #expect(sortedRows(try HudiOracle.read(dir.path)) == model.expected)
    }

    /// Log block bytes round-trip, delete records included.
    @Test func logBlocksRoundTrip() throws {
        let deletes = [DeleteRecord(recordKey: "a", partitionPath: "p=1", ordering: 1_795_000_000_000_000, orderingBranch: 12),
                       DeleteRecord(recordKey: "b", partitionPath: "", ordering: -7, orderingBranch: 2)]
        var bytes = LogBlock.delete(instant: "20261203120000000", records: deletes).encoded()
        bytes.append(LogBlock.rollback(instant: "20261203120000001", target: "20261203115900000").encoded())
        let blocks = try LogBlock.decodeAll(bytes, path: "x")
        #expect(blocks.count == 2)
        #expect(try blocks[0].deleteRecords(path: "x") == deletes)
        #expect(blocks[1].header[.targetInstantTime] == "20261203115900000")
        // A torn last block ends the file (a crash mid-append).
        #expect(try LogBlock.decodeAll(bytes.dropLast(3), path: "x").count == 1)
    }
}

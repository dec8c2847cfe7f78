import Foundation
import ObjectStore
import Parquet
import Testing
import TributaryCore
import TributaryTesting
@testable import Hudi

/// Merge-on-read inserts into small file groups go to the groups' logs, so keys live only
/// in log files until compaction. The index must find them: an update or delete of such a
/// key that missed it would become a second copy in another group. hudi-rs (the oracle) and
/// our reader read the model at every instant, read-optimized reads lack the log-only keys
/// until compaction.
@Suite(.serialized) struct LogInsertTests {
    typealias Model = MergeOnReadTests.Model
    static func record(_ key: Int, version: Int, delete: Bool = false) -> EventRecord {
        MergeOnReadTests.record(key, version: version, dayOffset: Int64(key % 3), delete: delete)
    }

    func newTable(_ dir: URL, options: WriteOptions) async throws -> HudiTable {
        try await HudiTable.create(store: try LocalObjectStore(root: dir), name: "user_events_table", recordKeyField: "event_id",
                                   precombineField: "timestamp", partitionField: "event_date", fields: Events.fields,
                                   tableType: .mergeOnRead, options: options)
    }

    /// The keys of a read (`event_id`).
    static func keys(_ rows: HudiRows) -> [String] {
        rows.rows.compactMap { row -> String? in
            guard let i = rows.names.firstIndex(of: "event_id"), case .string(let k) = row[i] else { return nil }
            return k
        }
    }

    @Test func logOnlyKeysAreUpdatedDeletedAndCompacted() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-mor-log-inserts")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = WriteOptions()
        options.compactionMaxDeltaCommits = 0
        options.compactInBackground = false
        let table = try await newTable(dir, options: options)
        var model = Model()
        var expectedAt: [(String, [JSONValue])] = []
        @discardableResult func write(_ records: [EventRecord]) async throws -> CommitResult {
            let result = try await table.write(Events.batch(records))
            model.apply(records, instant: result.instant)
            expectedAt.append((result.instant, model.expected))
            #expect(sortedRows(try await ourRows(table)) == model.expected, "ours after \(result.instant)")
            return result
        }
        func groupCount() async throws -> Int { try await table.planSnapshot().slices.count }

        let first = try await write((0..<30).map { Self.record($0, version: 0) })
        #expect(try await groupCount() == 3)
        // New keys beside updates: appended to the small groups' logs, no new group, no rewrite.
        let inserted = try await write((100..<130).map { Self.record($0, version: 1) } + (0..<6).map { Self.record($0, version: 1) })
        #expect(try await groupCount() == 3)
        #expect(inserted.filesWritten == 0 && inserted.logFilesWritten == 3)
        #expect(inserted.summary.inserts == 30 && inserted.summary.updates == 6)
        let logStats = inserted.metadata.writeStats
        #expect(logStats.allSatisfy { $0.log != nil })
        #expect(logStats.reduce(0) { $0 + $1.numInserts } == 30 && logStats.reduce(0) { $0 + $1.numUpdateWrites } == 6)
        #expect(logStats.reduce(0) { $0 + $1.numWrites } == 36)
        // Log-only keys updated, deleted, updated stale: all found in the logs.
        let updated = try await write((100..<115).map { Self.record($0, version: 2) })
        #expect(updated.summary.updates == 15 && updated.summary.inserts == 0)
        let deleted = try await write((100..<105).map { Self.record($0, version: 3, delete: true) })
        #expect(deleted.summary.deletes == 5 && deleted.summary.missingDeletes == 0)
        var stale = (110..<113).map { Self.record($0, version: 1) }
        for i in stale.indices { stale[i].timestamp -= 5_000_000 }
        let staleResult = try await write(stale + (100..<102).map { Self.record($0, version: 4) })  // deleted keys come back
        #expect(staleResult.summary.stale == 3 && staleResult.summary.inserts == 2)
        #expect(try await groupCount() == 3)

        // A failed delta commit's inserts (rolled back by a command block) are not in the table.
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await table.write(Events.batch((200..<210).map { Self.record($0, version: 5) }), check: CommitCheck(keys: []) { _ in throw Refused() })
        }
        let afterFailure = try await write((200..<205).map { Self.record($0, version: 6) } + (115..<120).map { Self.record($0, version: 6) })
        #expect(afterFailure.summary.inserts == 5 && afterFailure.summary.updates == 5)

        // Read-optimized: base files only, no log-only key.
        let roKeys = Set(Self.keys(try await table.readSnapshot(readOptimized: true)))
        #expect(roKeys == Set((0..<30).map { "k\($0)" }))
        // hudi-rs: latest and as of every instant; incremental ranges equal ours.
        #expect(sortedRows(try HudiOracle.read(dir.path)) == model.expected)
        let answers = try HudiOracle.queries(dir.path, expectedAt.map { .object([("as_of", .string($0.0))]) })
        for (i, (instant, expected)) in expectedAt.enumerated() {
            #expect(sortedRows(answers[i]) == expected, "hudi-rs as of \(instant)")
            #expect(sortedRows(try await ourRows(table, asOf: instant)) == expected, "ours as of \(instant)")
        }
        let ranges = [(first.instant, nil)] + zip(expectedAt.map(\.0), expectedAt.dropFirst().map(\.0)).map { ($0, Optional($1)) }
        let theirs = try HudiOracle.queries(dir.path, ranges.map { r in
            .object([("start", .string(r.0))] + (r.1.map { [("end", JSONValue.string($0))] } ?? []))
        })
        for (i, r) in ranges.enumerated() {
            let rows = try await table.readIncremental(since: r.0, until: r.1)
            let ours = try rows.rows.map { canonical(try JSONValue.parse(Data(renderJSONLine(names: rows.names, row: $0).utf8))) }
            #expect(sortedRows(ours) == sortedRows(theirs[i]), "incremental (\(r.0), \(r.1 ?? "latest")]")
        }

        // Compaction folds the log-only keys into the base files.
        #expect(try await table.compact().map(\.fileGroups) == [3])
        #expect(try await table.planSnapshot().hasLogFiles == false)
        let compactedRO = Self.keys(try await table.readSnapshot(readOptimized: true))
        #expect(compactedRO.count == model.rows.count && Set(compactedRO) == Set(model.rows.keys))
        #expect(sortedRows(try await ourRows(table)) == model.expected)
        #expect(sortedRows(try HudiOracle.read(dir.path)) == model.expected)
        // Formerly log-only keys are base keys now: updated in place, not inserted again.
        let later = try await write((100..<130).map { Self.record($0, version: 7) })
        #expect(later.summary.updates == 27 && later.summary.inserts == 3)  // 102..<105 were deleted
        #expect(try await groupCount() == 3)
        #expect(sortedRows(try HudiOracle.read(dir.path)) == model.expected)
        await table.close()
    }

    /// What the writer must make of `records` against the table `model` holds: inserts of
    /// absent keys, updates and deletes of live ones (stale records and deletes of absent
    /// keys do nothing).
    static func routing(_ records: [EventRecord], model: Model) -> (inserts: Int, updates: Int, deletes: Int) {
        var winners: [String: EventRecord] = [:]
        for r in records where (winners[r.eventId]?.timestamp ?? Int64.min) <= r.timestamp { winners[r.eventId] = r }
        var counts = (inserts: 0, updates: 0, deletes: 0)
        for r in winners.values {
            guard let stored = model.rows[r.eventId] else {
                if !r.delete { counts.inserts += 1 }
                continue
            }
            if r.timestamp < stored.record.timestamp { continue }
            if r.delete { counts.deletes += 1 } else { counts.updates += 1 }
        }
        return counts
    }

    /// Random upserts, deletes and stale records over many delta commits, with small groups
    /// filling up (log bytes count) and compactions between: never a key twice, both
    /// readers equal the model; groups stop taking inserts once base and logs are big.
    @Test func randomWritesNeverDuplicateKeys() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-mor-log-inserts-random")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = WriteOptions()
        options.compactionMaxDeltaCommits = 5
        options.compactInBackground = false
        options.smallFileLimit = 40_000
        options.maxFileSize = 48_000
        let table = try await newTable(dir, options: options)
        var model = Model()
        var rng = SplitMix(seed: 77)
        var nextKey = 0
        var instants: [String] = []
        for version in 0..<24 {
            var records: [EventRecord] = []
            for _ in 0..<40 {
                let fresh = rng.next() % 3 == 0 || nextKey == 0
                let key: Int
                if fresh { key = nextKey; nextKey += 1 } else { key = Int(rng.next() % UInt64(nextKey)) }
                var r = Self.record(key, version: version, delete: !fresh && rng.next() % 6 == 0)
                // Stale records of live keys only: one of a deleted key is dropped by the
                // remembered deletes, which the model does not keep.
                if !fresh && model.rows[r.eventId] != nil && rng.next() % 8 == 0 { r.timestamp -= 30_000_000 }
                records.append(r)
            }
            let routed = Self.routing(records, model: model)
            let result = try await table.write(Events.batch(records))
            // Every key the table holds is found (an update, not an insert), wherever it lives.
            #expect(result.summary.inserts == routed.inserts && result.summary.updates == routed.updates
                    && result.summary.deletes == routed.deletes, "write \(version): \(result.summary) against \(routed)")
            model.apply(records, instant: result.instant)
            instants.append(result.instant)
            if !(try await table.pendingCompactions().isEmpty) { _ = try await table.compact(force: false) }
            let ours = Set(try await ourRows(table).map { "\($0)" }), expected = Set(model.expected.map { "\($0)" })
            #expect(ours == expected, "after write \(version): ours only \(ours.subtracting(expected).sorted()), expected only \(expected.subtracting(ours).sorted())")
            let keys = Self.keys(try await table.readSnapshot())
            #expect(Set(keys).count == keys.count, "a key twice after write \(version)")
        }
        #expect(sortedRows(try HudiOracle.read(dir.path)) == model.expected)
        let plan = try await table.planSnapshot()
        #expect(plan.slices.count > 3)  // groups filled up and new ones opened
        #expect(plan.slices.filter { $0.totalSize >= options.smallFileLimit }.count > 0)
        await table.close()
    }

    /// Optimistic writers on merge-on-read pack inserts into small groups' logs too: one
    /// writer adds no group. Three writers (separate table objects, as processes) then insert
    /// new keys and update their own concurrently, with background compactions every three
    /// delta commits, retrying on conflicts: every committed key is in the table once, at
    /// its last committed version, as our reader and hudi-rs read it; nothing is pending.
    @Test func optimisticWritersPackInsertsIntoLogs() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-mor-occ-inserts")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = WriteOptions()
        options.concurrency = .optimistic
        options.compactionMaxDeltaCommits = 3
        options.compactInBackground = true
        let setup = try await newTable(dir, options: options)
        let first = try await setup.write(Events.batch((0..<30).map { Self.record($0, version: 0) }))
        let groups = try await setup.planSnapshot().slices.count
        let packed = try await setup.write(Events.batch((30..<45).map { Self.record($0, version: 0) }))
        #expect(packed.filesWritten == 0 && packed.logFilesWritten > 0)
        #expect(try await setup.planSnapshot().slices.count == groups)

        struct Outcome: Sendable { var versions: [Int: (version: Int, instant: String)] = [:]; var conflicts = 0 }
        let writerOptions = options
        let outcomes = try await withThrowingTaskGroup(of: Outcome.self) { group in
            for w in 0..<3 {
                group.addTask {
                    let table = try await HudiTable.open(store: try LocalObjectStore(root: dir), options: writerOptions)
                    var out = Outcome()
                    for round in 1...4 {
                        let fresh = (0..<3).map { 1000 * (w + 1) + 3 * round + $0 }
                        let keys = out.versions.keys.sorted() + fresh
                        while true {
                            do {
                                let done = try await table.write(Events.batch(keys.map { Self.record($0, version: round) }))
                                for k in keys { out.versions[k] = (round, done.instant) }
                                break
                            } catch let error as HudiError where error.kind == .commitConflict {
                                out.conflicts += 1
                            }
                        }
                    }
                    await table.close()
                    return out
                }
            }
            return try await group.reduce(into: [Outcome]()) { $0.append($1) }
        }
        _ = try await setup.compact(force: false)
        var model = Model()
        model.apply((0..<30).map { Self.record($0, version: 0) }, instant: first.instant)
        model.apply((30..<45).map { Self.record($0, version: 0) }, instant: packed.instant)
        for o in outcomes {
            for (key, v) in o.versions { model.apply([Self.record(key, version: v.version)], instant: v.instant) }
        }
        print("optimistic merge-on-read inserts: 3 writers × 4 commits, \(outcomes.reduce(0) { $0 + $1.conflicts }) conflicts retried")
        let ours = try await ourRows(setup)
        let keys = Self.keys(try await setup.readSnapshot())
        #expect(Set(keys).count == keys.count, "a key twice")
        let expectedKeys = Set(model.rows.keys)
        #expect(Set(keys) == expectedKeys, "missing: \(expectedKeys.subtracting(keys).sorted()), extra: \(Set(keys).subtracting(expectedKeys).sorted())")
        #expect(sortedRows(ours) == model.expected)
        #expect(sortedRows(try HudiOracle.read(dir.path)) == model.expected)
        #expect(try await setup.timeline().pending.filter(\.isDataCommit).isEmpty)
        await setup.close()
    }
}

import Foundation
import ObjectStore
import Parquet
import Testing
import TributaryCore
import TributaryTesting
@testable import Hudi

@Suite struct WriteEdgeTests {
    static let day: Int64 = 86_400_000_000
    static let base: Int64 = 1_795_000_000_000_000

    func record(_ key: String, _ dayOffset: Int64 = 0, ts: Int64 = 0, delete: Bool = false) -> EventRecord {
        EventRecord(eventId: key, userId: "u", eventType: "click", page: nil, country: "NL",
                    timestamp: Self.base + dayOffset * Self.day + ts, kafkaOffset: ts, delete: delete)
    }

    /// Deleting every record of a group writes an empty slice, so readers stop serving the
    /// old file.
    @Test func deletingAWholeGroupLeavesAnEmptySlice() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-empty-group")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await HudiTable.create(store: try LocalObjectStore(root: dir), name: "user_events_table", recordKeyField: "event_id",
                                               precombineField: "timestamp", partitionField: "event_date", fields: Events.fields)
        try await table.write(Events.batch([record("a"), record("b"), record("c", 1)]))
        let r = try await table.write(Events.batch([record("a", ts: 5, delete: true), record("b", ts: 5, delete: true)]))
        #expect(r.summary.deletes == 2)
        #expect(r.metadata.writeStats.count == 1 && r.metadata.writeStats[0].numWrites == 0 && r.metadata.writeStats[0].numDeletes == 2)
        let ours = try await ourRows(table)
        #expect(ours.compactMap { $0["event_id"]?.string } == ["c"])
        #expect(try HudiOracle.read(dir.path).compactMap { $0["event_id"]?.string } == ["c"])
    }

    /// Write stats of an update commit describe the rewritten file exactly.
    @Test func updateWriteStats() async throws {
        let store = MemoryObjectStore()
        let table = try await HudiTable.create(store: store, name: "user_events_table", recordKeyField: "event_id",
                                               precombineField: "timestamp", partitionField: "event_date", fields: Events.fields)
        let first = try await table.write(Events.batch([record("a"), record("b"), record("c")]))
        let second = try await table.write(Events.batch([record("b", ts: 7), record("d", ts: 1)]), operation: .upsert)
        #expect(second.metadata.operationType == "UPSERT")
        let stats = second.metadata.writeStats
        #expect(stats.count == 1)  // the insert of d is packed into the same (small) group
        guard let s = stats.first else { return }
        #expect(s.prevCommit == first.instant)
        #expect(s.fileId == first.metadata.writeStats.first?.fileId)
        #expect(s.numWrites == 4 && s.numUpdateWrites == 1 && s.numInserts == 1 && s.numDeletes == 0)
        #expect(s.partitionPath == "event_date=2026-11-18")
        #expect(s.path.hasPrefix("event_date=2026-11-18/\(s.fileId)_") && s.path.hasSuffix("_\(second.instant).parquet"))
        let size = try await store.head(s.path).size
        #expect(Int64(size) == s.fileSizeInBytes && s.totalWriteBytes == s.fileSizeInBytes)
        // Untouched records keep their commit time; the updated and inserted ones get the new one.
        let rows = try await ourRows(table)
        let times = Dictionary(uniqueKeysWithValues: rows.compactMap { r in
            r["event_id"]?.string.map { ($0, r["_hoodie_commit_time"]?.string ?? "") }
        })
        #expect(times == ["a": first.instant, "b": second.instant, "c": first.instant, "d": second.instant])
    }

    /// A new table object (a restarted process) finds existing keys through footers and
    /// ranged reads of the key and ordering columns.
    @Test func coldIndexFindsExistingKeys() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-cold")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try await HudiTable.create(store: try LocalObjectStore(root: dir), name: "user_events_table", recordKeyField: "event_id",
                                               precombineField: "timestamp", partitionField: "event_date", fields: Events.fields)
        try await first.write(Events.batch((0..<300).map { record("k\($0)", Int64($0 % 3), ts: 100) }))
        await first.close()
        let restarted = try await HudiTable.open(store: try LocalObjectStore(root: dir))
        let r = try await restarted.write(Events.batch([
            record("k1", 1, ts: 200),        // newer: update
            record("k2", 2, ts: 50),         // older: stale
            record("k4", 2, ts: 300),        // newer, date changed: moves from day 1 to day 2
            record("k5", 2, ts: 300, delete: true),
            record("new", 0, ts: 1),
        ]))
        #expect(r.summary.updates == 1 && r.summary.stale == 1 && r.summary.moves == 1 && r.summary.deletes == 1 && r.summary.inserts == 1)
        let rows = try HudiOracle.read(dir.path)
        #expect(rows.count == 300)
        let k4 = rows.first { $0["event_id"]?.string == "k4" }
        #expect(k4?["event_date"]?.string == "2026-11-20")
        #expect(sortedRows(try await ourRows(restarted)) == sortedRows(rows))
    }

    /// A table without partition field: files in the root, `_hoodie_partition_path` empty.
    @Test func nonPartitionedTable() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-nonpart")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await HudiTable.create(store: try LocalObjectStore(root: dir), name: "user_events_table", recordKeyField: "event_id",
                                               precombineField: "timestamp", partitionField: nil, fields: Events.fields)
        try await table.write(Events.batch([record("a"), record("b", 1)]))
        try await table.write(Events.batch([record("a", 2, ts: 9), record("c", delete: true)]))
        let plan = try await table.planSnapshot()
        #expect(plan.slices.count == 1 && plan.slices[0].partitionPath == "" && !plan.slices[0].path.contains("/"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(".hoodie_partition_metadata").path))
        let theirs = try HudiOracle.read(dir.path)
        #expect(theirs.count == 2)
        #expect(theirs.allSatisfy { $0["_hoodie_partition_path"]?.string == "" })
        #expect(sortedRows(try await ourRows(table)) == sortedRows(theirs))
    }

    /// A batch that changes nothing (stale updates, deletes of missing keys) still commits,
    /// so the checkpoint advances, and the table stays readable.
    @Test func noOpBatchCommitsCheckpoint() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-noop")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await HudiTable.create(store: try LocalObjectStore(root: dir), name: "user_events_table", recordKeyField: "event_id",
                                               precombineField: "timestamp", partitionField: "event_date", fields: Events.fields)
        try await table.write(Events.batch([record("a", ts: 10)]), extraMetadata: ["deltastreamer.checkpoint.key": "user_events,0:1"])
        let r = try await table.write(Events.batch([record("a", ts: 5), record("zz", delete: true)]),
                                      extraMetadata: ["deltastreamer.checkpoint.key": "user_events,0:3"])
        #expect(r.filesWritten == 0 && r.summary.stale == 1 && r.summary.missingDeletes == 1)
        #expect(try await table.latestExtraMetadataValue("deltastreamer.checkpoint.key") == "user_events,0:3")
        #expect(try HudiOracle.read(dir.path).count == 1)
        #expect(try await table.readSnapshot().rows.count == 1)
    }

    /// Decimal(18,2) amounts (the transactions topic) survive a rewrite and read in hudi-rs.
    @Test func transactionsDecimalsRoundTrip() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-decimal")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fields = [
            Field("transaction_id", .string, nullable: false), Field("amount", .decimal(precision: 18, scale: 2), nullable: false),
            Field("currency", .string, nullable: false), Field("timestamp", .timestamp(.micros, isAdjustedToUTC: true), nullable: false),
            Field("event_date", .string, nullable: false),
        ]
        let table = try await HudiTable.create(store: try LocalObjectStore(root: dir), name: "transactions_table", recordKeyField: "transaction_id",
                                               precombineField: "timestamp", partitionField: "event_date", fields: fields)
        func batch(_ ids: [String], _ cents: [Int64], ts: Int64) -> RecordBatch {
            RecordBatch(fields: fields, columns: [
                .strings(ids), .int64(cents), .strings(ids.map { _ in "EUR" }),
                .int64(ids.map { _ in Self.base + ts }), .strings(ids.map { _ in "2026-11-18" }),
            ], recordKeys: ids, partitionValues: ids.map { _ in "2026-11-18" }, orderingValues: ids.map { _ in Self.base + ts })
        }
        try await table.write(batch(["t1", "t2"], [12_345, -5], ts: 0))
        try await table.write(batch(["t2", "t3"], [100_000_000_000, 1], ts: 10))
        let rows = try HudiOracle.read(dir.path)
        let amounts = Dictionary(uniqueKeysWithValues: rows.compactMap { r in r["transaction_id"]?.string.map { ($0, r["amount"]?.string ?? "?") } })
        #expect(amounts == ["t1": "123.45", "t2": "1000000000.00", "t3": "0.01"])
        #expect(sortedRows(try await ourRows(table)) == sortedRows(rows))
    }

    /// Files of a crashed write (inflight, never completed) are rolled back by the next
    /// writer and never read.
    @Test func pendingWriteIsRolledBack() async throws {
        let store = MemoryObjectStore()
        let table = try await HudiTable.create(store: store, name: "user_events_table", recordKeyField: "event_id",
                                               precombineField: "timestamp", partitionField: "event_date", fields: Events.fields)
        let first = try await table.write(Events.batch([record("a"), record("b")]))
        // A crashed writer: requested + inflight + a base file, no completed instant.
        let crashed = InstantTimeGenerator().next(after: first.instant)
        try await store.put(".hoodie/\(crashed).commit.requested", Data())
        try await store.put(".hoodie/\(crashed).inflight", Data())
        let stray = "event_date=2026-11-18/\(BaseFileName(fileId: BaseFileName.newFileId(), instant: crashed).name)"
        try await store.put(stray, Data([1, 2, 3]))
        #expect(try await table.planSnapshot().slices.count == 1)  // not committed: not planned
        try await table.write(Events.batch([record("c", ts: 1)]))
        #expect(try await !store.exists(stray))
        #expect(try await !store.exists(".hoodie/\(crashed).inflight"))
        #expect(try await table.readSnapshot().rows.count == 3)
    }

    /// Two writers completing the same instant: put-if-absent lets only one win.
    @Test func completedInstantIsPutIfAbsent() async throws {
        let store = MemoryObjectStore()
        let table = try await HudiTable.create(store: store, name: "user_events_table", recordKeyField: "event_id",
                                               precombineField: "timestamp", partitionField: "event_date", fields: Events.fields)
        final class FixedClock: @unchecked Sendable { let date = Date(timeIntervalSince1970: 4_000_000_000) }
        let clock = FixedClock()
        let other = try await HudiTable.open(store: store, instantTimes: InstantTimeGenerator(clock: { clock.date }))
        let mine = try await HudiTable.open(store: store, instantTimes: InstantTimeGenerator(clock: { clock.date }))
        _ = table
        try await other.write(Events.batch([record("x")]))
        await other.close()  // one writer at a time: release the lease for the next
        // Same clock, fresh generator, but the timeline floor moves it past the existing instant.
        let r = try await mine.write(Events.batch([record("y")]))
        #expect(r.instant > (try await other.timeline().completedDataCommits.first?.timestamp ?? ""))
        // A forced collision on the requested instant is a conflict, not an overwrite.
        let t = r.instant
        await #expect(throws: ObjectStoreError.self) { try await store.putIfAbsent(".hoodie/\(t).commit", Data()) }
    }

    /// Concurrent writes on one table object are queued, never interleaved.
    @Test func concurrentWritesAreSerialized() async throws {
        let store = MemoryObjectStore()
        let table = try await HudiTable.create(store: store, name: "user_events_table", recordKeyField: "event_id",
                                               precombineField: "timestamp", partitionField: "event_date", fields: Events.fields)
        let results = try await withThrowingTaskGroup(of: CommitResult.self) { group in
            for w in 0..<4 {
                let batch = Events.batch((0..<20).map { record("c\($0)", ts: Int64(w * 100 + $0)) })
                group.addTask { try await table.write(batch) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(results.map(\.instant)).count == 4)
        #expect(results.filter { $0.summary.inserts == 20 }.count == 1)  // only the first inserts; the rest update
        let rows = try await table.readSnapshot()
        #expect(rows.rows.count == 20)
        #expect(try await table.timeline().pending.isEmpty)
    }

    /// The caller can take the instant before writing (for a `_batch_id` column); a stale
    /// one is refused.
    @Test func callerChosenInstant() async throws {
        let table = try await HudiTable.create(store: MemoryObjectStore(), name: "user_events_table", recordKeyField: "event_id",
                                               precombineField: "timestamp", partitionField: "event_date", fields: Events.fields)
        let t = try await table.nextInstantTime()
        let r = try await table.write(Events.batch([record("a")]), instant: t)
        #expect(r.instant == t)
        let rows = try await table.readSnapshot()
        #expect(rows.rows.first?[rows.names.firstIndex(of: "_hoodie_commit_time") ?? 0] == .string(t))
        await #expect(throws: HudiError.self) { try await table.write(Events.batch([record("b")]), instant: t) }
        let next = try await table.write(Events.batch([record("b")]))
        #expect(next.instant > t)
    }

    /// The batch is validated before anything is written.
    @Test func invalidBatchIsRejected() async throws {
        let store = MemoryObjectStore()
        let table = try await HudiTable.create(store: store, name: "user_events_table", recordKeyField: "event_id",
                                               precombineField: "timestamp", partitionField: "event_date", fields: Events.fields)
        var b = Events.batch([record("a")])
        b.orderingValues = []
        await #expect(throws: HudiError.self) { try await table.write(b) }
        var skewed = Events.batch([record("a")])
        skewed.orderingValues = [1]  // disagrees with the timestamp column
        await #expect(throws: HudiError.self) { try await table.write(skewed) }
        #expect(try await table.timeline().instants.isEmpty)
        await #expect(throws: HudiError.self) {
            _ = try await HudiTable.create(store: store, name: "user_events_table", recordKeyField: "event_id",
                                           precombineField: "timestamp", partitionField: "event_date", fields: Events.fields)
        }
    }

    /// DuckDB reads the base files we write (the query layer hands it the file list).
    @Test func duckDBReadsOurFiles() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-duckdb")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await HudiTable.create(store: try LocalObjectStore(root: dir), name: "user_events_table", recordKeyField: "event_id",
                                               precombineField: "timestamp", partitionField: "event_date", fields: Events.fields)
        try await table.write(Events.batch((0..<50).map { record("d\($0)", Int64($0 % 3), ts: Int64($0)) }))
        try await table.write(Events.batch((0..<10).map { record("d\($0)", Int64($0 % 3), ts: 1000 + Int64($0)) }))
        let files = try await table.planSnapshot().filePaths.map { "'" + dir.appendingPathComponent($0).path + "'" }
        let sql = "SELECT count(*), count(DISTINCT _hoodie_record_key), max(_kafka_offset), min(\"timestamp\") FROM read_parquet([\(files.joined(separator: ","))]);"
        let out = try runProcess(TestEnvironment.nativeTool("duckdb"), ["-csv", "-noheader", "-c", sql])
        #expect(out.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "50,50,1009,2026-11-18 11:06:40.000012+00")
    }
}

@Suite struct PlannerTests {
    /// Gathering rows across sources keeps nulls and empty values (including a column whose
    /// values are all empty, with no bytes at all).
    @Test func gatherBytes() throws {
        let a = Column.strings(["x", nil, ""])
        let b = Column.strings(["", "yz"])
        let picks = [RowPick(source: 1, row: 1), RowPick(source: 0, row: 1), RowPick(source: 0, row: 0), RowPick(source: 1, row: 0)]
        let g = try ColumnGather.gather([a, b], picks, type: .byteArray)
        guard case .byteArray(let v) = g.values else { Issue.record("wrong type"); return }
        #expect(v.strings == ["yz", "", "x", ""])
        #expect(g.validity == [true, false, true, true])
        let empty = try ColumnGather.gather([Column.strings(["", nil])], [RowPick(source: 0, row: 0), RowPick(source: 0, row: 1)], type: .byteArray)
        guard case .byteArray(let e) = empty.values else { return }
        #expect(e.count == 2 && e.data.isEmpty)
    }

    /// Inserts fill small files (smallest first, up to the max size) and then new groups
    /// of at most maxFileSize / record size records; updates go to the group holding the
    /// key; a date change deletes in the old group and inserts in the new partition.
    @Test func packsSmallFilesThenSizesNewGroups() {
        var options = WriteOptions()
        options.maxFileSize = 10_000
        options.smallFileLimit = 5_000
        let p = "event_date=2026-11-18"
        let small = FileSlice(partitionPath: p, fileId: "small-0", instant: "20261118000000000", path: "\(p)/a.parquet", size: 4_000)
        let big = FileSlice(partitionPath: p, fileId: "big-0", instant: "20261118000000000", path: "\(p)/b.parquet", size: 6_000)
        let base: Int64 = 1_795_000_000_000_000
        var records = (0..<20).map { EventRecord(eventId: "n\($0)", userId: "u", eventType: "click", timestamp: base, kafkaOffset: 0) }
        records.append(EventRecord(eventId: "old", userId: "u", eventType: "click", timestamp: base + 5, kafkaOffset: 1))
        records.append(EventRecord(eventId: "mover", userId: "u", eventType: "click", timestamp: base + 86_400_000_000, kafkaOffset: 2))
        let batch = Events.batch(records)
        var summary = WritePlanSummary()
        // "old" (batch row 20) and "mover" (21) are stored in rows 3 and 7 of big's file.
        var existing = RecordLocations(count: batch.count)
        existing.slices = [big]
        existing.set(20, slice: 0, baseRow: 3, ordering: base, repeats: nil)
        existing.set(21, slice: 0, baseRow: 7, ordering: base, repeats: nil)
        let partitions = PartitionPathFormatter(config: TableConfig.newTable(
            name: "t", recordKeyFields: ["event_id"], precombineField: "timestamp", partitionFields: ["event_date"], createSchema: nil))
            .partitions(of: batch.partitionValues)
        #expect(partitions.paths == [p, "event_date=2026-11-19"])
        let work = WritePlanner.plan(.init(
            batch: batch, rows: Array(0..<batch.count), partitions: partitions, existing: existing,
            slicesByPartition: [p: [small, big]], averageRecordSize: 1_000, options: options), summary: &summary)
        let byId = Dictionary(uniqueKeysWithValues: work.map { ($0.id.fileId, $0) })
        #expect(byId["small-0"]?.inserts.count == 6)  // (10,000 - 4,000) / 1,000
        #expect(byId["big-0"]?.updates == [RowChange(baseRow: 3, batchRow: 20)])
        #expect(byId["big-0"]?.deletes == [RowChange(baseRow: 7, batchRow: 21)])
        #expect(byId["big-0"]?.inserts.isEmpty == true)  // not a small file
        let fresh = work.filter { $0.base == nil }
        #expect(fresh.filter { $0.id.partitionPath == p }.map(\.inserts.count).sorted() == [4, 10])
        #expect(fresh.filter { $0.id.partitionPath == "event_date=2026-11-19" }.map(\.inserts.count) == [1])
        #expect(summary.inserts == 20 && summary.updates == 1 && summary.moves == 1)
    }
}

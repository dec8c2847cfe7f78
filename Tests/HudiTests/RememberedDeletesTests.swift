import Foundation
import ObjectStore
import Testing
import TributaryCore
import TributaryTesting
@testable import Hudi

/// Deletes are remembered with the commit: an upsert older than a key's delete stays
/// stale after the row is gone — within a batch, across commits, on both table types —
/// until the retention drops the memory. hudi-rs reads only the live rows.
@Suite struct RememberedDeletesTests {
    static let base: Int64 = 1_795_000_000_000_000  // 2026-11-18

    static func record(_ key: String, ts: Int64, delete: Bool = false) -> EventRecord {
        EventRecord(eventId: key, userId: "u", eventType: "click", country: "NL", timestamp: base + ts, kafkaOffset: ts, delete: delete)
    }

    func newTable(_ dir: URL, type: TableType, retention: Double = 7 * 86_400) async throws -> HudiTable {
        var options = WriteOptions()
        options.deleteRetention = retention
        return try await HudiTable.create(store: try LocalObjectStore(root: dir), name: "events_table", recordKeyField: "event_id",
                                          precombineField: "timestamp", partitionField: "event_date", fields: Events.fields,
                                          tableType: type, options: options)
    }

    func keys(_ table: URL) throws -> Set<String> {
        Set(try HudiOracle.read(table.path).compactMap { $0["_hoodie_record_key"]?.string })
    }

    @Test(arguments: [TableType.copyOnWrite, .mergeOnRead])
    func olderUpsertsStayDeletedAcrossCommits(_ type: TableType) async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-remembered-deletes")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await newTable(dir, type: type)
        let r = Self.record
        try await table.write(Events.batch([r("k1", 10, false), r("k2", 10, false), r("k3", 10, false)]))
        // k1 deleted; k9 deleted before the table ever held it; within one batch k4's delete
        // wins over its re-delivered older upsert.
        try await table.write(Events.batch([r("k1", 20, true), r("k9", 20, true), r("k4", 30, false), r("k4", 40, true), r("k4", 35, false)]))
        #expect(try keys(dir) == ["k2", "k3"])

        // Re-deliveries of older events (a connector restart): none brings a row back.
        let stale = try await table.write(Events.batch([r("k1", 15, false), r("k9", 5, false), r("k4", 38, false), r("k2", 5, false)]))
        #expect(stale.summary.stale == 4)
        #expect(stale.summary.inserts == 0)
        #expect(try keys(dir) == ["k2", "k3"])
        #expect(try await ourRows(table).compactMap { $0["_hoodie_record_key"]?.string }.sorted() == ["k2", "k3"])

        // Newer upserts are new rows again; an equal ordering value goes to the later write.
        try await table.write(Events.batch([r("k1", 25, false), r("k9", 20, false)]))
        #expect(try keys(dir) == ["k1", "k2", "k3", "k9"])

        // The memory is in the table folder, named by the commit that stored it, and no reader sees it.
        let pointer = try #require(try await table.latestExtraMetadataValue(RememberedDeletes.metadataKey))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(RememberedDeletes.folder).path)
        #expect(files.contains("\(pointer).parquet"))
        #expect(try HudiOracle.files(dir.path).allSatisfy { !$0.hasPrefix(".hoodie") })
    }

    @Test func aDeleteOfAnAbandonedCommitIsNotRemembered() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-remembered-abandoned")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await newTable(dir, type: .copyOnWrite)
        let r = Self.record
        try await table.write(Events.batch([r("k1", 10, false)]))
        struct Refused: Error {}
        let refuse = CommitCheck(keys: []) { _ in throw Refused() }
        await #expect(throws: Refused.self) { try await table.write(Events.batch([r("k1", 20, true)]), check: refuse) }
        #expect(try keys(dir) == ["k1"])
        // Its memory file may exist, but no commit names it: an older upsert still applies.
        let result = try await table.write(Events.batch([r("k1", 15, false)]))
        #expect(result.summary.updates == 1 && result.summary.stale == 0)
        // A fresh writer (no cache) reads the same memory from the table.
        try await table.write(Events.batch([r("k1", 30, true)]))
        await table.close()
        let reopened = try await HudiTable.open(store: try LocalObjectStore(root: dir))
        let stale = try await reopened.write(Events.batch([r("k1", 25, false)]))
        #expect(stale.summary.stale == 1)
        #expect(try keys(dir).isEmpty)
    }

    /// Two optimistic writers (as two processors) delete different keys, both planned before
    /// either commits: both commit (the later one rebases its memory onto the earlier's),
    /// and the memory in force remembers both deletes.
    @Test func concurrentWritersBothRememberTheirDeletes() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-remembered-concurrent")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = WriteOptions()
        options.concurrency = .optimistic
        let store = try LocalObjectStore(root: dir)
        let setup = try await HudiTable.create(store: store, name: "events_table", recordKeyField: "event_id", precombineField: "timestamp",
                                               partitionField: "event_date", fields: Events.fields, options: options)
        let r = Self.record
        // Each key in a file group of its own (optimistic writers insert into new groups), so
        // the two writers below touch different groups.
        for key in ["a1", "b1", "c1"] { try await setup.write(Events.batch([r(key, 10, false)])) }
        try await setup.write(Events.batch([r("c1", 20, true)]))
        let gate = Gate()
        let a = try await HudiTable.open(store: GatedStore(base: store, gate: gate), options: options)
        let b = try await HudiTable.open(store: GatedStore(base: store, gate: gate), options: options)
        async let ra = a.write(Events.batch([r("a1", 20, true), r("a9", 20, true)]))
        async let rb = b.write(Events.batch([r("b1", 20, true)]))
        while await gate.arrivals < 2 { try await Task.sleep(for: .milliseconds(2)) }
        await gate.open()
        let (x, y) = try await (ra, rb)
        #expect(x.instant != y.instant)
        #expect(try keys(dir).isEmpty)
        // Re-deliveries of older upserts of every deleted key stay deleted, through a fresh reader of the memory.
        let reopened = try await HudiTable.open(store: store, options: options)
        let stale = try await reopened.write(Events.batch([r("a1", 15, false), r("a9", 15, false), r("b1", 15, false), r("c1", 15, false)]))
        #expect(stale.summary.stale == 4 && stale.summary.inserts == 0, "\(stale.summary)")
        #expect(try keys(dir).isEmpty)
    }

    @Test func theRetentionForgetsOldDeletesWhenTheMemoryIsNextWritten() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-remembered-retention")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await newTable(dir, type: .copyOnWrite, retention: 1)
        let r = Self.record
        try await table.write(Events.batch([r("k1", 10, false), r("k2", 10, false)]))
        try await table.write(Events.batch([r("k1", 20, true)]))
        try await Task.sleep(for: .milliseconds(1_200))
        try await table.write(Events.batch([r("k2", 20, true)]))
        let result = try await table.write(Events.batch([r("k1", 15, false), r("k2", 15, false)]))
        #expect(result.summary.inserts == 1 && result.summary.stale == 1)
        #expect(try keys(dir) == ["k1"])
        // Only the memory in force and the one before it are kept.
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(RememberedDeletes.folder).path)
        #expect(files.count <= 2)
    }

    @Test func aTableWithoutOrderingRemembersNothing() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-remembered-none")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await HudiTable.create(store: try LocalObjectStore(root: dir), name: "events_table", recordKeyField: "event_id",
                                               precombineField: nil, partitionField: "event_date", fields: Events.fields)
        let r = Self.record
        try await table.write(Events.batch([r("k1", 10, false)]).withoutOrdering)
        try await table.write(Events.batch([r("k1", 20, true)]).withoutOrdering)
        try await table.write(Events.batch([r("k1", 15, false)]).withoutOrdering)
        #expect(try keys(dir) == ["k1"])
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(RememberedDeletes.folder).path))
    }
}

extension RecordBatch {
    /// The batch as a table without an ordering field takes it (every ordering value 0).
    var withoutOrdering: RecordBatch {
        var copy = self
        copy.orderingValues = [Int64](repeating: 0, count: count)
        return copy
    }
}

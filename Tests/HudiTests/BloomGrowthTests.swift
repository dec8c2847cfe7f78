import Foundation
import ObjectStore
import Testing
import TributaryCore
@testable import Hudi

/// Upserts find every key of a file group whose DYNAMIC_V0 filter grew rows (keys past
/// `bloomNumEntries`) or reached its maximum (past `bloomMaxEntries`, round robin).
@Suite struct BloomGrowthTests {
    static let fields = [Field("k", .string, nullable: false), Field("ts", .int64, nullable: false), Field("v", .string)]

    static func batch(_ ids: [Int], version: Int64) -> RecordBatch {
        let keys = ids.map { "key-\($0 * 7919 % 1_000_003)" }
        return RecordBatch(fields: fields, columns: [.strings(keys), .int64(ids.map { _ in version }), .strings(ids.map { _ in "v\(version)" })],
                           recordKeys: keys, partitionValues: ids.map { _ in "" }, orderingValues: ids.map { _ in version })
    }

    @Test(arguments: [(150, 100, 250), (400, 100, 250), (1_000, 100, 250), (100_000, 60_000, 100_000)])
    func upsertFindsKeysOfGrownFilters(rows: Int, entries: Int, maxEntries: Int) async throws {
        var options = WriteOptions()
        options.bloomNumEntries = entries
        options.bloomMaxEntries = maxEntries
        options.smallFileLimit = 0
        let table = try await HudiTable.create(store: MemoryObjectStore(), name: "t", recordKeyField: "k", precombineField: "ts",
                                               partitionField: nil, fields: Self.fields, options: options)
        let inserted = try await table.write(Self.batch(Array(0..<rows), version: 1), operation: .insert)
        #expect(inserted.summary.inserts == rows)
        let upserted = try await table.write(Self.batch(Array(0..<rows), version: 2), operation: .upsert)
        #expect(upserted.summary.updates == rows)
        #expect(upserted.summary.inserts == 0)
        // A fresh open reads the filters from the footers instead of the writer's cache.
        await table.close()
        let reopened = try await HudiTable.open(store: table.store, options: options)
        let again = try await reopened.write(Self.batch(Array(0..<rows), version: 3), operation: .upsert)
        #expect(again.summary.updates == rows)
        #expect(try await reopened.readSnapshot().rows.count == rows)
        await reopened.close()
    }
}

/// The index finds every key even when its footer/key cache holds fewer keys than the
/// files it must check (it evicts while loading): a skipped file would make its keys'
/// updates duplicate inserts in another group (seen at 10M rows with the 5M-key cache).
@Suite struct IndexCacheEvictionTests {
    @Test func lookupFindsKeysBeyondTheCacheBound() async throws {
        var options = WriteOptions()
        options.smallFileLimit = 0
        let store = MemoryObjectStore()
        let table = try await HudiTable.create(store: store, name: "t", recordKeyField: "k", precombineField: "ts",
                                               partitionField: "p", fields: BloomGrowthTests.fields + [Field("p", .string, nullable: false)],
                                               options: options)
        let ids = Array(0..<300)
        let base = BloomGrowthTests.batch(ids, version: 1)
        let partitions = ids.map { "p\($0 % 3)" }
        let batch = RecordBatch(fields: base.fields + [Field("p", .string, nullable: false)], columns: base.columns + [.strings(partitions)],
                                recordKeys: base.recordKeys, partitionValues: ByteArrays(strings: partitions), orderingValues: base.orderingValues)
        _ = try await table.write(batch, operation: .insert)
        let slices = try await table.planSnapshot().slices
        #expect(slices.count == 3)
        let index = BloomIndex(store: store, cache: FooterCache(maxCachedKeys: 150), precombineField: "ts")
        let (found, stats) = try await index.lookup(keys: batch.recordKeys, rows: ids, slices: slices)
        #expect(stats.keyFilesLoaded == 3)
        #expect(ids.filter { found.location(of: $0) == nil }.isEmpty)
        await table.close()
    }
}

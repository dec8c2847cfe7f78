import Foundation
import Hudi
import ObjectStore
import Testing
import TributaryTesting
@testable import Query

/// Views over merge-on-read tables give merged snapshots: equal to hudi-rs's merged reads,
/// at the latest commit and as of every earlier one, without compaction.
@Suite(.serialized) struct MergeOnReadQueryTests {
    @Test func mergedViewsEqualHudiRs() async throws {
        var lake = try TestLake(tableType: .mergeOnRead)
        try await lake.commit(0..<40, version: 1)
        try await lake.commit(20..<60, version: 2)          // updates to logs, new keys to base files
        try await lake.commit(stride(from: 0, to: 30, by: 4), version: 3, delete: true)
        try await lake.commit(stride(from: 1, to: 80, by: 3), version: 4)
        let table = try await HudiTable.open(store: LocalObjectStore(root: URL(fileURLWithPath: lake.tablePath)))
        #expect(table.tableType == .mergeOnRead)
        #expect(try await table.planSnapshot().hasLogFiles)
        let service = try makeService(lake)
        let expected = try Oracle.rows(lake.tablePath, columns: comparedColumns)
        #expect(expected.count == 62)  // 0..<60 and 61...79 by 3 (7), minus 8 deleted keys, 3 of them re-inserted
        let latest = try await service.query(comparedSelect(), options: QueryOptions(includeMetaColumns: true))
        #expect(jsonLines(latest) == expected)
        for instant in lake.instants {
            let ours = try await service.query(comparedSelect(), options: QueryOptions(asOf: instant, includeMetaColumns: true))
            #expect(jsonLines(ours) == (try Oracle.rows(lake.tablePath, columns: comparedColumns, asOf: instant)), "as of \(instant)")
        }
        // After compaction the same rows come from base files alone.
        _ = try await table.compact()
        #expect(try await table.planSnapshot().hasLogFiles == false)
        #expect(jsonLines(try await service.query(comparedSelect(), options: QueryOptions(includeMetaColumns: true))) == expected)
        #expect(try Oracle.rows(lake.tablePath, columns: comparedColumns) == expected)
        await service.pool.shutdown()
    }

    /// The views merge exactly as our merged reader and hudi-rs do: updates, deletes (one
    /// older than its row loses), late updates with a lower ordering value (they lose),
    /// equal ordering values (the later commit wins), a failed delta commit rolled back with
    /// a command block, at the latest instant, as of every instant, and incrementally —
    /// with all base files in one anti join, and with each in its own (`mergeChunkBytes`).
    @Test(arguments: [MergeOnReadView.defaultChunkBytes, 1])
    func viewsMergeLikeOurReaderAndHudiRs(chunkBytes: Int) async throws {
        var events = try await MergeOnReadEvents()
        try await events.write(0..<40, ts: 10, value: 1)
        try await events.write(0..<20, ts: 20, value: 2)           // updates: logs
        try await events.write(10..<30, ts: 5, value: 3)           // late: lower ordering values lose
        try await events.write(30..<35, ts: 10, value: 4)          // equal ordering values: the later commit wins
        try await events.write(0..<6, ts: 100, value: 0, delete: true)
        try await events.write(6..<9, ts: 1, value: 0, delete: true)  // deletes older than their rows lose
        try await events.writeRolledBack(20..<40, ts: 500)          // failed: its blocks never count
        try await events.write(35..<45, ts: 50, value: 5)           // rolls the failed one back; new keys too
        let slices = try await events.table.planSnapshot().slices
        var rollbacks = 0
        for log in slices.flatMap(\.logFiles) { rollbacks += try await events.table.extractLogBlocks(log).filter { $0.rollbackTarget != nil }.count }
        #expect(rollbacks > 0)
        var configuration = testConfiguration()
        configuration.mergeChunkBytes = chunkBytes
        let service = try QueryService(lake: try LocalObjectStore(root: events.root), configuration: configuration)
        let select = "SELECT _hoodie_commit_time, event_id, \"value\", epoch_us(ts) AS ts, day FROM events"
        let latest = jsonLines(try await service.query(select, options: QueryOptions(includeMetaColumns: true)))
        #expect(latest.count == 39)  // 45 keys, 6 deleted
        #expect(latest == (try await events.ourRows()))
        #expect(latest == (try Oracle.rows(events.tablePath, columns: MergeOnReadEvents.columns)))
        for instant in events.instants {
            let asOf = jsonLines(try await service.query(select, options: QueryOptions(asOf: instant, includeMetaColumns: true)))
            #expect(asOf == (try await events.ourRows(asOf: instant)), "as of \(instant)")
            #expect(asOf == (try Oracle.rows(events.tablePath, columns: MergeOnReadEvents.columns, asOf: instant)), "as of \(instant)")
        }
        let (since, until) = (events.instants[1], events.instants[4])
        let incremental = jsonLines(try await service.query(select, options: QueryOptions(since: since, until: until, includeMetaColumns: true)))
        #expect(!incremental.isEmpty)
        #expect(incremental == (try await events.ourRows(since: since, until: until)))
        await service.pool.shutdown()
    }

    /// Extracted log block files are deleted once no view names them, but never while a
    /// query may read them: a previous run's old files go on the first query, unused ones
    /// only after the grace period, the current views' files never; a view whose file
    /// vanished is re-planned and the blocks extracted again.
    @Test func unusedLogBlockFilesAreDeleted() async throws {
        var lake = try TestLake(tableType: .mergeOnRead)
        try await lake.commit(0..<40, version: 1)
        try await lake.commit(0..<10, version: 2)  // logs in every file group
        let cacheDirectory = try TestEnvironment.temporaryDirectory("log-block-cache")
        let folder = cacheDirectory.appendingPathComponent("log-blocks/user_events")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // What a previous run left: one file unused for two hours, one just written.
        let stale = folder.appendingPathComponent("stale.parquet"), recent = folder.appendingPathComponent("recent.parquet")
        try Data("x".utf8).write(to: stale)
        try Data("x".utf8).write(to: recent)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-7200)], ofItemAtPath: stale.path)
        func files() throws -> Set<String> {
            Set(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }
                .map { folder.appendingPathComponent($0).standardizedFileURL.path })
        }
        let service = try makeService(lake, cacheDirectory: cacheDirectory)
        let count = "SELECT count(*) AS n FROM user_events"
        #expect(try await service.query(count).rows == [[.int(40)]])
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        #expect(FileManager.default.fileExists(atPath: recent.path))
        let first = try files().subtracting([recent.standardizedFileURL.path])
        #expect(!first.isEmpty)

        // A time-travel query to before the logs extracts nothing new and keeps them.
        _ = try await service.query(count, options: QueryOptions(asOf: lake.instants[0]))
        // A new delta commit adds blocks; the first ones are still read.
        try await lake.commit(0..<10, version: 3)
        #expect(try await service.query(count).rows == [[.int(40)]])
        let second = try files().subtracting(first).subtracting([recent.standardizedFileURL.path])
        #expect(!second.isEmpty)
        #expect(await service.catalog.sweepLogBlockFiles().isEmpty)

        // Past the grace period: everything but the current view's files is deleted — the
        // first commit's blocks are still read, the merge decided on them alone is not.
        let firstDecision = first.filter { ($0 as NSString).lastPathComponent.hasPrefix("decided-") }
        #expect(firstDecision.count == 2)
        let deleted = await service.catalog.sweepLogBlockFiles(now: Date().addingTimeInterval(7200))
        #expect(Set(deleted) == firstDecision.union([recent.standardizedFileURL.path]))
        #expect(try files() == first.subtracting(firstDecision).union(second))
        // Compaction: the view reads base files alone, the extracted blocks go after the grace period.
        _ = try await HudiTable.open(store: LocalObjectStore(root: URL(fileURLWithPath: lake.tablePath))).compact()
        let expected = try Oracle.rows(lake.tablePath, columns: comparedColumns)
        #expect(jsonLines(try await service.query(comparedSelect(), options: QueryOptions(includeMetaColumns: true))) == expected)
        #expect(Set(await service.catalog.sweepLogBlockFiles(now: Date().addingTimeInterval(7200))) == first.subtracting(firstDecision).union(second))
        await service.pool.shutdown()
    }

    /// A view's extracted file deleted behind its back is extracted again.
    @Test func vanishedLogBlockFilesAreExtractedAgain() async throws {
        var lake = try TestLake(tableType: .mergeOnRead)
        try await lake.commit(0..<40, version: 1)
        try await lake.commit(stride(from: 0, to: 40, by: 3), version: 2)
        let cacheDirectory = try TestEnvironment.temporaryDirectory("log-block-cache")
        let folder = cacheDirectory.appendingPathComponent("log-blocks/user_events")
        let service = try makeService(lake, cacheDirectory: cacheDirectory)
        let expected = try Oracle.rows(lake.tablePath, columns: comparedColumns)
        #expect(jsonLines(try await service.query(comparedSelect(), options: QueryOptions(includeMetaColumns: true))) == expected)
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".parquet") {
            try FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
        #expect(jsonLines(try await service.query(comparedSelect(), options: QueryOptions(includeMetaColumns: true))) == expected)
        await service.pool.shutdown()
    }
}

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

    /// Merged slice files are deleted once superseded, but never while a query may read
    /// them: a previous run's old files go on the first query, superseded ones only after the
    /// grace period, the current views' files never; a view whose file vanished is re-planned.
    @Test func supersededMergedFilesAreDeleted() async throws {
        var lake = try TestLake(tableType: .mergeOnRead)
        try await lake.commit(0..<40, version: 1)
        try await lake.commit(0..<10, version: 2)  // logs in every file group
        let cacheDirectory = try TestEnvironment.temporaryDirectory("merged-cache")
        let folder = cacheDirectory.appendingPathComponent("merged-slices/user_events")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // What a previous run left: one file unused for two hours, one just written.
        let stale = folder.appendingPathComponent("stale.parquet"), recent = folder.appendingPathComponent("recent.parquet")
        try Data("x".utf8).write(to: stale)
        try Data("x".utf8).write(to: recent)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-7200)], ofItemAtPath: stale.path)
        func files() throws -> Set<String> {
            Set(try FileManager.default.contentsOfDirectory(atPath: folder.path).map { folder.appendingPathComponent($0).standardizedFileURL.path })
        }
        let service = try makeService(lake, cacheDirectory: cacheDirectory)
        let count = "SELECT count(*) AS n FROM user_events"
        #expect(try await service.query(count).rows == [[.int(40)]])
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        #expect(FileManager.default.fileExists(atPath: recent.path))
        let first = try files().subtracting([recent.standardizedFileURL.path])
        #expect(!first.isEmpty)

        // A new delta commit supersedes them; within the grace period they stay (a query
        // that began before may still read them).
        try await lake.commit(0..<10, version: 3)
        #expect(try await service.query(count).rows == [[.int(40)]])
        let second = try files().subtracting(first).subtracting([recent.standardizedFileURL.path])
        #expect(!second.isEmpty)
        #expect(try files().isSuperset(of: first))
        #expect(await service.catalog.sweepMergedFiles().isEmpty)

        // Past the grace period: everything but the current view's files is deleted.
        let deleted = await service.catalog.sweepMergedFiles(now: Date().addingTimeInterval(7200))
        #expect(Set(deleted) == first.union([recent.standardizedFileURL.path]))
        #expect(try files() == second)
        let expected = try Oracle.rows(lake.tablePath, columns: comparedColumns)
        #expect(jsonLines(try await service.query(comparedSelect(), options: QueryOptions(includeMetaColumns: true))) == expected)

        // A view's merged file deleted behind its back is made again.
        for path in second { try FileManager.default.removeItem(atPath: path) }
        #expect(jsonLines(try await service.query(comparedSelect(), options: QueryOptions(includeMetaColumns: true))) == expected)
        #expect(try files() == second)
        await service.pool.shutdown()
    }
}

import Foundation
import Hudi
import ObjectStore
import Testing
import TributaryTesting
@testable import Query

/// Merge-on-read views prepared when a delta commit lands (``ViewPreparer``): the first
/// query after the commit extracts nothing and decides nothing, and queries never depend
/// on the preparation.
@Suite(.serialized) struct ViewPreparationTests {
    /// The extracted log blocks and merge decisions of the table's view, by file name.
    static func extracted(_ cacheDirectory: URL) throws -> Set<String> {
        let folder = cacheDirectory.appendingPathComponent("log-blocks/user_events")
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        return Set(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".parquet") })
    }

    @Test func preparedViewsLeaveTheFirstQueryNothingToExtract() async throws {
        var lake = try TestLake(tableType: .mergeOnRead)
        try await lake.commit(0..<40, version: 1)
        let cacheDirectory = try TestEnvironment.temporaryDirectory("prepared-views")
        let service = try makeService(lake, cacheDirectory: cacheDirectory)
        for version in 2...3 {
            try await lake.commit(stride(from: version, to: 40, by: 3), version: version)  // a delta commit: logs
            let before = try Self.extracted(cacheDirectory)
            try await service.catalog.prepareMergeOnReadViews()
            let prepared = try Self.extracted(cacheDirectory)
            // One data file of the new blocks and the new decision (losing and winning rows).
            #expect(prepared.subtracting(before).count == 3, "after delta commit \(version)")
            #expect(prepared.subtracting(before).filter { $0.hasPrefix("decided-") }.count == 2)
            let rows = jsonLines(try await service.query(comparedSelect(), options: QueryOptions(includeMetaColumns: true)))
            #expect(rows == (try Oracle.rows(lake.tablePath, columns: comparedColumns)))
            #expect(try Self.extracted(cacheDirectory) == prepared, "the query extracted or decided again")
        }
        await service.pool.shutdown()
    }

    /// A query arriving while the preparation runs waits for it instead of extracting the
    /// same blocks again, and sees the commit.
    @Test func aQueryDuringThePreparationSharesIt() async throws {
        var lake = try TestLake(tableType: .mergeOnRead)
        try await lake.commit(0..<40, version: 1)
        try await lake.commit(stride(from: 0, to: 40, by: 2), version: 2)
        let cacheDirectory = try TestEnvironment.temporaryDirectory("prepared-views")
        let service = try makeService(lake, cacheDirectory: cacheDirectory)
        async let preparation: Void = service.catalog.prepareMergeOnReadViews()
        async let queried = service.query(comparedSelect(), options: QueryOptions(includeMetaColumns: true))
        let rows = jsonLines(try await queried)
        try await preparation
        #expect(rows == (try Oracle.rows(lake.tablePath, columns: comparedColumns)))
        #expect(try Self.extracted(cacheDirectory).filter { $0.hasSuffix(".data.parquet") }.count == 1)
        await service.pool.shutdown()
    }

    /// The service run beside the pool prepares a delta commit's view on its own.
    @Test func thePreparerServiceWatchesTheTimeline() async throws {
        var lake = try TestLake(tableType: .mergeOnRead)
        try await lake.commit(0..<40, version: 1)
        let cacheDirectory = try TestEnvironment.temporaryDirectory("prepared-views")
        var configuration = testConfiguration()
        configuration.cacheDirectory = cacheDirectory
        configuration.prepareInterval = .milliseconds(50)
        let service = try QueryService(lake: lake.store, configuration: configuration)
        let running = Task { try await service.preparer.run() }
        try await lake.commit(stride(from: 1, to: 40, by: 4), version: 2)
        let deadline = Date().addingTimeInterval(60)
        while try Self.extracted(cacheDirectory).filter({ $0.hasPrefix("decided-") }).isEmpty, Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let prepared = try Self.extracted(cacheDirectory)
        #expect(prepared.filter { $0.hasPrefix("decided-") }.count == 2)
        running.cancel()
        _ = try? await running.value
        #expect(jsonLines(try await service.query(comparedSelect(), options: QueryOptions(includeMetaColumns: true)))
                == (try Oracle.rows(lake.tablePath, columns: comparedColumns)))
        #expect(try Self.extracted(cacheDirectory) == prepared)
        await service.pool.shutdown()
    }

    /// The merged-slice files of earlier versions' views are removed when the service starts.
    @Test func formerMergedSlicesAreRemoved() async throws {
        let lake = try TestLake(tableType: .mergeOnRead)
        let cacheDirectory = try TestEnvironment.temporaryDirectory("prepared-views")
        let former = cacheDirectory.appendingPathComponent("merged-slices/user_events")
        try FileManager.default.createDirectory(at: former, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: former.appendingPathComponent("slice.parquet"))
        let kept = cacheDirectory.appendingPathComponent("log-blocks/user_events/recent.parquet")
        try FileManager.default.createDirectory(at: kept.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: kept)
        let service = try makeService(lake, cacheDirectory: cacheDirectory)
        #expect(!FileManager.default.fileExists(atPath: cacheDirectory.appendingPathComponent("merged-slices").path))
        #expect(FileManager.default.fileExists(atPath: kept.path))
        await service.pool.shutdown()
    }
}

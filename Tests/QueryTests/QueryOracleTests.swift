import Foundation
import Hudi
import ObjectStore
import Testing
import TributaryTesting
@testable import Query

/// Our views against hudi-rs's reads of the same processor-written table.
@Suite(.serialized) struct QueryOracleTests {
    /// Four commits: inserts, overlapping upserts (files rewritten), new keys.
    static func fourCommitLake() async throws -> TestLake {
        var lake = try TestLake()
        try await lake.commit(0..<40, version: 1)
        try await lake.commit(20..<60, version: 2)
        try await lake.commit(stride(from: 0, to: 80, by: 3), version: 3)
        try await lake.commit(70..<90, version: 4)
        return lake
    }

    @Test func snapshotAndEveryAsOfEqualHudiRs() async throws {
        let lake = try await Self.fourCommitLake()
        let service = try makeService(lake)
        let latest = try await service.query(comparedSelect(), options: QueryOptions(includeMetaColumns: true))
        let expected = try Oracle.rows(lake.tablePath, columns: comparedColumns)
        #expect(expected.count == 84)  // 0..<60, 60...69 by 3, 70..<90
        #expect(jsonLines(latest) == expected)
        for instant in lake.instants {
            let ours = try await service.query(comparedSelect(), options: QueryOptions(asOf: instant, includeMetaColumns: true))
            let theirs = try Oracle.rows(lake.tablePath, columns: comparedColumns, asOf: instant)
            #expect(!theirs.isEmpty)
            #expect(jsonLines(ours) == theirs, "as of \(instant)")
        }
        // The view's file list is hudi-rs's snapshot file list.
        let table = try await HudiTable.open(store: LocalObjectStore(root: URL(fileURLWithPath: lake.tablePath)))
        #expect(try await table.planSnapshot().filePaths == Oracle.files(lake.tablePath))
        await service.pool.shutdown()
    }

    @Test func incrementalRangesEqualHudiRs() async throws {
        let lake = try await Self.fourCommitLake()
        let service = try makeService(lake)
        let i = lake.instants
        let ranges: [(String, String?)] = [(i[0], nil), (i[0], i[1]), (i[1], i[2]), (i[0], i[2]), (i[2], i[3]), (i[3], nil)]
        for (since, until) in ranges {
            let ours = try await service.query(comparedSelect(), options: QueryOptions(since: since, until: until, includeMetaColumns: true))
            let theirs = try Oracle.rows(lake.tablePath, columns: comparedColumns, since: since, until: until)
            #expect(jsonLines(ours) == theirs, "since \(since) until \(until ?? "latest")")
            let table = try await HudiTable.open(store: LocalObjectStore(root: URL(fileURLWithPath: lake.tablePath)))
            let plan = try await table.planIncremental(since: since, until: until)
            #expect(plan.filePaths == (try Oracle.files(lake.tablePath, since: since, until: until)), "files since \(since)")
        }
        // Nothing after the last commit: empty, with the table's columns.
        let none = try await service.query("SELECT * FROM user_events", options: QueryOptions(since: i[3]))
        #expect(none.rows.isEmpty)
        #expect(none.columns.contains { $0.name == "event_id" })
        // The range's rows carry only commit times inside it.
        let mid = try await service.query("SELECT DISTINCT _hoodie_commit_time AS t FROM user_events ORDER BY t",
                                          options: QueryOptions(since: i[0], until: i[2], includeMetaColumns: true))
        #expect(mid.rows == [[.string(i[1])], [.string(i[2])]])
        await service.pool.shutdown()
    }

    @Test func metaColumnsHiddenUnlessAskedAndViewsFollowNewCommits() async throws {
        var lake = try TestLake()
        try await lake.commit(0..<10, version: 1)
        let service = try makeService(lake)
        let plain = try await service.query("SELECT * FROM user_events LIMIT 1")
        #expect(!plain.columns.isEmpty)
        #expect(!plain.columns.contains { $0.name.hasPrefix("_hoodie_") })
        #expect(plain.columns.first { $0.name == "timestamp" }?.type == "TIMESTAMP WITH TIME ZONE")
        let meta = try await service.query("SELECT * FROM user_events LIMIT 1", options: QueryOptions(includeMetaColumns: true))
        #expect(meta.columns.prefix(5).map(\.name) == ["_hoodie_commit_time", "_hoodie_commit_seqno", "_hoodie_record_key",
                                                        "_hoodie_partition_path", "_hoodie_file_name"])
        // The temporary views are gone again: the next plain query hides them.
        let after = try await service.query("SELECT * FROM user_events LIMIT 1")
        #expect(after.columns == plain.columns)
        #expect(try await service.query("SELECT count(*) AS n FROM user_events").rows == [[.int(10)]])
        try await lake.commit(5..<25, version: 2)
        #expect(try await service.query("SELECT count(*) AS n FROM user_events").rows == [[.int(25)]])
        #expect(try await service.tables() == ["user_events"])
        await service.pool.shutdown()
    }

    /// The seed de-duplicated every Parquet file of a table with ROW_NUMBER(); with only
    /// upserts that equals the snapshot, after deletes it resurrects deleted rows.
    @Test func seedRowNumberPatternVersusSnapshotViews() async throws {
        var lake = try TestLake()
        try await lake.commit(0..<30, version: 1)
        try await lake.commit(10..<40, version: 2)
        let service = try makeService(lake)
        let raw = rawDuckDB()
        defer { raw.terminate() }
        let keys = "SELECT event_id, event_type, page FROM "
        let seed = """
            SELECT event_id, event_type, page FROM (
              SELECT *, ROW_NUMBER() OVER (PARTITION BY _hoodie_record_key ORDER BY _hoodie_commit_time DESC) AS rn
              FROM read_parquet('\(lake.tablePath)/**/*.parquet', hive_partitioning=false, union_by_name=true)
            ) WHERE rn = 1;
            """
        func seedRows() async throws -> [String] {
            try await raw.run(seed).lines.map { String(decoding: $0, as: UTF8.self) }.sorted()
        }
        let ours = jsonLines(try await service.query(keys + "user_events"))
        #expect(ours.count == 40)
        #expect(try await seedRows() == ours)

        try await lake.commit([3, 15, 35], version: 3, delete: true)
        let oursAfter = jsonLines(try await service.query(keys + "user_events"))
        let seedAfter = try await seedRows()
        #expect(oursAfter.count == 37)
        #expect(!oursAfter.contains { $0.contains("\"e15\"") })
        // The seed's pattern still returns the deleted records (from the older files).
        #expect(seedAfter.count == 40)
        #expect(seedAfter.contains { $0.contains("\"e15\"") })
        #expect(Set(oursAfter).isSubset(of: Set(seedAfter)))
        // And ours is hudi-rs's answer.
        let oracle = try Oracle.rows(lake.tablePath, columns: ["event_id", "event_type", "page"])
        #expect(oursAfter == oracle)
        await service.pool.shutdown()
    }

    /// An S3-like lake (here in memory): only the snapshot's files are fetched into the
    /// local cache, and the answers equal the local lake's.
    @Test func remoteLakeReadsThroughTheFileCache() async throws {
        var lake = try TestLake(store: MemoryObjectStore())
        try await lake.commit(0..<30, version: 1)
        try await lake.commit(0..<30, version: 2)
        let cacheDir = try TestEnvironment.temporaryDirectory("query-cache")
        let service = try makeService(lake, cacheDirectory: cacheDir)
        let r = try await service.query("SELECT count(*) AS n, min(page) AS p FROM user_events")
        #expect(r.rows == [[.int(30), .string("/p/0/2")]])
        let table = try await HudiTable.open(store: lake.store.scoped(to: "user_events"))
        let snapshot = try await table.planSnapshot().filePaths.map { "user_events/" + $0 }
        let cached = try #require(service.cache)
        // Every key rewritten by commit 2: commit 1's files were never fetched.
        #expect(await cached.cachedKeys == Set(snapshot))
        let old = try await service.query("SELECT count(*) AS n, min(page) AS p FROM user_events",
                                          options: QueryOptions(asOf: lake.instants[0]))
        #expect(old.rows == [[.int(30), .string("/p/0/1")]])
        #expect(await cached.cachedKeys.count == snapshot.count * 2)
        await service.pool.shutdown()
    }
}

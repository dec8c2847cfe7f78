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
}

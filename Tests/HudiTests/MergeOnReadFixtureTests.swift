import Foundation
import ObjectStore
import Testing
import TributaryTesting
@testable import Hudi

/// Spark-written merge-on-read tables (hudi-rs's test data, `fixtures/mor/`): our merged
/// reader equals hudi-rs, latest and as of every instant.
@Suite struct MergeOnReadFixtureTests {
    static let names = [
        "v6_simplekeygen_nonhivestyle", "v6_complexkeygen_hivestyle", "v6_nonpartitioned", "v6_nonpartitioned_rollback",
        "v6_simplekeygen_nonhivestyle_overwritetable", "v6_simplekeygen_hivestyle_no_metafields", "v6_empty",
    ]

    static func unzip(_ name: String) throws -> (dir: URL, table: URL) {
        try unzipTable(TestEnvironment.packageRoot.appendingPathComponent("Tests/HudiTests/fixtures/mor/\(name).zip"), name: name)
    }

    @Test(arguments: names) func mergedSnapshotEqualsHudiRs(_ name: String) async throws {
        let (dir, path) = try Self.unzip(name)
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await HudiTable.open(store: try LocalObjectStore(root: path, create: false))
        #expect(table.tableType == .mergeOnRead)
        let instants = try await table.timeline().completedDataCommits.map(\.timestamp)
        for asOf in [nil] + instants.map(Optional.some) {
            let theirs = sortedRows(try HudiOracle.read(path.path, asOf: asOf, drop: []))
            let ours = sortedRows(try await ourRows(table, asOf: asOf, drop: []))
            #expect(ours == theirs, "\(name) as of \(asOf ?? "latest"): \(ours.count) rows vs hudi-rs \(theirs.count)")
        }
        if !name.hasSuffix("empty") { #expect(!(try await ourRows(table)).isEmpty) }
    }
}

import Foundation
import ObjectStore
import Testing
import TributaryCore
@testable import Hudi

/// The pure planners (``SlicePlanner``, ``Cleaner/plan(timeline:listing:replaced:retained:)``)
/// from values only, and the file-system view's log-file parsing: no table on storage.
@Suite struct PlanningTests {
    static let t1 = "20261118100000000", t2 = "20261118110000000", t3 = "20261118120000000", t4 = "20261118130000000"

    static func timeline(_ instants: [(String, String, InstantState)]) -> Timeline {
        Timeline(instants: instants.map { Instant(timestamp: $0.0, action: $0.1, state: $0.2) }, folder: ".hoodie", layoutVersion: 1)
    }

    /// Groups `a` (slices at t1, t2, t4) and `b` (t1, t3) in partition `p`.
    static func listing() -> FileSystemView.Listing {
        var out: FileSystemView.Listing = [:]
        for (file, stamps) in [("a-0", [t1, t2, t4]), ("b-0", [t1, t3])] {
            let id = FileGroupID(partitionPath: "p", fileId: file)
            var g = FileGroup(id: id)
            for s in stamps { g.slices[s] = FileSlice(partitionPath: "p", fileId: file, instant: s, path: "p/\(file)_0-0-0_\(s).parquet", size: 10) }
            out[id] = g
        }
        return out
    }

    /// Latest committed slice per group as of the instant; a pending instant's slice is
    /// skipped; time travel picks older slices; a replaced group disappears.
    @Test func snapshotAndTimeTravel() {
        let tl = Self.timeline([(Self.t1, "commit", .completed), (Self.t2, "commit", .completed),
                                (Self.t3, "commit", .completed), (Self.t4, "commit", .inflight)])
        let latest = SlicePlanner.snapshot(tl, fileGroups: Self.listing(), replaced: [], asOf: Self.t3)
        #expect(latest.slices.map(\.instant) == [Self.t2, Self.t3])  // a's t4 is pending
        #expect(latest.slices.map(\.fileId) == ["a-0", "b-0"])
        let old = SlicePlanner.snapshot(tl, fileGroups: Self.listing(), replaced: [], asOf: Self.t1)
        #expect(old.slices.map(\.instant) == [Self.t1, Self.t1])
        let replaced = SlicePlanner.snapshot(tl, fileGroups: Self.listing(), replaced: [FileGroupID(partitionPath: "p", fileId: "a-0")], asOf: Self.t3)
        #expect(replaced.slices.map(\.fileId) == ["b-0"])
    }

    /// Slices older than the first completed commit count as committed (archived); a slice
    /// of a rolled-back instant after it does not.
    @Test func archivedSlicesAreCommitted() {
        let tl = Self.timeline([(Self.t2, "commit", .completed), (Self.t4, "commit", .completed)])
        let plan = SlicePlanner.snapshot(tl, fileGroups: Self.listing(), replaced: [], asOf: Self.t4)
        #expect(plan.slices.map(\.instant) == [Self.t4, Self.t1])  // b's t3 never completed
    }

    @Test func incrementalTakesWrittenGroupsAsOfTheEnd() {
        let tl = Self.timeline([(Self.t1, "commit", .completed), (Self.t2, "commit", .completed), (Self.t3, "commit", .completed)])
        #expect(tl.completedDataCommits(after: Self.t1, upTo: Self.t2).map(\.timestamp) == [Self.t2])
        let stat = WriteStat(fileId: "a-0", path: "", prevCommit: Self.t1, numWrites: 1, numDeletes: 0, numUpdateWrites: 1,
                             numInserts: 0, totalWriteBytes: 1, partitionPath: "", fileSizeInBytes: 1)
        let written = SlicePlanner.writtenFileGroups([CommitMetadata(partitionToWriteStats: [("p", [stat])])])
        #expect(written == [FileGroupID(partitionPath: "p", fileId: "a-0")])  // stat without a path: its partition's
        let plan = SlicePlanner.incremental(tl, fileGroups: Self.listing(), touched: written, begin: Self.t1, end: Self.t2)
        #expect(plan.slices.map(\.instant) == [Self.t2])
        #expect(plan.begin == Self.t1 && plan.end == Self.t2)
        let replace = CommitMetadata(partitionToReplaceFileIds: ["p": ["b-0"]])
        #expect(SlicePlanner.replacedFileGroups([replace]) == [FileGroupID(partitionPath: "p", fileId: "b-0")])
        let tl2 = Self.timeline([(Self.t1, "commit", .completed), (Self.t2, "replacecommit", .completed), (Self.t3, "replacecommit", .completed)])
        #expect(tl2.replaceCommits(asOf: Self.t2).map(\.timestamp) == [Self.t2])
    }

    /// KEEP_LATEST_COMMITS with 2 retained: the slice a snapshot as of the earliest retained
    /// commit reads stays, older ones go; replaced groups are left alone.
    @Test func cleanerPlan() throws {
        let tl = Self.timeline([(Self.t1, "commit", .completed), (Self.t2, "commit", .completed),
                                (Self.t3, "commit", .completed), (Self.t4, "commit", .completed)])
        let plan = try #require(Cleaner.plan(timeline: tl, listing: Self.listing(), replaced: [], retained: 2))
        #expect(plan.earliestInstantToRetain == Self.t3 && plan.lastCompletedCommit == Self.t4)
        #expect(plan.filesByPartition["p"]?.sorted() == ["p/a-0_0-0-0_\(Self.t1).parquet", "p/b-0_0-0-0_\(Self.t1).parquet"])
        let keepA = Cleaner.plan(timeline: tl, listing: Self.listing(), replaced: [FileGroupID(partitionPath: "p", fileId: "a-0")], retained: 2)
        #expect(keepA?.filesByPartition["p"] == ["p/b-0_0-0-0_\(Self.t1).parquet"])
        #expect(Cleaner.plan(timeline: tl, listing: Self.listing(), replaced: [], retained: 4) == nil)
    }

    @Test func logFileNames() throws {
        let name = ".54e9a5e9-ee5d-4ed2-acee-720b5810d380-0_20250109233025121.log.4_0-51-115"
        let log = try #require(LogFileName(parsing: name))
        #expect(log.fileId == "54e9a5e9-ee5d-4ed2-acee-720b5810d380-0")
        #expect(log.baseInstant == "20250109233025121" && log.version == 4 && log.writeToken == "0-51-115" && log.suffix == nil)
        #expect(log.name == name)
        #expect(LogFileName(parsing: name + ".cdc")?.suffix == "cdc")
        #expect(LogFileName(parsing: ".hoodie_partition_metadata") == nil)
        #expect(LogFileName(parsing: "54e9a5e9-0_0-7-24_20250109233025121.parquet") == nil)
        let older = try #require(LogFileName(parsing: ".f-0_20250109233025121.log.2_1-0-0"))
        #expect(older < log)
    }

    /// The listing attaches each log file to the slice of its base instant, in log order.
    @Test func listingAttachesLogFilesToTheirSlice() async throws {
        let store = MemoryObjectStore()
        let (t1, t2) = (Self.t1, Self.t2)
        for key in ["p/f-0_0-0-0_\(t1).parquet", "p/f-0_0-0-0_\(t2).parquet", "p/.f-0_\(t2).log.2_0-0-0",
                    "p/.f-0_\(t2).log.1_0-0-0", "p/.f-0_\(t1).log.1_0-0-0", "p/.g-0_\(t1).log.1_0-0-0",
                    "p/.hoodie_partition_metadata", ".hoodie/\(t1).commit"] {
            try await store.put(key, Data([1]))
        }
        let groups = try await FileSystemView(store: store).listFileGroups()
        #expect(groups.count == 1)  // g-0 has logs only: no slice to read
        let f = try #require(groups[FileGroupID(partitionPath: "p", fileId: "f-0")])
        #expect(f.slices[t1]?.logFiles.map(\.path) == ["p/.f-0_\(t1).log.1_0-0-0"])
        #expect(f.slices[t2]?.logFiles.map(\.name.version) == [1, 2])
    }

    @Test func serviceRecordSchemasComeFromTheBundle() throws {
        for name in ["HoodieRollbackPlan", "HoodieRollbackMetadata", "HoodieCleanerPlan", "HoodieCleanMetadata", "HoodieCompactionPlan"] {
            let schema = try JSONValue.parse(try ServiceSchemas.schema(name))
            #expect(schema["name"]?.string == name)
            #expect(schema["namespace"]?.string == "org.apache.hudi.avro.model")
        }
        #expect(throws: HudiError.self) { try ServiceSchemas.schema("HoodieNoSuchRecord") }
    }
}

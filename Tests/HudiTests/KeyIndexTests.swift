import TributaryCore
import Testing
@testable import Hudi

/// Keys as bytes: the hash index, a base file's keys, and the writer's row fates.
@Suite struct KeyIndexTests {
    /// Per key the largest ordering wins, on a tie the later row; keys compare as bytes
    /// (a decomposed "é" is another key than the composed one, as in Hudi's Java strings).
    @Test func deduplicationByBytes() {
        let keys = ["a", "b", "a", "c", "b", "é", "e\u{301}", "a"]
        let ordering: [Int64] = [5, 1, 4, 1, 1, 0, 0, 5]
        let batch = RecordBatch(fields: [], columns: [], recordKeys: keys, partitionValues: keys.map { _ in "" }, orderingValues: ordering)
        #expect(WritePlanner.deduplicate(batch) == [3, 4, 5, 6, 7])
    }

    @Test func fileKeysFindFirstRowAndLastOrdering() throws {
        let keys = ByteArrays(strings: ["k1", "k2", "k1", "k3", "k1"])
        let fileKeys = FileKeys(keys: keys, orderings: [10, 20, 30, 40, 50])
        #expect(fileKeys.repeats == [0: [2, 4]])
        let probe = ByteArrays(strings: ["k1", "k3", "k9", ""])
        let found = probe.withValues { p in fileKeys.keys.withValues { s in (0..<4).map { fileKeys.find(p[$0], in: s) } } }
        #expect(found[0]?.row == 0 && found[0]?.ordering == 50)
        #expect(found[1]?.row == 3 && found[1]?.ordering == 40)
        #expect(found[2] == nil && found[3] == nil)
        let unordered = FileKeys(keys: keys, orderings: nil)
        #expect(unordered.orderings.allSatisfy { $0 == Int64.min })
    }

    /// Every distinct partition value is formatted once; rows point at their path.
    @Test func partitionsOfRows() {
        let config = TableConfig.newTable(name: "t", recordKeyFields: ["k"], precombineField: nil, partitionFields: ["d"], createSchema: nil)
        let p = PartitionPathFormatter(config: config).partitions(of: ByteArrays(strings: ["x", "y", "x", "z", "y"]))
        #expect(p.paths == ["d=x", "d=y", "d=z"])
        #expect(p.ofRow == [0, 1, 0, 2, 1])
        let flat = TableConfig.newTable(name: "t", recordKeyFields: ["k"], precombineField: nil, partitionFields: [], createSchema: nil)
        #expect(PartitionPathFormatter(config: flat).partitions(of: ByteArrays(strings: ["x", "y"])).ofRow == [0, 0])
    }

    /// The writer replaces and deletes stored records by row, after checking each row holds
    /// the key the index located there.
    @Test func fatesByRow() throws {
        let old = ByteArrays(strings: ["a", "b", "c", "b"])
        let batch = ByteArrays(strings: ["b", "c"])
        var work = FileGroupWork(id: FileGroupID(partitionPath: "", fileId: "f"), base: nil)
        #expect(try FileGroupWriter.fates(of: work, oldKeys: old, batchKeys: batch, path: "f") == nil)
        work.updates = [RowChange(baseRow: 1, batchRow: 0), RowChange(baseRow: 3, batchRow: 0)]
        work.deletes = [RowChange(baseRow: 2, batchRow: 1)]
        #expect(try FileGroupWriter.fates(of: work, oldKeys: old, batchKeys: batch, path: "f") == [-1, 0, FileGroupWriter.deleted, 0])
        work.deletes = [RowChange(baseRow: 0, batchRow: 1)]  // row 0 holds "a", not "c"
        #expect(throws: HudiError.self) { try FileGroupWriter.fates(of: work, oldKeys: old, batchKeys: batch, path: "f") }
        work.deletes = [RowChange(baseRow: 9, batchRow: 1)]
        #expect(throws: HudiError.self) { try FileGroupWriter.fates(of: work, oldKeys: old, batchKeys: batch, path: "f") }
    }
}

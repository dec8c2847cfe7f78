import Foundation
import TributaryCore

/// A stored record of a base file (by row) and the batch row that replaces or deletes it.
struct RowChange: Sendable, Equatable {
    var baseRow: Int32
    var batchRow: Int32
}

/// What one commit does to one file group: rewrite an existing group (updates, deletes,
/// inserts packed into a small file) or create a new one (inserts only). Records are
/// named by row — of the base file and of the batch — never by key.
struct FileGroupWork: Sendable {
    var id: FileGroupID
    /// The slice being replaced; nil for a new group.
    var base: FileSlice?
    /// Base-file records replaced by a batch row.
    var updates: [RowChange] = []
    /// Base-file records removed (deleted, or moved to another partition).
    var deletes: [RowChange] = []
    /// Distinct keys updated and deleted (a key stored twice in a file counts once).
    var updatedKeys = 0
    var deletedKeys = 0
    /// Batch rows appended as new records.
    var inserts: [Int] = []
}

/// Outcome counts of planning, for logs and benchmarks.
public struct WritePlanSummary: Sendable {
    public var inputRecords = 0
    /// Records dropped because a later or larger-ordered version of the key was in the batch.
    public var deduplicated = 0
    /// Upserts and deletes older than the stored version (ignored).
    public var stale = 0
    /// Deletes of keys the table does not hold.
    public var missingDeletes = 0
    public var updates = 0
    public var inserts = 0
    public var deletes = 0
    /// Updates whose partition changed (deleted in the old group, inserted in the new one).
    public var moves = 0
}

/// Turns a batch into file-group work: precombine within the batch, route against the
/// index, pack inserts into small files, then new groups capped by the file size.
enum WritePlanner {
    /// Keeps per key the record with the largest ordering value; on a tie the later one.
    static func deduplicate(_ batch: RecordBatch) -> [Int] {
        var keep = [Bool](repeating: false, count: batch.count)
        batch.recordKeys.withValues { keys in
            var winners = ByteKeyIndex(capacity: keys.count)
            for i in 0..<keys.count {
                let (slot, held) = winners.slot(of: keys[i], in: keys)
                // A repeated key keeps the later row unless it is older.
                if let j = held {
                    if batch.orderingValues[j] > batch.orderingValues[i] { continue }
                    keep[j] = false
                }
                winners.set(slot, row: i)
                keep[i] = true
            }
        }
        return keep.indices.filter { keep[$0] }
    }

    struct Input {
        var batch: RecordBatch
        var rows: [Int]
        var partitions: BatchPartitions
        var existing: RecordLocations
        /// Latest committed slices per partition (candidates for small-file packing).
        var slicesByPartition: [String: [FileSlice]]
        var averageRecordSize: Int
        var options: WriteOptions
        /// When set, small files are tried in an order hashed from it and the file id
        /// instead of smallest first (concurrent optimistic writers spread over the groups).
        var packingSeed: String? = nil
    }

    static func plan(_ input: Input, summary: inout WritePlanSummary) -> [FileGroupWork] {
        let batch = input.batch
        var work: [FileGroupID: FileGroupWork] = [:]
        var insertsByPartition = [[Int]](repeating: [], count: input.partitions.paths.count)
        var partitionOrder: [Int] = []
        func touch(_ slice: FileSlice) -> FileGroupID {
            let id = FileGroupID(partitionPath: slice.partitionPath, fileId: slice.fileId)
            if work[id] == nil { work[id] = FileGroupWork(id: id, base: slice) }
            return id
        }
        func addInsert(_ partition: Int, _ row: Int) {
            if insertsByPartition[partition].isEmpty { partitionOrder.append(partition) }
            insertsByPartition[partition].append(row)
        }
        func changes(_ r: Int) -> [RowChange] {
            let first = RowChange(baseRow: input.existing.baseRow[r], batchRow: Int32(r))
            guard let more = input.existing.repeatedRows[r] else { return [first] }
            return [first] + more.map { RowChange(baseRow: Int32($0), batchRow: Int32(r)) }
        }
        for r in input.rows {
            let partition = Int(input.partitions.ofRow[r])
            let op = batch.operations[r]
            if let slice = input.existing.location(of: r) {
                if batch.orderingValues[r] < input.existing.ordering[r] {
                    summary.stale += 1
                    continue
                }
                let id = touch(slice)
                if op == .delete {
                    work[id]?.deletes.append(contentsOf: changes(r))
                    work[id]?.deletedKeys += 1
                    summary.deletes += 1
                } else if slice.partitionPath == input.partitions.paths[partition] {
                    work[id]?.updates.append(contentsOf: changes(r))
                    work[id]?.updatedKeys += 1
                    summary.updates += 1
                } else {
                    work[id]?.deletes.append(contentsOf: changes(r))
                    work[id]?.deletedKeys += 1
                    addInsert(partition, r)
                    summary.moves += 1
                }
            } else if op == .delete {
                summary.missingDeletes += 1
            } else {
                addInsert(partition, r)
                summary.inserts += 1
            }
        }
        let recordSize = max(1, input.averageRecordSize)
        let perNewFile = max(1, input.options.maxFileSize / recordSize)
        for p in partitionOrder {
            let partition = input.partitions.paths[p]
            var rows = insertsByPartition[p]
            // Small files first, smallest first (Hudi's UpsertPartitioner), or in the seed's order.
            let candidates = (input.slicesByPartition[partition] ?? []).filter { $0.totalSize < input.options.smallFileLimit }
            let small = input.packingSeed.map { seed in
                candidates.map { (FNV1a.hash(seed + $0.fileId), $0) }.sorted { ($0.0, $0.1.fileId) < ($1.0, $1.1.fileId) }.map(\.1)
            } ?? candidates.sorted { ($0.totalSize, $0.fileId) < ($1.totalSize, $1.fileId) }
            for slice in small where !rows.isEmpty {
                let room = (input.options.maxFileSize - slice.totalSize) / recordSize
                guard room > 0 else { continue }
                let take = min(room, rows.count)
                let id = touch(slice)
                work[id]?.inserts.append(contentsOf: rows.prefix(take))
                rows.removeFirst(take)
            }
            while !rows.isEmpty {
                let take = min(perNewFile, rows.count)
                let id = FileGroupID(partitionPath: partition, fileId: BaseFileName.newFileId())
                var w = FileGroupWork(id: id, base: nil)
                w.inserts = Array(rows.prefix(take))
                work[id] = w
                rows.removeFirst(take)
            }
        }
        return work.values.sorted { $0.id < $1.id }
    }
}

import Foundation

/// What one commit does to one file group: rewrite an existing group (updates, deletes,
/// inserts packed into a small file) or create a new one (inserts only).
struct FileGroupWork: Sendable {
    var id: FileGroupID
    /// The slice being replaced; nil for a new group.
    var base: FileSlice?
    /// Record key → batch row replacing the stored record.
    var updates: [String: Int] = [:]
    /// Keys removed from the group (deleted, or moved to another partition).
    var deletes: Set<String> = []
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
        var winner: [String: Int] = [:]
        winner.reserveCapacity(batch.count)
        for i in 0..<batch.count {
            // One hash per new key; a repeated key keeps the later row unless it is older.
            if let j = winner.updateValue(i, forKey: batch.recordKeys[i]), batch.orderingValues[j] > batch.orderingValues[i] {
                winner[batch.recordKeys[i]] = j
            }
        }
        var keep = [Bool](repeating: false, count: batch.count)
        for i in winner.values { keep[i] = true }
        return keep.indices.filter { keep[$0] }
    }

    struct Input {
        var batch: RecordBatch
        var rows: [Int]
        var partitionPaths: [String]
        var existing: [String: RecordLocation]
        /// Latest committed slices per partition (candidates for small-file packing).
        var slicesByPartition: [String: [FileSlice]]
        var averageRecordSize: Int
        var options: WriteOptions
    }

    static func plan(_ input: Input, summary: inout WritePlanSummary) -> [FileGroupWork] {
        let batch = input.batch
        var work: [FileGroupID: FileGroupWork] = [:]
        var insertsByPartition: [String: [Int]] = [:]
        var partitionOrder: [String] = []
        func touch(_ slice: FileSlice) -> FileGroupID {
            let id = FileGroupID(partitionPath: slice.partitionPath, fileId: slice.fileId)
            if work[id] == nil { work[id] = FileGroupWork(id: id, base: slice) }
            return id
        }
        func addInsert(_ partition: String, _ row: Int) {
            if insertsByPartition[partition] == nil { partitionOrder.append(partition) }
            insertsByPartition[partition, default: []].append(row)
        }
        for r in input.rows {
            let key = batch.recordKeys[r]
            let partition = input.partitionPaths[r]
            let op = batch.operations[r]
            if let loc = input.existing[key] {
                if batch.orderingValues[r] < loc.ordering {
                    summary.stale += 1
                    continue
                }
                let id = touch(loc.slice)
                if op == .delete {
                    work[id]?.deletes.insert(key)
                    summary.deletes += 1
                } else if loc.slice.partitionPath == partition {
                    work[id]?.updates[key] = r
                    summary.updates += 1
                } else {
                    work[id]?.deletes.insert(key)
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
        for partition in partitionOrder {
            var rows = insertsByPartition[partition] ?? []
            // Small files first, smallest first (Hudi's UpsertPartitioner).
            let small = (input.slicesByPartition[partition] ?? [])
                .filter { $0.size < input.options.smallFileLimit }
                .sorted { ($0.size, $0.fileId) < ($1.size, $1.fileId) }
            for slice in small where !rows.isEmpty {
                let room = (input.options.maxFileSize - slice.size) / recordSize
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

import Foundation
import ObjectStore

/// The committed content of a file slice's log files (merge-on-read): data blocks and
/// delete records of visible instants, in log order, without the blocks of instants a
/// rollback command block names (Hudi's `AbstractHoodieLogRecordReader` rules: a block
/// counts only if its instant is committed as of the read, and not rolled back).
struct SliceLogs: Sendable {
    struct DataBlock: Sendable {
        var instant: String
        /// The block's records as a Parquet file.
        var parquet: Data
    }

    var dataBlocks: [DataBlock] = []
    var deletes: [(instant: String, record: DeleteRecord)] = []
    /// Blocks read (all, before filtering) and bytes of the log files.
    var blockCount = 0
    var bytes = 0
    /// Per log file (by path): the instants of its data and delete blocks that were left
    /// out as not visible (nor rolled back in these files). Compaction carries such a log
    /// into the new slice when the instant may still commit.
    var unfolded: [String: Set<String>] = [:]

    var isEmpty: Bool { dataBlocks.isEmpty && deletes.isEmpty }

    /// Reads `logFiles` (oldest first) keeping blocks whose instant passes `isVisible`.
    static func scan(store: any ObjectStore, logFiles: [LogFile], isVisible: (String) -> Bool) async throws -> SliceLogs {
        var all: [(block: LogBlock, path: String)] = []
        var out = SliceLogs()
        for log in logFiles.sorted() {
            let data = try await store.get(log.path)
            out.bytes += data.count
            all += try LogBlock.decodeAll(data, path: log.path).map { ($0, log.path) }
        }
        out.blockCount = all.count
        let headers = [all.map { (instant: $0.block.instantTime, rollbackTarget: $0.block.rollbackTarget) }]
        let rolledBack = Set(all.compactMap(\.block.rollbackTarget))
        for (b, path) in all where b.type != .command && b.type != .corrupted {
            if let instant = b.instantTime, !isVisible(instant), !rolledBack.contains(instant) { out.unfolded[path, default: []].insert(instant) }
        }
        for (_, i) in ExtractedLogBlock.counted(headers, isVisible: isVisible) {
            let (b, path) = all[i]
            guard let instant = b.instantTime else { continue }
            switch try b.payload(path: path) {
            case .parquet(let parquet): out.dataBlocks.append(DataBlock(instant: instant, parquet: parquet))
            case .deletes(let records): out.deletes += records.map { (instant, $0) }
            case .none: continue
            }
        }
        return out
    }
}

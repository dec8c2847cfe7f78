import Foundation
import ObjectStore

/// Rolls back a failed delta commit's log blocks (merge-on-read) as Hudi does: a rollback
/// command block naming the instant, in a new log file beside each log the instant wrote.
/// Readers drop every block of a rolled-back instant (hudi-rs reads v6 log blocks by
/// instant range only, so without it a failed write's blocks would show once a later
/// commit completes). The command block carries the target's own instant time, so it is
/// in every read range the target's blocks are in. Idempotent: a log file whose group
/// already has the command block is skipped.
struct LogRollback: Sendable {
    let store: any ObjectStore
    let fileSystemView: FileSystemView

    /// Appends rollback blocks for `target`; returns the log files written.
    @discardableResult
    func rollBack(_ target: String) async throws -> [String] {
        var written: [String] = []
        for group in try await fileSystemView.listFileGroups().values where !group.logFiles.isEmpty {
            // Per base instant (a compaction may have carried a log to its new slice): the
            // logs holding the target's blocks, and whether a command block covers them.
            var hits: [String: LogFile] = [:]
            var covered = Set<String>()
            for log in group.logFiles {
                let blocks = try LogBlock.decodeAll(try await store.get(log.path), path: log.path)
                if blocks.contains(where: { $0.type == .command && $0.header[.targetInstantTime] == target }) { covered.insert(log.name.baseInstant) }
                if blocks.contains(where: { $0.type != .command && $0.instantTime == target }) { hits[log.name.baseInstant] = log }
            }
            for (baseInstant, hit) in hits.sorted(by: { $0.key < $1.key }) where !covered.contains(baseInstant) {
                var version = (group.logFiles.filter { $0.name.baseInstant == baseInstant }.map(\.name.version).max() ?? 0) + 1
                let partition = FileSystemView.splitKey(hit.path).0
                let block = LogBlock.rollback(instant: target, target: target).encoded()
                // Put-if-absent: a concurrent (optimistic) writer may have appended a log of
                // this version since the listing; overwriting it would drop its committed
                // rows. Take the next version instead.
                while true {
                    let name = LogFileName(fileId: hit.name.fileId, baseInstant: baseInstant, version: version, writeToken: "0-0-1")
                    let path = partition.isEmpty ? name.name : "\(partition)/\(name.name)"
                    do {
                        try await store.putIfAbsent(path, block)
                        written.append(path)
                        break
                    } catch ObjectStoreError.alreadyExists {
                        version += 1
                    }
                }
            }
        }
        if !written.isEmpty { fileSystemView.forget() }
        return written
    }
}

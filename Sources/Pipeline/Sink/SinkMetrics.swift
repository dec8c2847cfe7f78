import Foundation
import Hudi
import MonitoringCore
import ObjectStore

/// The Hudi sink's metrics (`TributaryMetrics`): commit duration, bytes and files
/// written, rollbacks, compactions, and the table's storage — its size, and on
/// merge-on-read tables the pending compactions and the logs of its latest slices —
/// refreshed after a commit at most every `storageRefreshInterval` (both list the table's
/// objects) and after every compaction.
struct SinkMetrics: Sendable {
    private typealias M = TributaryMetrics
    var storageRefreshInterval: TimeInterval = 30

    func committed(_ table: String, _ result: CommitResult) {
        M.commitDuration.timer(table).record(duration: .nanoseconds(Int64(result.totalSeconds * 1e9)))
        M.writtenBytes.counter(table).increment(by: Int(result.bytesWritten))
        M.filesWritten.counter(table).increment(by: result.filesWritten)
    }

    func rolledBack(_ table: String, instants: Int) {
        M.rollbacks.counter(table).increment(by: instants)
    }

    func compacted(_ table: String, _ result: CompactionResult) {
        M.compactions.counter(table).increment()
        M.compactionDuration.timer(table).record(duration: .nanoseconds(Int64(result.seconds * 1e9)))
    }

    /// Pending data instants of the table: the next write rolls them back.
    func pendingInstants(_ table: HudiTable) async -> Int {
        (try? await table.timeline().pending.filter(\.isDataCommit).count) ?? 0
    }

    /// Sets the size gauge from a listing of the table's folder.
    func refreshSize(_ table: String, store: any ObjectStore) async {
        guard let objects = try? await store.listAll(prefix: "") else { return }
        M.tableSize.gauge(table).record(objects.reduce(0) { $0 + $1.size })
    }

    /// Sets the merge-on-read gauges from the table's ``LogBacklog`` (none for copy-on-write).
    func refreshLogBacklog(_ table: String, _ hudi: HudiTable) async {
        guard hudi.tableType == .mergeOnRead, let backlog = try? await hudi.logBacklog() else { return }
        M.pendingCompactions.gauge(table).record(backlog.pendingCompactions)
        M.logFiles.gauge(table).record(backlog.logFiles)
        M.logBytes.gauge(table).record(backlog.logBytes)
        M.baseBytes.gauge(table).record(backlog.baseBytes)
    }
}

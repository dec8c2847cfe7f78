import Foundation
import Hudi
import MonitoringCore
import ObjectStore

/// The Hudi sink's metrics (`TributaryMetrics`): commit duration, bytes and files
/// written, rollbacks, and the table's size in storage (refreshed after a commit at most
/// every `sizeRefreshInterval`, since it lists the table's objects).
struct SinkMetrics: Sendable {
    private typealias M = TributaryMetrics
    var sizeRefreshInterval: TimeInterval = 30

    func committed(_ table: String, _ result: CommitResult) {
        M.commitDuration.timer(table).record(duration: .nanoseconds(Int64(result.totalSeconds * 1e9)))
        M.writtenBytes.counter(table).increment(by: Int(result.bytesWritten))
        M.filesWritten.counter(table).increment(by: result.filesWritten)
    }

    func rolledBack(_ table: String, instants: Int) {
        M.rollbacks.counter(table).increment(by: instants)
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
}

import Foundation
import Logging
import ObjectStore

/// Everything that changes the table, one change at a time: it owns the write queue, the
/// single-writer lease, instant times, the BLOOM index's footer cache and the commit
/// protocol (recovery of failed writes, instant reservation, the files, the commit point
/// with put-if-absent — under the lease or the optimistic conflict check — and rollback
/// of what a failed write left), and runs the table services (cleaner, rollback).
actor TableWriter {
    let table: TableParts
    /// Footers and key sets of base files, for the BLOOM index (base files never change).
    let footers: FooterCache
    let rememberedDeletes = RememberedDeletesCache()
    let cleaner: Cleaner
    let rollbacks: RollbackService
    let recovery: FailedWriteRecovery
    let compactor: Compactor
    /// Compactions running in the background (by instant), awaited by `close()`.
    var compactions: [String: Task<CompactionResult, any Error>] = [:]
    /// Told of every compaction completed here (``HudiTable/observeCompactions(_:)``).
    var compactionObserver: (@Sendable (CompactionResult) async -> Void)?
    /// The single-writer lease, acquired before the first write and released by `close()`.
    private var lease: WriterLease?
    private var writing = false
    private var writeWaiters: [CheckedContinuation<Void, Never>] = []

    init(table: TableParts) {
        self.table = table
        footers = FooterCache(maxCachedKeys: table.options.indexCacheMaxKeys)
        cleaner = Cleaner(table: table)
        rollbacks = RollbackService(table: table, cleaner: cleaner)
        recovery = FailedWriteRecovery(table: table, rollbacks: rollbacks)
        compactor = Compactor(table: table)
    }

    deinit {
        // Dropped without `close()`: release the lease in the background (best effort; a
        // lease that stays behind expires, or is taken over once this process is gone).
        if let lease { Task { await lease.release() } }
    }

    /// Ends writing: releases the writer lease (single-writer mode) so another process may
    /// write the table at once. A later write takes the lease again.
    func close() async {
        for task in compactions.values { _ = try? await task.value }
        await acquireWriteTurn()
        defer { releaseWriteTurn() }
        await lease?.release()
    }

    /// The next instant time, strictly after the newest on the timeline.
    func nextInstantTime() async throws -> String {
        table.instantTimes.next(after: try await table.timeline.load().latestTimestamp)
    }

    // MARK: Services

    /// Runs the cleaner now; nil when there was nothing to delete.
    func clean() async throws -> CleanResult? {
        await acquireWriteTurn()
        defer { releaseWriteTurn() }
        // Never beside a live writer: the single-writer lease, then recovery as a write does.
        try await holdWriterLease()
        _ = try await recovery.recover(try await table.timeline.load())
        return try await cleaner.run(retained: table.options.cleanerCommitsRetained)
    }

    /// Rolls back a pending data instant or the latest completed commit.
    func rollback(instant: String) async throws -> RollbackResult {
        await acquireWriteTurn()
        defer { releaseWriteTurn() }
        // Never beside a live writer (single-writer mode).
        try await holdWriterLease()
        return try await rollbacks.rollback(instant: instant)
    }

    /// Rolls back failed writes found on `tl` (see ``FailedWriteRecovery``); the timeline after.
    func recoverFailedWrites(_ tl: Timeline) async throws -> Timeline {
        try await recovery.recover(tl)
    }

    // MARK: The write queue and the lease

    /// Waits until no other write of this table object runs, then claims the turn (actors
    /// are reentrant across awaits: without it, commits would interleave).
    func acquireWriteTurn() async {
        if writing {
            await withCheckedContinuation { writeWaiters.append($0) }
        } else {
            writing = true
        }
    }

    /// Hands the turn to the next waiting write (or frees it).
    func releaseWriteTurn() {
        if writeWaiters.isEmpty { writing = false } else { writeWaiters.removeFirst().resume() }
    }

    /// Single-writer mode: takes (or re-checks) the table's writer lease.
    func holdWriterLease() async throws {
        guard table.options.concurrency == .singleWriter else { return }
        if lease == nil {
            lease = WriterLease(store: table.store, key: WriterLease.defaultKey, duration: table.options.leaseDuration,
                                renewInterval: table.options.heartbeatInterval)
        }
        try await lease?.acquire()
    }

    /// Single-writer mode: proves the lease is still ours right before the commit point
    /// (renews it, which reads it back first).
    func confirmWriterLease() async throws {
        guard table.options.concurrency == .singleWriter, let lease else { return }
        try await lease.renew()
    }
}

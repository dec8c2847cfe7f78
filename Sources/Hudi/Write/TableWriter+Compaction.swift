import Foundation

extension TableWriter {
    /// Schedules a compaction (when `force`, or when due) under the write turn, then runs
    /// every pending one: base files outside the turn, so writes go on meanwhile.
    func compact(force: Bool) async throws -> [CompactionResult] {
        await acquireWriteTurn()
        do {
            try await holdWriterLease()
            let tl = try await recovery.recover(try await table.timeline.load())
            _ = try await compactor.schedule(tl, force: force)
        } catch {
            releaseWriteTurn()
            throw error
        }
        releaseWriteTurn()
        var results: [CompactionResult] = []
        for (instant, plan) in try await compactor.pendingPlans(try await table.timeline.load()) {
            results.append(try await startCompaction(instant, plan).value)
        }
        return results
    }

    /// After a delta commit (write turn held): schedules a compaction when due (by delta
    /// commits or by log size) and, with `compactInBackground`, starts every pending one not
    /// running here (one a crashed process left is resumed from its plan).
    func compactIfDue(_ tl: Timeline) async {
        guard table.config.isMergeOnRead, table.options.compactionMaxDeltaCommits > 0 || table.options.compactionMaxLogBytes > 0 else { return }
        do {
            let scheduled = try await compactor.schedule(tl, force: false)
            guard table.options.compactInBackground else { return }
            let now = scheduled == nil ? tl : try await table.timeline.load()
            for (instant, plan) in try await compactor.pendingPlans(now) where compactions[instant] == nil {
                _ = startCompaction(instant, plan)
            }
        } catch {
            table.logger.warning("hudi compaction scheduling failed", metadata: ["table": "\(table.config.tableName)", "error": "\(error)"])
        }
    }

    /// The task running compaction `instant` (started when none runs here): its base files
    /// without the write turn, its completion with it.
    func startCompaction(_ instant: String, _ plan: CompactionPlan) -> Task<CompactionResult, any Error> {
        if let running = compactions[instant] { return running }
        let compactor = compactor
        let task = Task {
            do {
                let written = try await compactor.writeBaseFiles(instant: instant, plan: plan)
                let result = try await self.completeCompaction(instant, plan, written)
                self.compactionEnded(instant)
                await compactionObserver?(result)
                return result
            } catch {
                self.compactionEnded(instant)
                table.logger.warning("hudi compaction failed", metadata: ["table": "\(table.config.tableName)", "instant": "\(instant)", "error": "\(error)"])
                throw error
            }
        }
        compactions[instant] = task
        return task
    }

    /// Completes a compaction under the write turn and, for optimistic writers, the commit
    /// lock (see ``Compactor/complete(instant:plan:written:)``), after rolling back failed
    /// writes, so no crashed write's log is carried unmarked.
    private func completeCompaction(_ instant: String, _ plan: CompactionPlan, _ written: Compactor.Written) async throws -> CompactionResult {
        await acquireWriteTurn()
        defer { releaseWriteTurn() }
        try await holdWriterLease()
        _ = try await recovery.recover(try await table.timeline.load())
        guard table.options.concurrency == .optimistic else { return try await compactor.complete(instant: instant, plan: plan, written: written) }
        // Another process's delta commit must not pass its commit check between the carry
        // of trailing logs and `<c>.commit` (its log would be in neither slice).
        let occ = OptimisticCommit(store: table.store, options: table.options, timeline: table.timeline, recovery: recovery)
        return try await occ.underCommitLock { [compactor] in try await compactor.complete(instant: instant, plan: plan, written: written) }
    }

    func compactionEnded(_ instant: String) {
        compactions[instant] = nil
    }

    func observeCompactions(_ observer: @escaping @Sendable (CompactionResult) async -> Void) {
        compactionObserver = observer
    }
}

import Foundation

extension TableWriter {
    /// Schedules a compaction (when `force`, or when due) under the write turn, then runs
    /// every pending compaction outside it, so writes go on meanwhile.
    func compact(force: Bool) async throws -> [CompactionResult] {
        await acquireWriteTurn()
        do {
            try await holdWriterLease()
            let tl = try await recovery.recover(try await timeline.load())
            _ = try await compactor.schedule(tl, force: force)
        } catch {
            releaseWriteTurn()
            throw error
        }
        releaseWriteTurn()
        var results: [CompactionResult] = []
        for (instant, plan) in try await compactor.pendingPlans(try await timeline.load()) {
            results.append(try await runCompaction(instant, plan))
        }
        return results
    }

    /// After a delta commit (write turn held): schedules a compaction when due and, with
    /// `compactInBackground`, starts every pending one not running here (one a crashed
    /// process left is resumed from its plan).
    func compactIfDue(_ tl: Timeline) async {
        guard config.isMergeOnRead, options.compactionMaxDeltaCommits > 0 else { return }
        do {
            let scheduled = try await compactor.schedule(tl, force: false)
            guard options.compactInBackground else { return }
            let now = scheduled == nil ? tl : try await timeline.load()
            for (instant, plan) in try await compactor.pendingPlans(now) where compactions[instant] == nil {
                _ = startCompaction(instant, plan)
            }
        } catch {
            logger.warning("hudi compaction scheduling failed", metadata: ["table": "\(config.tableName)", "error": "\(error)"])
        }
    }

    /// Runs one compaction (joining it when it already runs in this process).
    func runCompaction(_ instant: String, _ plan: CompactionPlan) async throws -> CompactionResult {
        try await startCompaction(instant, plan).value
    }

    /// The task running compaction `instant`, started when none runs yet.
    func startCompaction(_ instant: String, _ plan: CompactionPlan) -> Task<CompactionResult, any Error> {
        if let running = compactions[instant] { return running }
        let compactor = compactor
        let task = Task {
            do {
                let result = try await compactor.execute(instant: instant, plan: plan)
                await self.compactionEnded(instant)
                return result
            } catch {
                await self.compactionEnded(instant)
                throw error
            }
        }
        compactions[instant] = task
        return task
    }

    func compactionEnded(_ instant: String) {
        compactions[instant] = nil
        compactionPlans[instant] = nil
    }

    /// Log base instants for groups under a pending compaction: their new logs belong to the
    /// slice the compaction creates (with the operation, to write its base file first).
    func pendingCompactionGroups(_ tl: Timeline) async throws -> [FileGroupID: PendingCompaction] {
        var out: [FileGroupID: PendingCompaction] = [:]
        for c in tl.pending where c.action == "compaction" {
            let plan: CompactionPlan
            if let cached = compactionPlans[c.timestamp] {
                plan = cached
            } else {
                let requested = Instant(timestamp: c.timestamp, action: "compaction", state: .requested)
                plan = try CompactionPlan(avro: try await store.get(tl.key(of: requested)))
                compactionPlans[c.timestamp] = plan
            }
            for op in plan.operations { out[op.groupID] = PendingCompaction(instant: c.timestamp, operation: op) }
        }
        return out
    }
}

/// A file group's operation in a pending compaction.
struct PendingCompaction: Sendable {
    var instant: String
    var operation: CompactionPlan.Operation
}

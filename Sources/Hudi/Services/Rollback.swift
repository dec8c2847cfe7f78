import Foundation
import Logging
import ObjectStore

/// What a rollback did.
public struct RollbackResult: Sendable {
    /// The rollback instant's time.
    public var instant: String
    public var metadata: RollbackMetadata
}

/// Rolls back instants (Hudi's rollback action): failed writes found pending by a writer's
/// recovery, half-done rollbacks and cleans, or the latest commit on request. Run by the
/// ``TableWriter`` (which holds the write turn and the lease). A rollback deletes files, so
/// it drops the writer's view of the file system.
struct RollbackService: Sendable {
    let table: TableParts
    let cleaner: Cleaner

    /// Recovery before a write (Hudi's EAGER failed-writes policy for a single writer):
    /// finishes half-done `rollback` instants, rolls back the pending data instants left by
    /// a crashed writer, and finishes half-done `clean` instants — exactly the pending
    /// instants of `tl` (a caller may pass a timeline of chosen instants only, e.g. the
    /// dead writers' under optimistic concurrency).
    func rollbackPending(_ tl: Timeline) async throws {
        var done = Set<String>()
        for r in tl.pending where r.action == "rollback" {
            guard let data = try await pendingPlan(r, tl), let plan = try? RollbackPlan(avro: data) else {
                try await dropPlanless(r, tl)
                continue
            }
            _ = try await executeRollback(plan, rollbackInstant: r.timestamp, timeline: tl)
            done.insert(plan.instantToRollback)
        }
        for p in tl.pending where p.isDataCommit && !done.contains(p.timestamp) {
            _ = try await rollbackInstant(p, timeline: tl)
        }
        for c in tl.pending where c.action == "clean" {
            guard let data = try await pendingPlan(c, tl), let plan = try? CleanerPlan(avro: data) else {
                try await dropPlanless(c, tl)
                continue
            }
            _ = try await cleaner.execute(plan, cleanInstant: c.timestamp, timeline: tl)
        }
    }

    /// The plan of a pending service instant: its requested file, else its inflight file
    /// (a clean's inflight repeats the plan); nil when neither holds one.
    private func pendingPlan(_ instant: Instant, _ tl: Timeline) async throws -> Data? {
        for state in [InstantState.requested, .inflight] {
            do {
                let data = try await table.store.get(tl.key(of: Instant(timestamp: instant.timestamp, action: instant.action, state: state)))
                if !data.isEmpty { return data }
            } catch ObjectStoreError.notFound {
                continue
            }
        }
        return nil
    }

    /// A pending rollback or clean without a readable plan did nothing yet that needs
    /// finishing (the plan is written first): its instant files are removed.
    private func dropPlanless(_ instant: Instant, _ tl: Timeline) async throws {
        table.logger.warning("removing pending \(instant.action) without a readable plan", metadata: ["instant": "\(instant.timestamp)"])
        try await table.store.delete([tl.key(of: Instant(timestamp: instant.timestamp, action: instant.action, state: .inflight)),
                                tl.key(of: Instant(timestamp: instant.timestamp, action: instant.action, state: .requested))])
    }

    /// Rolls back `instant`: a pending (failed) data instant, or the latest completed commit
    /// (`tributary tables rollback`). Older completed commits are refused: undoing one would
    /// need Hudi's `restore` of every later commit too.
    func rollback(instant: String) async throws -> RollbackResult {
        let tl = try await table.timeline.load()
        let matches = tl.instants.filter { $0.timestamp == instant && $0.isDataCommit }
        guard let target = matches.first else {
            let known = tl.completedDataCommits.suffix(5).map(\.timestamp).joined(separator: ", ")
            throw HudiError(.invalidArgument, "no commit \(instant) on the timeline (latest: \(known.isEmpty ? "none" : known))")
        }
        if target.state == .completed, let latest = tl.latestCompletedCommit, latest.timestamp != instant {
            throw HudiError(.invalidArgument, 
                "\(instant) is not the latest commit (\(latest.timestamp)); only the latest completed commit can be rolled back")
        }
        if target.state == .completed, let previous = tl.completedDataCommits.last(where: { $0.timestamp < instant }) {
            // The commit before must still be readable, or the rollback would lose data.
            if let earliest = try await table.timeline.earliestQueryableInstant(tl), previous.timestamp < earliest {
                throw HudiError(.invalidArgument, 
                    "cannot roll back \(instant): the cleaner deleted files of the commit before it (\(previous.timestamp)); the earliest queryable instant is \(earliest)")
            }
        }
        return try await rollbackInstant(target, timeline: tl)
    }

    /// Plans (`<r>.rollback.requested`), then executes a rollback of `target`.
    func rollbackInstant(_ target: Instant, timeline tl: Timeline) async throws -> RollbackResult {
        let files = try await table.fileSystemView.baseFiles(of: target.timestamp)
        let plan = RollbackPlan(instantToRollback: target.timestamp, action: target.action, filesByPartition: files)
        // Newer than every instant now on the timeline (`tl` may hold chosen instants only).
        let rollbackTime = table.instantTimes.next(after: try await table.timeline.load().latestTimestamp)
        let requested = Instant(timestamp: rollbackTime, action: "rollback", state: .requested)
        try await table.putNewInstant(requested, try plan.avro(), timeline: tl,
                                      conflict: "rollback instant \(rollbackTime) already requested by another writer")
        return try await executeRollback(plan, rollbackInstant: rollbackTime, timeline: tl)
    }

    /// `<r>.rollback.inflight` → (completed target: its `<t>.commit` first, so readers stop
    /// seeing it at once) → the target's base files → its inflight and requested files →
    /// `<r>.rollback`. Every step is idempotent, so a crash anywhere is finished by the next
    /// ``rollbackPending(_:)`` from the plan in `<r>.rollback.requested`.
    func executeRollback(_ plan: RollbackPlan, rollbackInstant r: String, timeline tl: Timeline) async throws -> RollbackResult {
        let started = Date()
        let inflight = Instant(timestamp: r, action: "rollback", state: .inflight)
        if try await !table.store.exists(tl.key(of: inflight)) { try await table.store.put(tl.key(of: inflight), Data()) }
        let t = plan.instantToRollback
        try await table.store.delete(tl.key(of: Instant(timestamp: t, action: plan.action, state: .completed)))
        // Files of the plan plus any the listing shows now (more only if the failed writer
        // was still alive when the plan was made; never the case, but cheap to cover).
        var files = plan.filesByPartition
        for (partition, keys) in try await table.fileSystemView.baseFiles(of: t) {
            files[partition] = Array(Set(files[partition] ?? []).union(keys)).sorted()
        }
        try await table.store.delete(files.values.flatMap { $0 })
        if plan.action == "deltacommit" {
            try await LogRollback(store: table.store, fileSystemView: table.fileSystemView).rollBack(t)
        }
        // Inflight first: a half-done rollback then still shows a pending instant.
        try await table.store.delete([tl.key(of: Instant(timestamp: t, action: plan.action, state: .inflight)),
                                tl.key(of: Instant(timestamp: t, action: plan.action, state: .requested))])
        let metadata = RollbackMetadata(
            startRollbackTime: r, timeTakenInMillis: Int64(Date().timeIntervalSince(started) * 1000),
            commitsRollback: [t], actions: [plan.action], deletedByPartition: files)
        try await table.putNewInstant(Instant(timestamp: r, action: "rollback", state: .completed), try metadata.avro(), timeline: tl,
                                      conflict: "rollback \(r) was completed by another writer")
        table.fileSystemView.forget()
        table.logger.warning("rolled back instant", metadata: [
            "table": "\(table.config.tableName)", "instant": "\(t)", "rollback": "\(r)", "files": "\(metadata.totalFilesDeleted)",
        ])
        return RollbackResult(instant: r, metadata: metadata)
    }
}

import Foundation
import ObjectStore

/// Recovery of failed writes before a write (Hudi's EAGER failed-writes policy): with the
/// single-writer lease every pending instant is a crashed write; with optimistic
/// concurrency only those whose writer's heartbeat is gone (a live writer's pending
/// instant is left alone). Also removes heartbeats nobody needs.
struct FailedWriteRecovery: Sendable {
    let table: TableParts
    let rollbacks: RollbackService

    /// Rolls back failed writes before writing: with the lease every pending data instant
    /// is a crashed write; with optimistic concurrency only those whose writer's heartbeat
    /// is gone (a live writer's pending instant is left alone). Returns the timeline after.
    func recover(_ tl: Timeline) async throws -> Timeline {
        let pending = tl.pending.filter(\.isDataCommit)
        switch table.options.concurrency {
        case .singleWriter:
            guard !tl.pending.isEmpty else { return tl }
            try await rollbacks.rollbackPending(tl)
        case .optimistic:
            try await deleteOrphanHeartbeats(tl)
            guard !pending.isEmpty else { return tl }
            var dead: [Instant] = []
            for p in pending where try await !InstantHeartbeat.isAlive(store: table.store, instant: p.timestamp, expiry: table.options.leaseDuration) {
                // Completed meanwhile (its writer deletes the heartbeat after the commit point)?
                let completed = Instant(timestamp: p.timestamp, action: p.action, state: .completed)
                if try await table.store.exists(tl.key(of: completed)) { continue }
                dead.append(p)
            }
            guard !dead.isEmpty else { return tl }
            try await rollBack(dead, in: tl)
        }
        return try await table.timeline.load()
    }

    /// Deletes heartbeats nobody needs: those of completed instants (a writer that died
    /// after its commit point, before deleting its heartbeat), and expired ones of instants
    /// that are not pending (a writer that died between its first beat and its requested file).
    private func deleteOrphanHeartbeats(_ tl: Timeline) async throws {
        let pending = Set(tl.pending.map(\.timestamp))
        let completed = Set(tl.completedDataCommits.map(\.timestamp))
        var orphans: [String] = []
        for object in try await table.store.listAll(prefix: InstantHeartbeat.folder + "/") {
            let instant = String(object.key.dropFirst(InstantHeartbeat.folder.count + 1))
            if pending.contains(instant) { continue }
            if completed.contains(instant) {
                orphans.append(object.key)
            } else if try await !InstantHeartbeat.isAlive(store: table.store, instant: instant, expiry: table.options.leaseDuration) {
                orphans.append(object.key)
            }
        }
        try await table.store.delete(orphans)
    }

    /// Rolls back exactly `instants` (failed writes of gone optimistic writers, or our own
    /// conflicting one) and deletes their heartbeats; other pending instants — live
    /// writers' — are left alone.
    /// (`rollbackPending` acts on exactly the pending instants of the timeline it is given.)
    func rollBack(_ instants: [Instant], in tl: Timeline) async throws {
        try await rollbacks.rollbackPending(Timeline(instants: instants, folder: tl.folder, layoutVersion: tl.layoutVersion))
        try await table.store.delete(instants.map { InstantHeartbeat.key($0.timestamp) })
    }

    /// Optimistic mode: rolls back our own failed instant (its files and instant files).
    func rollBackOwn(_ instant: String, in tl: Timeline) async {
        let own = Instant(timestamp: instant, action: table.config.writeAction, state: .inflight)
        do {
            try await rollBack([own], in: tl)
        } catch {
            table.logger.warning("could not roll back own instant", metadata: ["instant": "\(instant)", "error": "\(error)"])
        }
    }
}

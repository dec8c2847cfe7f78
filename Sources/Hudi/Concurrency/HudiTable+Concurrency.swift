import Foundation
import ObjectStore

/// How `performWrite` keeps writers apart: the single-writer lease, recovery of failed
/// writes, and the optimistic commit (conflict check + put-if-absent under a short lock).
extension HudiTable {
    /// Single-writer mode: takes (or re-checks) the table's writer lease.
    func holdWriterLease() async throws {
        guard options.concurrency == .singleWriter else { return }
        if lease == nil {
            lease = WriterLease(store: store, key: WriterLease.defaultKey, duration: options.leaseDuration,
                                renewInterval: options.heartbeatInterval)
        }
        try await lease?.acquire()
    }

    /// Single-writer mode: proves the lease is still ours right before the commit point
    /// (renews it, which reads it back first).
    func confirmWriterLease() async throws {
        guard options.concurrency == .singleWriter, let lease else { return }
        try await lease.renew()
    }

    /// Rolls back failed writes before writing: with the lease every pending data instant
    /// is a crashed write; with optimistic concurrency only those whose writer's heartbeat
    /// is gone (a live writer's pending instant is left alone). Returns the timeline after.
    func recoverFailedWrites(_ tl: Timeline) async throws -> Timeline {
        let pending = tl.pending.filter(\.isDataCommit)
        switch options.concurrency {
        case .singleWriter:
            guard !tl.pending.isEmpty else { return tl }
            try await rollbackPending(tl)
        case .optimistic:
            try await deleteOrphanHeartbeats(tl)
            guard !pending.isEmpty else { return tl }
            var dead: [Instant] = []
            for p in pending where try await !InstantHeartbeat.isAlive(store: store, instant: p.timestamp, expiry: options.leaseDuration) {
                // Completed meanwhile (its writer deletes the heartbeat after the commit point)?
                let completed = Instant(timestamp: p.timestamp, action: p.action, state: .completed)
                if try await store.exists(tl.key(of: completed)) { continue }
                dead.append(p)
            }
            guard !dead.isEmpty else { return tl }
            try await rollBack(dead, in: tl)
        }
        return try await timeline()
    }

    /// Deletes heartbeats nobody needs: those of completed instants (a writer that died
    /// after its commit point, before deleting its heartbeat), and expired ones of instants
    /// that are not pending (a writer that died between its first beat and its requested file).
    private func deleteOrphanHeartbeats(_ tl: Timeline) async throws {
        let pending = Set(tl.pending.map(\.timestamp))
        let completed = Set(tl.completedDataCommits.map(\.timestamp))
        var orphans: [String] = []
        for object in try await store.listAll(prefix: InstantHeartbeat.folder + "/") {
            let instant = String(object.key.dropFirst(InstantHeartbeat.folder.count + 1))
            if pending.contains(instant) { continue }
            if completed.contains(instant) {
                orphans.append(object.key)
            } else if try await !InstantHeartbeat.isAlive(store: store, instant: instant, expiry: options.leaseDuration) {
                orphans.append(object.key)
            }
        }
        try await store.delete(orphans)
    }

    /// Rolls back exactly `instants` (failed writes of gone optimistic writers, or our own
    /// conflicting one) and deletes their heartbeats; other pending instants — live
    /// writers' — are left alone.
    /// (`rollbackPending` acts on exactly the pending instants of the timeline it is given.)
    func rollBack(_ instants: [Instant], in tl: Timeline) async throws {
        try await rollbackPending(Timeline(instants: instants, folder: tl.folder, layoutVersion: tl.layoutVersion))
        try await store.delete(instants.map { InstantHeartbeat.key($0.timestamp) })
    }

    /// Optimistic mode: under the commit lock, waits until no older instant of a live writer
    /// is pending (v6 readers such as hudi-rs do not cross-check files against the timeline,
    /// so completing a newer instant first would expose the older write's files), checks
    /// that no commit completed since `start` touched `groups`, checks our instant is still
    /// pending (not rolled back as dead), then runs `commit` (the put-if-absent).
    /// Throws a retryable `commitConflict` naming the instant and the file groups.
    func commitOptimistically(instant: String, start: Timeline, groups: Set<FileGroupID>,
                              commit: () async throws -> Void) async throws {
        let deadline = Date().addingTimeInterval(options.commitWaitTimeout)
        let lock = WriterLease(store: store, key: WriterLease.commitKey, duration: max(5, options.leaseDuration / 3))
        let startCompleted = Set(start.completedDataCommits.map(\.timestamp))
        var delay = 0.005
        while true {
            var waitingFor: String?
            do {
                try await lock.acquire(heartbeat: true)
            } catch HudiError.writerLocked(let why) {
                waitingFor = "the commit lock (\(why))"
            }
            if waitingFor == nil {
                do {
                    let now = try await timeline()
                    waitingFor = try await olderLiveInstant(than: instant, in: now)
                    if waitingFor == nil {
                        try await checkConflicts(instant: instant, now: now, startCompleted: startCompleted, groups: groups)
                        let inflight = Instant(timestamp: instant, action: "commit", state: .inflight)
                        guard try await store.exists(now.key(of: inflight)) else {
                            throw HudiError.commitConflict("instant \(instant) was rolled back by another writer while it was written (heartbeat expired?)")
                        }
                        try await commit()
                        await lock.release()
                        return
                    }
                } catch {
                    await lock.release()
                    throw error
                }
                await lock.release()
            }
            if Date() >= deadline {
                throw HudiError.commitConflict("instant \(instant) gave up after \(Int(options.commitWaitTimeout)) s waiting for \(waitingFor ?? "?")")
            }
            try await Task.sleep(nanoseconds: UInt64(delay * Double.random(in: 0.5...1.5) * 1e9))
            delay = min(0.5, delay * 2)
        }
    }

    /// Settles older pending data instants: one whose writer is alive is described (we
    /// wait for it); one whose writer is gone is rolled back now. Nil when none is left.
    private func olderLiveInstant(than instant: String, in tl: Timeline) async throws -> String? {
        var dead: [Instant] = []
        for p in tl.pending where p.isDataCommit && p.timestamp < instant {
            if try await InstantHeartbeat.isAlive(store: store, instant: p.timestamp, expiry: options.leaseDuration) {
                return "the older instant \(p.timestamp) of a live writer to complete"
            }
            let completed = Instant(timestamp: p.timestamp, action: p.action, state: .completed)
            if try await !store.exists(tl.key(of: completed)) { dead.append(p) }
        }
        if !dead.isEmpty { try await rollBack(dead, in: tl) }
        return nil
    }

    /// Hudi's `SimpleConcurrentFileWritesConflictResolutionStrategy`: a conflict when a
    /// data commit that completed after we started (not completed in our start timeline)
    /// wrote or replaced one of the file groups we write.
    private func checkConflicts(instant: String, now: Timeline, startCompleted: Set<String>, groups: Set<FileGroupID>) async throws {
        for other in now.completedDataCommits where other.timestamp != instant && !startCompleted.contains(other.timestamp) {
            let meta = try await metadata(of: other, in: now)
            var touched = Set(meta.writeStats.map { FileGroupID(partitionPath: $0.partitionPath, fileId: $0.fileId) })
            for (partition, ids) in meta.partitionToReplaceFileIds {
                for id in ids { touched.insert(FileGroupID(partitionPath: partition, fileId: id)) }
            }
            let overlap = groups.intersection(touched)
            if !overlap.isEmpty {
                let names = overlap.sorted().prefix(5).map { $0.partitionPath.isEmpty ? $0.fileId : "\($0.partitionPath)/\($0.fileId)" }
                throw HudiError.commitConflict(
                    "instant \(instant) conflicts with commit \(other.timestamp), which completed after it started and also wrote "
                    + "file group(s) \(names.joined(separator: ", "))\(overlap.count > 5 ? " and \(overlap.count - 5) more" : ""); retry the write")
            }
        }
    }

    /// Optimistic mode: rolls back our own failed instant (its files and instant files).
    func rollBackOwn(_ instant: String, in tl: Timeline) async {
        let own = Instant(timestamp: instant, action: "commit", state: .inflight)
        do {
            try await rollBack([own], in: tl)
        } catch {
            logger.warning("could not roll back own instant", metadata: ["instant": "\(instant)", "error": "\(error)"])
        }
    }
}

import Foundation
import ObjectStore

/// The optimistic commit (Hudi's OCC): under a short commit lock, settle older pending
/// instants, check for conflicting commits, then run the commit point.
struct OptimisticCommit: Sendable {
    let store: any ObjectStore
    let options: WriteOptions
    let timeline: ActiveTimeline
    let recovery: FailedWriteRecovery

    /// Under the commit lock, waits until no older instant of a live writer
    /// is pending (v6 readers such as hudi-rs do not cross-check files against the timeline,
    /// so completing a newer instant first would expose the older write's files), checks
    /// that no commit completed since `start` touched `groups`, checks our instant is still
    /// pending (not rolled back as dead), then runs `commitPoint` (the put-if-absent).
    /// Throws a retryable `commitConflict` naming the instant and the file groups.
    func run(instant: String, start: Timeline, groups: Set<FileGroupID>, commitPoint: () async throws -> Void) async throws {
        let deadline = Date().addingTimeInterval(options.commitWaitTimeout)
        let lock = commitLock()
        let startCompleted = Set(start.completedDataCommits.map(\.timestamp))
        var delay = 0.005
        while true {
            var waitingFor: String?
            do {
                try await lock.acquire(heartbeat: true)
            } catch let error as HudiError where error.kind == .writerLocked {
                waitingFor = "the commit lock (\(error.message))"
            }
            if waitingFor == nil {
                do {
                    let now = try await timeline.load()
                    waitingFor = try await olderLiveInstant(than: instant, in: now)
                    if waitingFor == nil {
                        try await checkConflicts(instant: instant, now: now, startCompleted: startCompleted, groups: groups)
                        let inflight = Instant(timestamp: instant, action: timeline.config.writeAction, state: .inflight)
                        guard try await store.exists(now.key(of: inflight)) else {
                            throw HudiError(.commitConflict, "instant \(instant) was rolled back by another writer while it was written (heartbeat expired?)")
                        }
                        try await commitPoint()
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
                throw HudiError(.commitConflict, "instant \(instant) gave up after \(Int(options.commitWaitTimeout)) s waiting for \(waitingFor ?? "?")")
            }
            try await Self.pause(&delay)
        }
    }

    /// The table's short commit lock (Hudi's lock provider around the conflict check and commit).
    private func commitLock() -> WriterLease {
        WriterLease(store: store, key: WriterLease.commitKey, duration: max(5, options.leaseDuration / 3))
    }

    /// Sleeps `delay` seconds (jittered), then doubles it up to half a second.
    private static func pause(_ delay: inout Double) async throws {
        try await Task.sleep(nanoseconds: UInt64(delay * Double.random(in: 0.5...1.5) * 1e9))
        delay = min(0.5, delay * 2)
    }

    /// Runs `body` under the commit lock (waiting for it up to `commitWaitTimeout`): for a
    /// change that must not interleave with another writer's commit check and commit point,
    /// such as a compaction's completion.
    func underCommitLock<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let deadline = Date().addingTimeInterval(options.commitWaitTimeout)
        let lock = commitLock()
        var delay = 0.005
        while true {
            do {
                try await lock.acquire(heartbeat: true)
                break
            } catch let error as HudiError where error.kind == .writerLocked {
                if Date() >= deadline { throw HudiError(.commitConflict, "gave up after \(Int(options.commitWaitTimeout)) s waiting for the commit lock (\(error.message))") }
            }
            try await Self.pause(&delay)
        }
        do {
            let result = try await body()
            await lock.release()
            return result
        } catch {
            await lock.release()
            throw error
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
        if !dead.isEmpty { try await recovery.rollBack(dead, in: tl) }
        return nil
    }

    /// Hudi's `SimpleConcurrentFileWritesConflictResolutionStrategy`: a conflict when a
    /// data commit that completed after we started (not completed in our start timeline)
    /// wrote or replaced one of the file groups we write.
    private func checkConflicts(instant: String, now: Timeline, startCompleted: Set<String>, groups: Set<FileGroupID>) async throws {
        for other in now.completedDataCommits where other.timestamp != instant && !startCompleted.contains(other.timestamp) {
            let meta = try await timeline.metadata(of: other, in: now)
            var touched = Set(meta.writeStats.map { FileGroupID(partitionPath: $0.partitionPath, fileId: $0.fileId) })
            for (partition, ids) in meta.partitionToReplaceFileIds {
                for id in ids { touched.insert(FileGroupID(partitionPath: partition, fileId: id)) }
            }
            let overlap = groups.intersection(touched)
            if !overlap.isEmpty {
                let names = overlap.sorted().prefix(5).map { $0.partitionPath.isEmpty ? $0.fileId : "\($0.partitionPath)/\($0.fileId)" }
                throw HudiError(.commitConflict, 
                    "instant \(instant) conflicts with commit \(other.timestamp), which completed after it started and also wrote "
                    + "file group(s) \(names.joined(separator: ", "))\(overlap.count > 5 ? " and \(overlap.count - 5) more" : ""); retry the write")
            }
        }
    }
}

import Foundation
import Logging
import ObjectStore

/// What a clean did.
public struct CleanResult: Sendable {
    /// The clean instant's time.
    public var instant: String
    public var metadata: CleanMetadata
}

/// The cleaner, Hudi's `KEEP_LATEST_COMMITS` policy (`hoodie.cleaner.commits.retained`,
/// ``WriteOptions/cleanerCommitsRetained``): after a commit, base files that no snapshot as
/// of one of the last N completed commits reads are deleted; the latest slice of a file
/// group never is. Each clean is an instant: `<c>.clean.requested` (Avro
/// `HoodieCleanerPlan`) → `<c>.clean.inflight` (the same plan) → deletes → `<c>.clean`
/// (Avro `HoodieCleanMetadata`), so Hudi on Spark can keep writing and cleaning the table.
///
/// Run by the ``TableWriter`` (which holds the write turn and the lease). Not done:
/// archival (`hoodie.keep.min/max.commits`) — every instant stays on the active timeline,
/// costing only listing time; and file groups replaced by a `replacecommit` are left alone
/// (never cleaned).
struct Cleaner: Sendable {
    static let policy = "KEEP_LATEST_COMMITS"

    let table: TableParts

    /// Cleans with `retained` commits kept: plans against the writer's view when it is
    /// current, else a fresh listing, and leaves the writer's view current. Nil when there
    /// was nothing to delete.
    func run(retained: Int) async throws -> CleanResult? {
        let tl = try await table.timeline.load()
        let retained = max(1, retained)
        guard tl.completedDataCommits.count > retained else { return nil }
        let names = Set(tl.instants.map(\.fileName))
        let listing = try await table.fileSystemView.listing(asOf: names)
        let replaced = try await table.timeline.replacedFileGroups(tl, asOf: nil)
        guard let plan = Self.plan(timeline: tl, listing: listing, replaced: replaced, retained: retained) else { return nil }
        let cleanTime = table.instantTimes.next(after: tl.latestTimestamp)
        let requested = Instant(timestamp: cleanTime, action: "clean", state: .requested)
        try await table.putNewInstant(requested, try plan.avro(), timeline: tl,
                                      conflict: "clean instant \(cleanTime) already requested by another writer")
        let result = try await execute(plan, cleanInstant: cleanTime, timeline: tl)
        // Keep the writer's view current: deleted slices gone, the clean on the timeline.
        var newListing = listing
        let deleted = Set(plan.filesByPartition.values.flatMap { $0 })
        for (id, group) in listing {
            var g = group
            g.slices = g.slices.filter { !deleted.contains($0.value.path) }
            g.logFiles = g.logFiles.filter { !deleted.contains($0.path) }
            newListing[id] = g
        }
        table.fileSystemView.remember(newListing, asOf: names.union([Instant(timestamp: cleanTime, action: "clean", state: .completed).fileName]))
        return result
    }

    /// The files `KEEP_LATEST_COMMITS` deletes now (nil when none), from values only:
    /// committed slices of groups not `replaced`, newest first; every one at or after the
    /// earliest retained commit is kept, and the newest before it (the one a snapshot as of
    /// that commit reads).
    static func plan(timeline tl: Timeline, listing: FileSystemView.Listing, replaced: Set<FileGroupID>,
                     retained: Int) -> CleanerPlan? {
        let commits = tl.completedDataCommits
        guard commits.count > retained, let latest = commits.last?.timestamp else { return nil }
        let earliest = commits[commits.count - retained].timestamp
        var files: [String: [String]] = [:]
        for (id, group) in listing where !replaced.contains(id) {
            let committed = group.slices.keys.filter { tl.isCommitted($0, asOf: latest) }.sorted(by: >)
            guard let keepIndex = committed.firstIndex(where: { $0 <= earliest }) else { continue }
            for (i, stamp) in committed.enumerated() where i > keepIndex {
                guard let slice = group.slices[stamp] else { continue }
                files[id.partitionPath, default: []].append(slice.path)
                // Merge-on-read: the slice's log files go with it (those from its base
                // instant up to the next newer committed slice's).
                let newer = committed[i - 1]
                for log in group.logFiles where log.name.baseInstant >= stamp && log.name.baseInstant < newer {
                    files[id.partitionPath, default: []].append(log.path)
                }
            }
        }
        guard !files.isEmpty else { return nil }
        return CleanerPlan(earliestInstantToRetain: earliest, lastCompletedCommit: latest, policy: policy,
                           filesByPartition: files)
    }

    /// `<c>.clean.inflight` → delete the plan's files → `<c>.clean`; idempotent, so a
    /// crashed clean is finished by the next writer's recovery from `<c>.clean.requested`.
    func execute(_ plan: CleanerPlan, cleanInstant c: String, timeline tl: Timeline) async throws -> CleanResult {
        let started = Date()
        let inflight = Instant(timestamp: c, action: "clean", state: .inflight)
        if try await !table.store.exists(tl.key(of: inflight)) { try await table.store.put(tl.key(of: inflight), try plan.avro()) }
        try await table.store.delete(plan.filesByPartition.values.flatMap { $0 })
        let metadata = CleanMetadata(
            startCleanTime: c, timeTakenInMillis: Int64(Date().timeIntervalSince(started) * 1000),
            earliestCommitToRetain: plan.earliestInstantToRetain ?? "", lastCompletedCommit: plan.lastCompletedCommit,
            policy: plan.policy, deletedByPartition: plan.filesByPartition.mapValues { $0.map { FileSystemView.splitKey($0).1 } })
        try await table.putNewInstant(Instant(timestamp: c, action: "clean", state: .completed), try metadata.avro(), timeline: tl,
                                      conflict: "clean \(c) was completed by another writer")
        table.logger.debug("hudi clean", metadata: [
            "table": "\(table.config.tableName)", "instant": "\(c)", "files": "\(metadata.totalFilesDeleted)",
            "earliestCommitToRetain": "\(metadata.earliestCommitToRetain)",
        ])
        return CleanResult(instant: c, metadata: metadata)
    }
}

import Foundation
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
/// Not done: archival (`hoodie.keep.min/max.commits`) — every instant stays on the active
/// timeline, costing only listing time; and file groups replaced by a `replacecommit` are
/// left alone (never cleaned).
extension HudiTable {
    static let cleanerPolicy = "KEEP_LATEST_COMMITS"

    /// Runs the cleaner now; nil when there was nothing to delete.
    @discardableResult
    public func clean() async throws -> CleanResult? {
        await acquireWriteTurn()
        defer { releaseWriteTurn() }
        // MERGE NOTE (hudi-concurrency): take the single-writer lease here too
        // (`try await holdWriterLease()`) before recovering and cleaning.
        let tl = try await timeline()
        if !tl.pending.isEmpty { try await rollbackPending(tl) }
        return try await cleanAfterCommit()
    }

    /// The cleaner run after a commit (write turn held): plans against the writer's view
    /// when it is current, else a fresh listing.
    func cleanAfterCommit() async throws -> CleanResult? {
        let tl = try await timeline()
        let retained = max(1, options.cleanerCommitsRetained)
        guard tl.completedDataCommits.count > retained else { return nil }
        let names = Set(tl.instants.map(\.fileName))
        let listing: [FileGroupID: FileGroup]
        if let view = writerView, view.timeline == names { listing = view.listing } else { listing = try await listBaseFiles() }
        guard let plan = try await planClean(timeline: tl, listing: listing, retained: retained) else { return nil }
        let cleanTime = instantTimes.next(after: tl.latestTimestamp)
        let requested = Instant(timestamp: cleanTime, action: "clean", state: .requested)
        do {
            try await store.putIfAbsent(tl.key(of: requested), try plan.avro())
        } catch ObjectStoreError.alreadyExists {
            throw HudiError.commitConflict("clean instant \(cleanTime) already requested by another writer")
        }
        let result = try await executeClean(plan, cleanInstant: cleanTime, timeline: tl)
        // Keep the writer's view current: deleted slices gone, the clean on the timeline.
        var newListing = listing
        let deleted = Set(plan.filesByPartition.values.flatMap { $0 })
        for (id, group) in listing {
            var g = group
            g.slices = g.slices.filter { !deleted.contains($0.value.path) }
            newListing[id] = g
        }
        writerView = (names.union([Instant(timestamp: cleanTime, action: "clean", state: .completed).fileName]), newListing)
        return result
    }

    /// The files `KEEP_LATEST_COMMITS` deletes now; nil when none.
    func planClean(timeline tl: Timeline, listing: [FileGroupID: FileGroup], retained: Int) async throws -> CleanerPlan? {
        let commits = tl.completedDataCommits
        guard commits.count > retained, let latest = commits.last?.timestamp else { return nil }
        let earliest = commits[commits.count - retained].timestamp
        let replaced = try await replacedFileGroups(tl, asOf: nil)
        var files: [String: [String]] = [:]
        for (id, group) in listing where !replaced.contains(id) {
            // Committed slices, newest first; keep every one at or after `earliest` and the
            // newest before it (the one a snapshot as of `earliest` reads).
            let committed = group.slices.keys.filter { tl.isCommitted($0, asOf: latest) }.sorted(by: >)
            guard let keepIndex = committed.firstIndex(where: { $0 <= earliest }) else { continue }
            for stamp in committed[(keepIndex + 1)...] {
                if let slice = group.slices[stamp] { files[id.partitionPath, default: []].append(slice.path) }
            }
        }
        guard !files.isEmpty else { return nil }
        return CleanerPlan(earliestInstantToRetain: earliest, lastCompletedCommit: latest, policy: Self.cleanerPolicy,
                           filesByPartition: files)
    }

    /// `<c>.clean.inflight` → delete the plan's files → `<c>.clean`; idempotent, so a
    /// crashed clean is finished by ``rollbackPending(_:)`` from `<c>.clean.requested`.
    func executeClean(_ plan: CleanerPlan, cleanInstant c: String, timeline tl: Timeline) async throws -> CleanResult {
        let started = Date()
        let inflight = Instant(timestamp: c, action: "clean", state: .inflight)
        if try await !store.exists(tl.key(of: inflight)) { try await store.put(tl.key(of: inflight), try plan.avro()) }
        try await store.delete(plan.filesByPartition.values.flatMap { $0 })
        let metadata = CleanMetadata(
            startCleanTime: c, timeTakenInMillis: Int64(Date().timeIntervalSince(started) * 1000),
            earliestCommitToRetain: plan.earliestInstantToRetain ?? "", lastCompletedCommit: plan.lastCompletedCommit,
            policy: plan.policy, deletedByPartition: plan.filesByPartition.mapValues { $0.map { Self.splitKey($0).1 } })
        do {
            try await store.putIfAbsent(tl.key(of: Instant(timestamp: c, action: "clean", state: .completed)), try metadata.avro())
        } catch ObjectStoreError.alreadyExists {
            throw HudiError.commitConflict("clean \(c) was completed by another writer")
        }
        logger.debug("hudi clean", metadata: [
            "table": "\(config.tableName)", "instant": "\(c)", "files": "\(metadata.totalFilesDeleted)",
            "earliestCommitToRetain": "\(metadata.earliestCommitToRetain)",
        ])
        return CleanResult(instant: c, metadata: metadata)
    }

    /// Metadata of a completed clean instant.
    public func cleanMetadata(_ instant: Instant) async throws -> CleanMetadata {
        try CleanMetadata(avro: try await store.get(try await timeline().key(of: instant)))
    }

    /// The oldest instant a time-travel read can still be served as of: the
    /// `earliestCommitToRetain` of the latest completed clean (nil: nothing was cleaned,
    /// every commit is readable).
    public func earliestQueryableInstant() async throws -> String? {
        try await earliestQueryableInstant(try await timeline())
    }

    func earliestQueryableInstant(_ tl: Timeline) async throws -> String? {
        guard let last = tl.instants.last(where: { $0.action == "clean" && $0.state == .completed }) else { return nil }
        let m = try CleanMetadata(avro: try await store.get(tl.key(of: last)))
        return m.earliestCommitToRetain.isEmpty ? nil : m.earliestCommitToRetain
    }

    /// Throws when `instant` is older than what the cleaner kept.
    func requireQueryable(_ instant: String, _ tl: Timeline) async throws {
        if let earliest = try await earliestQueryableInstant(tl), instant < earliest {
            throw HudiError.invalidArgument(
                "instant \(instant) is older than the cleaner's retention: its files were cleaned; the earliest queryable instant is \(earliest)")
        }
    }
}

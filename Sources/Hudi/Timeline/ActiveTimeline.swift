import Foundation
import ObjectStore
import Synchronization

/// The table's active timeline on storage (Java's `HoodieActiveTimeline`, hudi-rs's
/// `Timeline`): loads the instants (a ``Timeline`` value, as stored at that moment) and
/// reads instant metadata, keeping the parsed commit metadata of completed instants, which
/// never change, in its own cache. Shared by the table's readers and its writer.
public final class ActiveTimeline: Sendable {
    let store: any ObjectStore
    let config: TableConfig
    /// Parsed commit metadata by instant file key.
    private let cache = Mutex<[String: CommitMetadata]>([:])

    init(store: any ObjectStore, config: TableConfig) {
        self.store = store
        self.config = config
    }

    /// The instants as stored now.
    public func load() async throws -> Timeline {
        try await Timeline.load(store: store, config: config)
    }

    /// Metadata of a completed instant of `tl` (cached; pending instants are read each time).
    public func metadata(of instant: Instant, in tl: Timeline) async throws -> CommitMetadata {
        let key = tl.key(of: instant)
        if instant.state == .completed, let m = cache.withLock({ $0[key] }) { return m }
        let m = try await tl.metadata(of: instant, store: store)
        if instant.state == .completed { cache.withLock { $0[key] = m } }
        return m
    }

    /// Metadata of each of `instants` of `tl`, in order.
    func metadata(of instants: [Instant], in tl: Timeline) async throws -> [CommitMetadata] {
        var out: [CommitMetadata] = []
        out.reserveCapacity(instants.count)
        for instant in instants { out.append(try await metadata(of: instant, in: tl)) }
        return out
    }

    /// `extraMetadata` of the latest completed commit (nil when the table has none).
    public func latestCommitExtraMetadata() async throws -> [String: String]? {
        let tl = try await load()
        guard let last = tl.latestCompletedCommit else { return nil }
        return try await metadata(of: last, in: tl).extraMetadata
    }

    /// For each key, the value in the newest completed commit that has it (Hudi's streamer
    /// looks back the same way, so commits without a checkpoint do not lose it).
    public func latestExtraMetadataValues(_ keys: [String]) async throws -> [String: String] {
        guard !keys.isEmpty else { return [:] }
        return try await latestExtraMetadataValues(keys, in: try await load())
    }

    /// The same, as of the timeline `tl`.
    func latestExtraMetadataValues(_ keys: [String], in tl: Timeline) async throws -> [String: String] {
        var found: [String: String] = [:]
        for instant in tl.completedDataCommits.reversed() where found.count < keys.count {
            let extra = try await metadata(of: instant, in: tl).extraMetadata
            for key in keys where found[key] == nil { found[key] = extra[key] }
        }
        return found
    }

    /// File groups replaced (insert_overwrite, clustering) by a completed replacecommit up
    /// to `asOf` (all of them when nil).
    func replacedFileGroups(_ tl: Timeline, asOf: String?) async throws -> Set<FileGroupID> {
        SlicePlanner.replacedFileGroups(try await metadata(of: tl.replaceCommits(asOf: asOf), in: tl))
    }

    /// Bytes per record from the newest commit that wrote more than `threshold` ×
    /// `smallFileLimit` bytes (Hudi's `averageBytesPerRecord`), else the configured estimate.
    func averageRecordSize(_ tl: Timeline, options: WriteOptions) async throws -> Int {
        for instant in tl.completedDataCommits.reversed().prefix(10) {
            let stats = try await metadata(of: instant, in: tl).writeStats
            let bytes = stats.reduce(Int64(0)) { $0 + $1.totalWriteBytes }
            let records = stats.reduce(Int64(0)) { $0 + $1.numWrites }
            if records > 0, Double(bytes) > options.recordSizeEstimationThreshold * Double(options.smallFileLimit) {
                return max(1, Int(bytes / records))
            }
        }
        return options.recordSizeEstimate
    }

    // MARK: Service instants

    /// Metadata of a completed clean instant.
    public func cleanMetadata(_ instant: Instant, in tl: Timeline) async throws -> CleanMetadata {
        try CleanMetadata(avro: try await store.get(tl.key(of: instant)))
    }

    /// Metadata of a completed rollback instant.
    public func rollbackMetadata(_ instant: Instant, in tl: Timeline) async throws -> RollbackMetadata {
        try RollbackMetadata(avro: try await store.get(tl.key(of: instant)))
    }

    /// The oldest instant a time-travel read can still be served as of: the
    /// `earliestCommitToRetain` of the latest completed clean (nil: nothing was cleaned).
    func earliestQueryableInstant(_ tl: Timeline) async throws -> String? {
        guard let last = tl.instants.last(where: { $0.action == "clean" && $0.state == .completed }) else { return nil }
        let m = try await cleanMetadata(last, in: tl)
        return m.earliestCommitToRetain.isEmpty ? nil : m.earliestCommitToRetain
    }

    /// Throws when `instant` is older than what the cleaner kept.
    func requireQueryable(_ instant: String, _ tl: Timeline) async throws {
        if let earliest = try await earliestQueryableInstant(tl), instant < earliest {
            throw HudiError(.invalidArgument, 
                "instant \(instant) is older than the cleaner's retention: its files were cleaned; the earliest queryable instant is \(earliest)")
        }
    }
}

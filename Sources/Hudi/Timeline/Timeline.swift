import Foundation
import ObjectStore
import TributaryCore

/// The instants of a table's active timeline, loaded from `.hoodie/` (layout 1) or
/// `.hoodie/timeline/` (layout 2), sorted by requested time.
public struct Timeline: Sendable {
    /// Every instant file found, one entry per (timestamp, action) in its most advanced state.
    public var instants: [Instant]
    /// Folder the instant files live in, relative to the table root.
    public var folder: String
    public var layoutVersion: Int

    public init(instants: [Instant], folder: String, layoutVersion: Int) {
        // A compaction completes as `<c>.commit`; its requested and inflight files stay
        // (as Hudi leaves them), so it is pending only until that commit exists.
        let committed = Set(instants.filter { $0.action == "commit" && $0.state == .completed }.map(\.timestamp))
        self.instants = instants.filter { !($0.action == "compaction" && committed.contains($0.timestamp)) }.sorted()
        self.folder = folder
        self.layoutVersion = layoutVersion
    }

    /// Completed `commit`/`replacecommit`/`deltacommit` instants (what readers see).
    public var completedDataCommits: [Instant] { instants.filter { $0.state == .completed && $0.isDataCommit } }

    /// Requested or inflight instants (failed or running writes).
    public var pending: [Instant] { instants.filter { $0.state != .completed } }

    /// The newest requested time of any instant (a new instant must be greater).
    public var latestTimestamp: String? { instants.map(\.timestamp).max() }

    /// The newest requested time of a data commit in any state.
    public var latestDataTimestamp: String? { instants.filter(\.isDataCommit).map(\.timestamp).max() }

    public var latestCompletedCommit: Instant? { completedDataCommits.last }

    /// Whether a base file written at `instant` is committed as of `asOf` (Java's
    /// `HoodieFileGroup.isFileSliceCommitted`: not after `asOf`, and completed or older than
    /// the first completed commit, i.e. archived).
    public func isCommitted(_ instant: String, asOf: String) -> Bool {
        guard instant <= asOf else { return false }
        let completed = completedDataCommits
        if completed.contains(where: { $0.timestamp == instant }) { return true }
        if let first = completed.first?.timestamp, instant < first { return true }
        return false
    }

    /// Completed replacecommits up to `asOf` (all when nil): their file groups are replaced.
    public func replaceCommits(asOf: String?) -> [Instant] {
        completedDataCommits.filter { c in c.action == "replacecommit" && asOf.map { c.timestamp <= $0 } ?? true }
    }

    /// Completed data commits in `(begin, end]` (`begin` nil: from the first).
    public func completedDataCommits(after begin: String?, upTo end: String) -> [Instant] {
        completedDataCommits.filter { c in (begin.map { c.timestamp > $0 } ?? true) && c.timestamp <= end }
    }

    /// Key of an instant's file.
    public func key(of instant: Instant) -> String { "\(folder)/\(instant.fileName)" }

    /// Lists the timeline folder of a table.
    static func load(store: any ObjectStore, config: TableConfig) async throws -> Timeline {
        let folder = config.timelineFolder
        var byKey: [String: Instant] = [:]
        for try await entry in store.list(prefix: folder + "/", delimiter: "/") {
            guard let object = entry.object else { continue }
            let name = String(object.key.dropFirst(folder.count + 1))
            guard let instant = Instant.parse(fileName: name) else { continue }
            let k = "\(instant.timestamp).\(instant.action)"
            if let old = byKey[k], old.state >= instant.state { continue }
            byKey[k] = instant
        }
        return Timeline(instants: Array(byKey.values), folder: folder, layoutVersion: config.timelineLayoutVersion ?? 1)
    }

    /// Reads the commit metadata of a completed instant (JSON in layout 1, Avro in layout 2).
    func metadata(of instant: Instant, store: any ObjectStore) async throws -> CommitMetadata {
        let data = try await store.get(key(of: instant))
        if data.isEmpty { return CommitMetadata() }
        if data.starts(with: [0x4F, 0x62, 0x6A, 0x01]) {
            guard let record = try AvroReader.records(data).first else { return CommitMetadata() }
            return CommitMetadata(json: record)
        }
        return try CommitMetadata.parse(json: data)
    }
}

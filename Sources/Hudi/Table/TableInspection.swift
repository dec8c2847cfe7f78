import Foundation
import ObjectStore

/// One timeline entry with what it did, for inspection (`tributary tables timeline`).
public struct InstantSummary: Sendable {
    public var instant: Instant
    /// `operationType` of a data commit (`UPSERT`, `INSERT`, `DELETE`, ...).
    public var operation: String?
    /// Rows inserted, updated and deleted, and base files and bytes written (data commits).
    public var inserts: Int64 = 0
    public var updates: Int64 = 0
    public var deletes: Int64 = 0
    public var filesWritten = 0
    public var bytesWritten: Int64 = 0
    /// The source checkpoint (`deltastreamer.checkpoint.key`) stored with a commit.
    public var checkpoint: String?
    /// Rollbacks: the instants they undid. Cleans and rollbacks: the files they deleted.
    public var rolledBack: [String] = []
    public var filesDeleted = 0
    /// Cleans: the oldest commit kept readable.
    public var earliestCommitToRetain: String?
}

/// What compaction has yet to fold (merge-on-read): the pending compactions and the log
/// files of the table's latest file slices, beside their base files (`/metrics` shows them;
/// logs that outgrow their base files make snapshot reads slow).
public struct LogBacklog: Sendable, Equatable {
    /// Compactions requested or inflight on the timeline.
    public var pendingCompactions = 0
    /// Log files of the latest slices (those a snapshot read merges), and their bytes.
    public var logFiles = 0
    public var logBytes = 0
    /// Base files of the latest slices, and their bytes.
    public var baseFiles = 0
    public var baseBytes = 0

    /// The backlog of `timeline` and a snapshot `plan` of it (a copy-on-write table has no
    /// logs and no compactions).
    public init(timeline: Timeline, plan: SnapshotPlan) {
        pendingCompactions = timeline.pending.filter { $0.action == "compaction" }.count
        for slice in plan.slices {
            baseFiles += 1
            baseBytes += slice.size
            logFiles += slice.logFiles.count
            logBytes += slice.logFiles.reduce(0) { $0 + $1.size }
        }
    }
}

extension HudiTable {
    /// The table's ``LogBacklog`` now (lists its files).
    public func logBacklog() async throws -> LogBacklog {
        LogBacklog(timeline: try await timeline(), plan: try await planSnapshot())
    }

    /// Every file group on storage (all slices, committed or not), sorted by partition and id.
    public func fileGroups() async throws -> [FileGroup] {
        try await fileSystemView.fileGroups()
    }

    /// Metadata of a completed clean instant.
    public func cleanMetadata(_ instant: Instant) async throws -> CleanMetadata {
        try await activeTimeline.cleanMetadata(instant, in: try await timeline())
    }

    /// Metadata of a completed rollback instant.
    public func rollbackMetadata(_ instant: Instant) async throws -> RollbackMetadata {
        try await activeTimeline.rollbackMetadata(instant, in: try await timeline())
    }

    /// The timeline with each completed instant's metadata summarized; pending instants
    /// and instants whose metadata cannot be read are listed with their action and state only.
    public func timelineSummary() async throws -> [InstantSummary] {
        let tl = try await timeline()
        var out: [InstantSummary] = []
        for instant in tl.instants {
            var s = InstantSummary(instant: instant)
            guard instant.state == .completed else { out.append(s); continue }
            do {
                switch instant.action {
                case "commit", "replacecommit", "deltacommit":
                    let m = try await activeTimeline.metadata(of: instant, in: tl)
                    s.operation = m.operationType
                    for w in m.writeStats {
                        s.inserts += w.numInserts
                        s.updates += w.numUpdateWrites
                        s.deletes += w.numDeletes
                        s.bytesWritten += w.totalWriteBytes
                    }
                    s.filesWritten = m.writeStats.count
                    s.checkpoint = m.extraMetadata[Hudi.checkpointKey]
                case "rollback":
                    let m = try await activeTimeline.rollbackMetadata(instant, in: tl)
                    s.rolledBack = m.commitsRollback
                    s.filesDeleted = m.totalFilesDeleted
                case "clean":
                    let m = try await activeTimeline.cleanMetadata(instant, in: tl)
                    s.filesDeleted = m.totalFilesDeleted
                    s.earliestCommitToRetain = m.earliestCommitToRetain
                default:
                    break
                }
            } catch {
                logger.warning("unreadable instant metadata", metadata: ["instant": "\(instant.fileName)", "error": "\(error)"])
            }
            out.append(s)
        }
        return out
    }

    /// The Avro schema of the table's data columns: the latest commit's, else the create schema.
    public func currentSchema() async throws -> String? {
        if let s = try await latestCommitExtraMetadata()?["schema"] { return s }
        return config[TableConfig.Key.createSchema]
    }
}

extension HudiTable {
    /// Folder names directly under `lake` that hold a Hudi table (a `.hoodie/hoodie.properties`),
    /// sorted; hidden folders are skipped.
    public static func tableFolders(in lake: any ObjectStore) async throws -> [String] {
        var names: [String] = []
        for try await entry in lake.list(prefix: "", delimiter: "/") {
            guard case .commonPrefix(let p) = entry else { continue }
            let name = String(p.dropLast(p.hasSuffix("/") ? 1 : 0))
            guard !name.isEmpty, !name.hasPrefix(".") else { continue }
            if try await lake.scoped(to: name).exists(propertiesKey) { names.append(name) }
        }
        return names.sorted()
    }
}

import Foundation
import TributaryCore

/// Reads: snapshot, time travel and incremental plans — the timeline and the file-system
/// view fetch, ``SlicePlanner`` decides — and rows through the Parquet reader.
extension HudiTable {
    /// Plans a snapshot read as of `asOf` (an instant `yyyyMMddHHmmssSSS` or a
    /// `yyyy-MM-dd[ HH:mm:ss[.SSS]]` time; default: the latest completed commit). An
    /// instant older than the cleaner's retention throws, naming the earliest queryable one.
    ///
    /// On a merge-on-read table each slice carries its log files, which a reader merges
    /// (``SnapshotReader``); `readOptimized` plans the base files alone (Hudi's
    /// read-optimized query: fast, but without what the logs hold since the last compaction).
    public func planSnapshot(asOf: String? = nil, readOptimized: Bool = false) async throws -> SnapshotPlan {
        let tl = try await timeline()
        if let asOf, tl.latestCompletedCommit != nil { try await activeTimeline.requireQueryable(try SlicePlanner.resolveInstant(asOf), tl) }
        let listing = try await fileSystemView.listFileGroups()
        var plan = try await activeTimeline.planSnapshot(tl, fileGroups: listing, asOf: asOf)
        if readOptimized {
            for i in plan.slices.indices { plan.slices[i].logFiles = [] }
        }
        return plan
    }

    /// Plans snapshot reads as of each of `instants` from one timeline and one listing (the
    /// Iceberg exporter plans every commit; one listing instead of one per commit).
    public func planSnapshots(asOf instants: [String]) async throws -> [SnapshotPlan] {
        let tl = try await timeline()
        let listing = try await fileSystemView.listFileGroups()
        var plans: [SnapshotPlan] = []
        for asOf in instants {
            if tl.latestCompletedCommit != nil { try await activeTimeline.requireQueryable(try SlicePlanner.resolveInstant(asOf), tl) }
            plans.append(try await activeTimeline.planSnapshot(tl, fileGroups: listing, asOf: asOf))
        }
        return plans
    }

    /// Plans an incremental read of the commits after `begin` up to `end` (instants or
    /// times as `planSnapshot(asOf:)` accepts; `end` defaults to the latest commit). The files
    /// are the slices as of `end`, so an `end` older than the cleaner's retention throws.
    public func planIncremental(since begin: String?, until end: String? = nil) async throws -> IncrementalPlan {
        let tl = try await timeline()
        guard let latest = tl.latestCompletedCommit?.timestamp else { return IncrementalPlan(begin: begin, end: nil, slices: []) }
        let lower = try begin.map(SlicePlanner.resolveInstant)
        let upper = try end.map(SlicePlanner.resolveInstant) ?? latest
        if end != nil { try await activeTimeline.requireQueryable(upper, tl) }
        let commits = tl.completedDataCommits(after: lower, upTo: upper)
        var touched = SlicePlanner.writtenFileGroups(try await activeTimeline.metadata(of: commits, in: tl))
        // Groups replaced by a replacecommit up to `end` are gone (as hudi-rs leaves them out).
        touched.subtract(try await activeTimeline.replacedFileGroups(tl, asOf: upper))
        guard !touched.isEmpty else { return IncrementalPlan(begin: lower, end: upper, slices: []) }
        let listing = try await fileSystemView.listFileGroups()
        return SlicePlanner.incremental(tl, fileGroups: listing, touched: touched, begin: lower, end: upper)
    }

    /// The oldest instant a time-travel read can still be served as of: the
    /// `earliestCommitToRetain` of the latest completed clean (nil: nothing was cleaned,
    /// every commit is readable).
    public func earliestQueryableInstant() async throws -> String? {
        try await activeTimeline.earliestQueryableInstant(try await timeline())
    }

    /// Reads the snapshot as of `asOf` (default: latest).
    public func readSnapshot(asOf: String? = nil, columns: [String]? = nil, limit: Int? = nil,
                             readOptimized: Bool = false) async throws -> HudiRows {
        let plan = try await planSnapshot(asOf: asOf, readOptimized: readOptimized)
        return try await SnapshotReader.read(store: store, plan: plan, columns: columns, limit: limit,
                                             dropMetaFields: !config.populateMetaFields, precombineField: config.precombineField,
                                             fields: try await schemaFields())
    }

    /// Reads the records committed in `(begin, end]` (hudi-rs's incremental query): the
    /// files of ``planIncremental(since:until:)`` with the `_hoodie_commit_time` filter.
    public func readIncremental(since begin: String?, until end: String? = nil, columns: [String]? = nil) async throws -> HudiRows {
        let plan = try await planIncremental(since: begin, until: end)
        guard let upper = plan.end else { return HudiRows(names: [], rows: []) }
        let wanted = columns.map { $0.contains("_hoodie_commit_time") ? $0 : $0 + ["_hoodie_commit_time"] }
        var rows = try await SnapshotReader.read(store: store, plan: SnapshotPlan(asOf: upper, slices: plan.slices, logInstants: plan.logInstants),
                                                 columns: wanted, precombineField: config.precombineField, fields: try await schemaFields())
        guard let at = rows.names.firstIndex(of: "_hoodie_commit_time") else { return rows }
        rows.rows = rows.rows.filter { row in
            guard case .string(let t) = row[at] else { return false }
            return t <= upper && plan.begin.map { t > $0 } ?? true
        }
        if let columns, !columns.contains("_hoodie_commit_time") {
            rows.names.remove(at: at)
            rows.rows = rows.rows.map { var r = $0; r.remove(at: at); return r }
        }
        return rows
    }

    /// The table's current fields (latest commit's schema), which every read takes its
    /// nested shapes from; nil when the schema has a type the model lacks (a table of another
    /// writer), whose files are then read as they are.
    func schemaFields() async throws -> [Field]? {
        guard let avro = try await currentSchema() else { return nil }
        do {
            return try SchemaEvolution.fields(fromAvro: avro)
        } catch let error as HudiError where error.kind == .unsupported {
            return nil
        }
    }
}

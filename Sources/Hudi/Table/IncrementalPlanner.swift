import Foundation

/// The files an incremental read consists of: for every file group written by a commit in
/// `(begin, end]` and not replaced by a replacecommit up to `end`, its latest slice
/// committed as of `end`. Readers keep only the records
/// whose `_hoodie_commit_time` lies in `(begin, end]` (as hudi-rs's incremental query does),
/// so rows written before `begin` that were carried into a rewritten file are left out.
public struct IncrementalPlan: Sendable {
    /// Exclusive lower bound (nil: from the beginning of the timeline).
    public var begin: String?
    /// Inclusive upper bound (nil: the table has no completed commit).
    public var end: String?
    public var slices: [FileSlice]
    /// Object keys (relative to the table root) of the base files, sorted.
    public var filePaths: [String] { slices.map(\.path).sorted() }
}

extension HudiTable {
    /// Plans an incremental read of the commits after `begin` up to `end` (instants or
    /// times as `planSnapshot(asOf:)` accepts; `end` defaults to the latest commit). The files
    /// are the slices as of `end`, so an `end` older than the cleaner's retention throws.
    public func planIncremental(since begin: String?, until end: String? = nil) async throws -> IncrementalPlan {
        let tl = try await timeline()
        guard let latest = tl.latestCompletedCommit?.timestamp else { return IncrementalPlan(begin: begin, end: nil, slices: []) }
        let lower = try begin.map(Self.resolveInstant)
        let upper = try end.map(Self.resolveInstant) ?? latest
        if end != nil { try await requireQueryable(upper, tl) }
        let commits = tl.completedDataCommits.filter { c in (lower.map { c.timestamp > $0 } ?? true) && c.timestamp <= upper }
        var touched = Set<FileGroupID>()
        for c in commits {
            for (partition, stats) in try await metadata(of: c, in: tl).partitionToWriteStats {
                for s in stats { touched.insert(FileGroupID(partitionPath: s.partitionPath.isEmpty ? partition : s.partitionPath, fileId: s.fileId)) }
            }
        }
        // Groups replaced by a replacecommit up to `end` are gone (as hudi-rs leaves them out).
        touched.subtract(try await replacedFileGroups(tl, asOf: upper))
        guard !touched.isEmpty else { return IncrementalPlan(begin: lower, end: upper, slices: []) }
        let listing = try await listBaseFiles()
        var slices: [FileSlice] = []
        for id in touched {
            if let s = listing[id]?.latestSlice(where: { tl.isCommitted($0, asOf: upper) }) { slices.append(s) }
        }
        slices.sort { ($0.partitionPath, $0.fileId) < ($1.partitionPath, $1.fileId) }
        return IncrementalPlan(begin: lower, end: upper, slices: slices)
    }
}

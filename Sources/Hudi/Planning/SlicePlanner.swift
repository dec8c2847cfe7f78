import Foundation

/// Decides which file slices a read consists of — snapshot, time travel, incremental —
/// from values only: a ``Timeline``, a listing of file groups and the commit metadata the
/// planner asked for. No storage: the table fetches, the planner decides (hudi-rs keeps
/// this apart from its `Timeline` and `FileSystemView` the same way).
public enum SlicePlanner {
    /// The latest committed slice of every file group not in `replaced`, as of `asOf`
    /// (an instant), sorted by partition and file id.
    public static func snapshot(_ tl: Timeline, fileGroups: FileSystemView.Listing, replaced: Set<FileGroupID>,
                                asOf: String) -> SnapshotPlan {
        var slices: [FileSlice] = []
        for (id, group) in fileGroups where !replaced.contains(id) {
            if let s = group.latestSlice(where: { tl.isCommitted($0, asOf: asOf) }) { slices.append(s) }
        }
        return SnapshotPlan(asOf: asOf, slices: sorted(slices), logInstants: logInstants(tl, asOf: asOf))
    }

    /// The latest slice committed as of `end` of every file group in `touched`, sorted.
    public static func incremental(_ tl: Timeline, fileGroups: FileSystemView.Listing, touched: Set<FileGroupID>,
                                   begin: String?, end: String) -> IncrementalPlan {
        var slices: [FileSlice] = []
        for id in touched {
            if let s = fileGroups[id]?.latestSlice(where: { tl.isCommitted($0, asOf: end) }) { slices.append(s) }
        }
        return IncrementalPlan(begin: begin, end: end, slices: sorted(slices), logInstants: logInstants(tl, asOf: end))
    }

    /// The data commits completed as of `asOf`: the instants whose log blocks count.
    public static func logInstants(_ tl: Timeline, asOf: String) -> Set<String> {
        Set(tl.completedDataCommits.lazy.map(\.timestamp).filter { $0 <= asOf })
    }

    /// File groups the replacecommits' metadata names as replaced.
    public static func replacedFileGroups(_ replaceCommits: [CommitMetadata]) -> Set<FileGroupID> {
        var replaced = Set<FileGroupID>()
        for m in replaceCommits {
            for (partition, ids) in m.partitionToReplaceFileIds {
                for id in ids { replaced.insert(FileGroupID(partitionPath: partition, fileId: id)) }
            }
        }
        return replaced
    }

    /// File groups the commits wrote (a stat without a partition path counts under its
    /// partition's key).
    public static func writtenFileGroups(_ commits: [CommitMetadata]) -> Set<FileGroupID> {
        var touched = Set<FileGroupID>()
        for m in commits {
            for (partition, stats) in m.partitionToWriteStats {
                for s in stats { touched.insert(FileGroupID(partitionPath: s.partitionPath.isEmpty ? partition : s.partitionPath, fileId: s.fileId)) }
            }
        }
        return touched
    }

    private static func sorted(_ slices: [FileSlice]) -> [FileSlice] {
        slices.sorted { ($0.partitionPath, $0.fileId) < ($1.partitionPath, $1.fileId) }
    }

    /// Accepts an instant (`yyyyMMddHHmmss[SSS]`), epoch seconds or milliseconds (as
    /// hudi-rs does), or a `yyyy-MM-dd[ HH:mm:ss[.SSS]]` / ISO-8601 UTC time (as Spark does).
    public static func resolveInstant(_ s: String) throws -> String {
        if Instant.isTimestamp(s) { return s }
        if s.allSatisfy(\.isNumber), let v = Int64(s), s.count == 10 || s.count == 13 {
            return InstantTimeGenerator.format(millis: s.count == 10 ? v * 1000 : v)
        }
        let digits = s.filter { $0.isNumber }
        guard !digits.isEmpty, s.allSatisfy({ $0.isNumber || "-: T.Z".contains($0) }) else {
            throw HudiError(.invalidArgument, "as-of '\(s)' is neither an instant nor a yyyy-MM-dd HH:mm:ss time")
        }
        let padded = digits.count <= 17 ? digits + String(repeating: "0", count: 17 - digits.count) : String(digits.prefix(17))
        guard Instant.isTimestamp(padded), InstantTimeGenerator.millis(of: padded) != nil else {
            throw HudiError(.invalidArgument, "as-of '\(s)' is not a valid time")
        }
        return padded
    }
}

extension ActiveTimeline {
    /// The snapshot as of `asOf` (an instant or time; nil: the latest completed commit)
    /// over `fileGroups`: fetches the replacecommits' metadata the planner needs.
    func planSnapshot(_ tl: Timeline, fileGroups: FileSystemView.Listing, asOf: String?) async throws -> SnapshotPlan {
        guard let latest = tl.latestCompletedCommit?.timestamp else { return SnapshotPlan(asOf: nil, slices: []) }
        let resolved = try asOf.map(SlicePlanner.resolveInstant) ?? latest
        let replaced = try await replacedFileGroups(tl, asOf: resolved)
        return SlicePlanner.snapshot(tl, fileGroups: fileGroups, replaced: replaced, asOf: resolved)
    }
}

import Foundation
import ObjectStore

/// The files a snapshot read consists of: the latest committed slice of every live file
/// group as of an instant. The query layer hands `slices` to its Parquet reader.
public struct SnapshotPlan: Sendable {
    /// The instant the snapshot is as of (nil: the table has no completed commit).
    public var asOf: String?
    public var slices: [FileSlice]
    /// Object keys (relative to the table root) of the base files, sorted.
    public var filePaths: [String] { slices.map(\.path).sorted() }
}

extension HudiTable {
    /// Plans a snapshot read as of `asOf` (an instant `yyyyMMddHHmmssSSS` or a
    /// `yyyy-MM-dd[ HH:mm:ss[.SSS]]` time; default: the latest completed commit). An
    /// instant older than the cleaner's retention throws, naming the earliest queryable one.
    public func planSnapshot(asOf: String? = nil) async throws -> SnapshotPlan {
        let tl = try await timeline()
        if let asOf, tl.latestCompletedCommit != nil { try await requireQueryable(try Self.resolveInstant(asOf), tl) }
        let listing = try await listBaseFiles()
        return try await plan(timeline: tl, listing: listing, asOf: asOf)
    }

    /// Plans snapshot reads as of each of `instants` from one timeline and one listing (the
    /// Iceberg exporter plans every commit; one listing instead of one per commit).
    public func planSnapshots(asOf instants: [String]) async throws -> [SnapshotPlan] {
        let tl = try await timeline()
        let listing = try await listBaseFiles()
        var plans: [SnapshotPlan] = []
        for asOf in instants {
            if tl.latestCompletedCommit != nil { try await requireQueryable(try Self.resolveInstant(asOf), tl) }
            plans.append(try await plan(timeline: tl, listing: listing, asOf: asOf))
        }
        return plans
    }

    /// Every base file of the table, grouped into file groups (any state).
    func listBaseFiles() async throws -> [FileGroupID: FileGroup] {
        var groups: [FileGroupID: FileGroup] = [:]
        for object in try await store.listAll(prefix: "") {
            let key = object.key
            if key.hasPrefix(".hoodie/") { continue }
            let (partition, name) = Self.splitKey(key)
            guard let base = BaseFileName(parsing: name) else { continue }
            let id = FileGroupID(partitionPath: partition, fileId: base.fileId)
            var g = groups[id] ?? FileGroup(id: id)
            g.slices[base.instant] = FileSlice(partitionPath: partition, fileId: base.fileId, instant: base.instant, path: key, size: object.size)
            groups[id] = g
        }
        return groups
    }

    func plan(timeline tl: Timeline, listing: [FileGroupID: FileGroup], asOf: String?) async throws -> SnapshotPlan {
        guard let latest = tl.latestCompletedCommit?.timestamp else { return SnapshotPlan(asOf: nil, slices: []) }
        let resolved = try asOf.map(Self.resolveInstant) ?? latest
        let replaced = try await replacedFileGroups(tl, asOf: resolved)
        var slices: [FileSlice] = []
        for (id, group) in listing where !replaced.contains(id) {
            if let s = group.latestSlice(where: { tl.isCommitted($0, asOf: resolved) }) { slices.append(s) }
        }
        slices.sort { ($0.partitionPath, $0.fileId) < ($1.partitionPath, $1.fileId) }
        return SnapshotPlan(asOf: resolved, slices: slices)
    }

    /// File groups replaced (insert_overwrite, clustering) by a completed replacecommit up
    /// to `asOf` (all of them when nil): no longer part of the table from then on.
    func replacedFileGroups(_ tl: Timeline, asOf: String?) async throws -> Set<FileGroupID> {
        var replaced = Set<FileGroupID>()
        for instant in tl.completedDataCommits where instant.action == "replacecommit" && asOf.map({ instant.timestamp <= $0 }) ?? true {
            for (partition, ids) in try await metadata(of: instant, in: tl).partitionToReplaceFileIds {
                for id in ids { replaced.insert(FileGroupID(partitionPath: partition, fileId: id)) }
            }
        }
        return replaced
    }

    /// Accepts an instant (`yyyyMMddHHmmss[SSS]`), epoch seconds or milliseconds (as
    /// hudi-rs does), or a `yyyy-MM-dd[ HH:mm:ss[.SSS]]` / ISO-8601 UTC time (as Spark does).
    static func resolveInstant(_ s: String) throws -> String {
        if Instant.isTimestamp(s) { return s }
        if s.allSatisfy(\.isNumber), let v = Int64(s), s.count == 10 || s.count == 13 {
            return InstantTimeGenerator.format(millis: s.count == 10 ? v * 1000 : v)
        }
        let digits = s.filter { $0.isNumber }
        guard !digits.isEmpty, s.allSatisfy({ $0.isNumber || "-: T.Z".contains($0) }) else {
            throw HudiError.invalidArgument("as-of '\(s)' is neither an instant nor a yyyy-MM-dd HH:mm:ss time")
        }
        let padded = digits.count <= 17 ? digits + String(repeating: "0", count: 17 - digits.count) : String(digits.prefix(17))
        guard Instant.isTimestamp(padded), InstantTimeGenerator.millis(of: padded) != nil else {
            throw HudiError.invalidArgument("as-of '\(s)' is not a valid time")
        }
        return padded
    }
}

import Foundation
import ObjectStore
import Synchronization

/// The table's data files (everything outside `.hoodie/`) as file groups of file slices,
/// by partition (hudi-rs's `FileSystemView`). Which slices a read sees is the planner's
/// business (``SlicePlanner``); this only lists what is stored.
///
/// It also keeps the writer's view: the listing as of the timeline it was taken with
/// (instant file names), kept current by the writer's own commits and cleans, and reused
/// while nobody else changed the timeline, so a commit does not re-list the whole table.
/// Reads always list afresh.
public final class FileSystemView: Sendable {
    /// File groups by id.
    public typealias Listing = [FileGroupID: FileGroup]

    let store: any ObjectStore
    private let writerView = Mutex<(timeline: Set<String>, listing: Listing)?>(nil)

    init(store: any ObjectStore) {
        self.store = store
    }

    /// Every file group on storage with all its slices (committed or not): base files
    /// grouped by file id, each log file attached to the slice of its base instant.
    public func listFileGroups() async throws -> Listing {
        var groups: Listing = [:]
        var logs: [LogFile] = []
        for object in try await store.listAll(prefix: "") {
            let key = object.key
            if key.hasPrefix(".hoodie/") { continue }
            let (partition, name) = Self.splitKey(key)
            if let base = BaseFileName(parsing: name) {
                let id = FileGroupID(partitionPath: partition, fileId: base.fileId)
                var g = groups[id] ?? FileGroup(id: id)
                g.slices[base.instant] = FileSlice(partitionPath: partition, fileId: base.fileId, instant: base.instant, path: key, size: object.size)
                groups[id] = g
            } else if let log = LogFileName(parsing: name) {
                logs.append(LogFile(name: log, path: key, size: object.size))
            }
        }
        // Logs whose group has no base file (or no longer) belong to no slice we can read.
        for log in logs.sorted() {
            let id = FileGroupID(partitionPath: Self.splitKey(log.path).0, fileId: log.name.fileId)
            groups[id]?.slices[log.name.baseInstant]?.logFiles.append(log)
            groups[id]?.logFiles.append(log)
        }
        return groups
    }

    /// The file groups, sorted by partition and id.
    public func fileGroups() async throws -> [FileGroup] {
        try await listFileGroups().values.sorted { $0.id < $1.id }
    }

    /// Keys of the base files written under instant `t`, by partition.
    func baseFiles(of t: String) async throws -> [String: [String]] {
        var files: [String: [String]] = [:]
        for group in try await listFileGroups().values {
            if let slice = group.slices[t] { files[slice.partitionPath, default: []].append(slice.path) }
        }
        return files.mapValues { $0.sorted() }
    }

    // MARK: The writer's view

    /// The listing as of the timeline `names` (its instant file names): the writer's view
    /// when it was taken at that timeline, else a fresh listing.
    func listing(asOf names: Set<String>) async throws -> Listing {
        if let view = writerView.withLock({ $0 }), view.timeline == names { return view.listing }
        return try await listFileGroups()
    }

    /// Records the listing as of the timeline `names` (after the writer's commit or clean).
    func remember(_ listing: Listing, asOf names: Set<String>) {
        writerView.withLock { $0 = (names, listing) }
    }

    /// Drops the writer's view (a rollback deleted files).
    func forget() {
        writerView.withLock { $0 = nil }
    }

    /// (partition path, file name) of an object key relative to the table root.
    static func splitKey(_ key: String) -> (String, String) {
        guard let slash = key.lastIndex(of: "/") else { return ("", key) }
        return (String(key[..<slash]), String(key[key.index(after: slash)...]))
    }
}

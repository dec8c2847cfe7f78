import Foundation

/// A base file name `<fileId>_<writeToken>_<instant>.<ext>`, parsed like hudi-rs does
/// (split the stem on `_`).
public struct BaseFileName: Sendable, Hashable {
    public var fileId: String
    public var writeToken: String
    /// Requested time of the commit that wrote the file.
    public var instant: String
    public var fileExtension: String

    public init(fileId: String, writeToken: String = "0-0-0", instant: String, fileExtension: String = "parquet") {
        self.fileId = fileId
        self.writeToken = writeToken
        self.instant = instant
        self.fileExtension = fileExtension
    }

    public var name: String { "\(fileId)_\(writeToken)_\(instant).\(fileExtension)" }

    /// Nil for names that are not base files.
    public init?(parsing name: String) {
        guard let dot = name.lastIndex(of: "."), !name.hasPrefix(".") else { return nil }
        let stem = name[..<dot]
        let ext = String(name[name.index(after: dot)...])
        guard ext == "parquet" || ext == "orc" || ext == "hfile" else { return nil }
        let parts = stem.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, Instant.isTimestamp(String(parts[2])) else { return nil }
        fileId = String(parts[0])
        writeToken = String(parts[1])
        instant = String(parts[2])
        fileExtension = ext
    }

    /// A new file group id: a random UUID plus `-0`, as Spark names them (never contains `_`).
    public static func newFileId() -> String { UUID().uuidString.lowercased() + "-0" }
}

/// One base file of a file group: the group's state as of `instant`.
public struct FileSlice: Sendable, Hashable {
    /// Partition path relative to the table root (`""` when not partitioned).
    public var partitionPath: String
    public var fileId: String
    /// Instant that wrote the base file.
    public var instant: String
    /// Object key of the base file relative to the table root.
    public var path: String
    public var size: Int

    public init(partitionPath: String, fileId: String, instant: String, path: String, size: Int) {
        self.partitionPath = partitionPath
        self.fileId = fileId
        self.instant = instant
        self.path = path
        self.size = size
    }

    public var fileName: String { path.split(separator: "/").last.map(String.init) ?? path }
}

/// Identifies a file group across the table.
public struct FileGroupID: Sendable, Hashable, Comparable {
    public var partitionPath: String
    public var fileId: String
    public init(partitionPath: String, fileId: String) {
        self.partitionPath = partitionPath
        self.fileId = fileId
    }
    public static func < (a: FileGroupID, b: FileGroupID) -> Bool { (a.partitionPath, a.fileId) < (b.partitionPath, b.fileId) }
}

/// A file group: its slices by instant.
public struct FileGroup: Sendable {
    public var id: FileGroupID
    public var slices: [String: FileSlice] = [:]

    public init(id: FileGroupID) { self.id = id }

    /// The newest slice whose instant passes `isVisible`.
    public func latestSlice(where isVisible: (String) -> Bool) -> FileSlice? {
        slices.keys.sorted(by: >).first(where: isVisible).flatMap { slices[$0] }
    }
}

/// `.hoodie_partition_metadata` of a partition.
enum PartitionMetadata {
    static let fileName = ".hoodie_partition_metadata"

    static func contents(commitTime: String, depth: Int, date: Date = Date()) -> Data {
        Data(JavaProperties.render([("commitTime", commitTime), ("partitionDepth", String(depth))],
                                   comments: ["partition metadata"], date: date).utf8)
    }
}

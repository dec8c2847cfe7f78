import Foundation

/// A file group's state as of one instant: its base file and the log files appended to
/// it since (merge-on-read; a copy-on-write slice has none). Readers merge the logs into
/// the base file; compaction folds them into the next slice's base file.
public struct FileSlice: Sendable, Hashable {
    /// Partition path relative to the table root (`""` when not partitioned).
    public var partitionPath: String
    public var fileId: String
    /// Instant that wrote the base file (the slice's base instant).
    public var instant: String
    /// Object key of the base file relative to the table root.
    public var path: String
    public var size: Int
    /// Log files of this slice (their base instant is `instant`), oldest first.
    public var logFiles: [LogFile] = []

    public init(partitionPath: String, fileId: String, instant: String, path: String, size: Int) {
        self.partitionPath = partitionPath
        self.fileId = fileId
        self.instant = instant
        self.path = path
        self.size = size
    }

    public var fileName: String { path.split(separator: "/").last.map(String.init) ?? path }

    /// Base file and log files, in bytes: what the writer weighs a group by when packing
    /// inserts. Log bytes count one for one (Hudi scales them by
    /// `hoodie.logfile.to.parquet.compression.ratio`, 0.35, because its Avro log blocks are
    /// bigger than Parquet; ours are Parquet data blocks, compressed like the base file).
    /// Updates in logs overstate the group until compaction folds them in — erring towards
    /// closing a group early rather than growing it past `maxFileSize`.
    public var totalSize: Int { size + logFiles.reduce(0) { $0 + $1.size } }
}

/// One log file of a slice.
public struct LogFile: Sendable, Hashable, Comparable {
    public var name: LogFileName
    /// Object key relative to the table root.
    public var path: String
    public var size: Int

    public static func < (a: LogFile, b: LogFile) -> Bool { a.name < b.name }
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

/// A file group: its slices by base instant, and its log files (merge-on-read).
public struct FileGroup: Sendable {
    public var id: FileGroupID
    public var slices: [String: FileSlice] = [:]
    /// Every log file of the group, oldest first, committed or not.
    public var logFiles: [LogFile] = []

    public init(id: FileGroupID) { self.id = id }

    /// The newest slice whose instant passes `isVisible`, with the log files that belong to
    /// it: those whose base instant is not older than its own. (A log written while a
    /// compaction was pending names the compaction's instant; until that compaction
    /// commits, the slice it will create is not visible and its logs extend this one —
    /// hudi-rs attaches a log to the newest base file not newer than its base instant the
    /// same way.)
    public func latestSlice(where isVisible: (String) -> Bool) -> FileSlice? {
        guard var slice = slices.keys.sorted(by: >).first(where: isVisible).flatMap({ slices[$0] }) else { return nil }
        slice.logFiles = logFiles.filter { $0.name.baseInstant >= slice.instant }
        return slice
    }
}

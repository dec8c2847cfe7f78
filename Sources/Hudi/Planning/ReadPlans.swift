import Foundation

/// The files a snapshot read consists of: the latest committed slice of every live file
/// group as of an instant. The query layer hands `slices` to its Parquet reader.
public struct SnapshotPlan: Sendable {
    /// The instant the snapshot is as of (nil: the table has no completed commit).
    public var asOf: String?
    public var slices: [FileSlice]
    /// The instants whose log blocks a merged read applies (data commits completed as of
    /// `asOf`); nil: every block.
    public var logInstants: Set<String>?
    /// Object keys (relative to the table root) of the base files, sorted.
    public var filePaths: [String] { slices.map(\.path).sorted() }
    /// Whether a reader must merge log files (a merge-on-read slice has some).
    public var hasLogFiles: Bool { slices.contains { !$0.logFiles.isEmpty } }

    public init(asOf: String?, slices: [FileSlice], logInstants: Set<String>? = nil) {
        self.asOf = asOf
        self.slices = slices
        self.logInstants = logInstants
    }
}

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
    /// As ``SnapshotPlan/logInstants``, as of `end`.
    public var logInstants: Set<String>?
    /// Object keys (relative to the table root) of the base files, sorted.
    public var filePaths: [String] { slices.map(\.path).sorted() }

    public init(begin: String?, end: String?, slices: [FileSlice], logInstants: Set<String>? = nil) {
        self.begin = begin
        self.end = end
        self.slices = slices
        self.logInstants = logInstants
    }
}

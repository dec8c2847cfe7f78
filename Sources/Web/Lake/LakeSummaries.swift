import Foundation

/// A column of a lake table (from the Avro schema of its latest commit).
public struct LakeColumn: Sendable, Codable, Equatable {
    public var name: String
    public var type: String
    public var nullable: Bool
}

/// One partition folder of a table's latest snapshot.
public struct LakePartition: Sendable, Codable, Equatable {
    /// The partition path (`event_date=2026-11-26`; empty for unpartitioned tables).
    public var path: String
    public var files: Int
    public var bytes: Int
}

/// A Hudi table of the lake: layout, schema and the size of its latest snapshot.
public struct LakeTableSummary: Sendable, Codable, Equatable {
    /// The folder (= topic) name, also the SQL view name.
    public var name: String
    /// `hoodie.table.name`.
    public var tableName: String
    public var tableVersion: Int
    public var recordKeyFields: [String]
    public var precombineField: String?
    public var partitionFields: [String]
    public var columns: [LakeColumn]
    public var partitions: [LakePartition]
    /// Base files of the latest snapshot, and their bytes.
    public var files: Int
    public var bytes: Int
    /// `copy_on_write` or `merge_on_read`.
    public var tableType: String
    /// Merge-on-read: log files of the latest snapshot (what compaction has yet to fold in),
    /// their bytes, and the compactions requested or inflight.
    public var logFiles: Int
    public var logBytes: Int
    public var pendingCompactions: Int
    /// Completed data commits on the active timeline.
    public var commits: Int
    public var latestCommit: String?
    /// The latest commit's time, ISO 8601 (UTC).
    public var latestCommitTime: String?
}

/// One instant of a table's timeline, with what its commit wrote.
public struct LakeCommit: Sendable, Codable, Equatable {
    public var instant: String
    /// The instant as ISO 8601 (UTC).
    public var time: String?
    public var action: String
    /// `completed`, `inflight` or `requested`.
    public var state: String
    /// `upsert`, `insert`, `delete`, … (from the commit metadata).
    public var operation: String?
    public var inserted: Int64
    public var updated: Int64
    public var deleted: Int64
    /// Records in the files the commit wrote.
    public var written: Int64
    public var bytesWritten: Int64
    public var filesWritten: Int
    public var partitions: [String]
    /// The Kafka checkpoint (`deltastreamer.checkpoint.key`) committed with the rows.
    public var checkpoint: String?
}

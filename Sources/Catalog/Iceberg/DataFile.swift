import Foundation

/// One data file as an Iceberg manifest describes it (content 0: data, Parquet).
public struct IcebergDataFile: Sendable, Equatable {
    /// Absolute URI of the file (table location + object key).
    public var path: String
    /// Identity partition values, in partition-spec order (nil: null).
    public var partition: [String?]
    public var recordCount: Int64
    public var fileSizeInBytes: Int64
    /// Per field id: compressed bytes, values (nulls included), nulls.
    public var columnSizes: [Int: Int64] = [:]
    public var valueCounts: [Int: Int64] = [:]
    public var nullValueCounts: [Int: Int64] = [:]
    /// Per field id: Iceberg single-value serialization of the min / max.
    public var lowerBounds: [Int: [UInt8]] = [:]
    public var upperBounds: [Int: [UInt8]] = [:]

    public init(path: String, partition: [String?], recordCount: Int64, fileSizeInBytes: Int64) {
        self.path = path
        self.partition = partition
        self.recordCount = recordCount
        self.fileSizeInBytes = fileSizeInBytes
    }
}

/// A manifest entry's status.
public enum ManifestEntryStatus: Int64, Sendable {
    case existing = 0, added = 1, deleted = 2
}

/// One manifest entry: a file added, kept or deleted by a snapshot.
public struct ManifestEntry: Sendable, Equatable {
    public var status: ManifestEntryStatus
    /// The snapshot that added the file (deleted: the one that deleted it).
    public var snapshotID: Int64
    /// Data sequence number of the file (the sequence number of the snapshot that added it).
    public var sequenceNumber: Int64
    public var file: IcebergDataFile
}

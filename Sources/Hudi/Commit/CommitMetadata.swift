import Foundation
import TributaryCore

/// Per-file statistics of one commit (`HoodieWriteStat`).
public struct WriteStat: Sendable, Equatable {
    public var fileId: String
    /// Base file path relative to the table root.
    public var path: String
    /// Instant of the slice this file replaces; `"null"` for a new file group (as Hudi writes).
    public var prevCommit: String
    public var numWrites: Int64
    public var numDeletes: Int64
    public var numUpdateWrites: Int64
    public var numInserts: Int64
    public var totalWriteBytes: Int64
    public var totalWriteErrors: Int64 = 0
    public var partitionPath: String
    public var fileSizeInBytes: Int64
    /// Milliseconds spent creating (new groups) or merging (updates), as Hudi reports.
    public var totalCreateTime: Int64 = 0
    public var totalUpsertTime: Int64 = 0
    /// A log append (merge-on-read, `HoodieDeltaWriteStat`): the slice's base file name,
    /// the log file written (`path` is its key) and its version; nil for base files.
    public var log: LogWrite?

    public struct LogWrite: Sendable, Equatable {
        public var baseFile: String
        public var logFile: String
        public var version: Int
    }

    public init(fileId: String, path: String, prevCommit: String, numWrites: Int64, numDeletes: Int64,
                numUpdateWrites: Int64, numInserts: Int64, totalWriteBytes: Int64, partitionPath: String,
                fileSizeInBytes: Int64) {
        self.fileId = fileId
        self.path = path
        self.prevCommit = prevCommit
        self.numWrites = numWrites
        self.numDeletes = numDeletes
        self.numUpdateWrites = numUpdateWrites
        self.numInserts = numInserts
        self.totalWriteBytes = totalWriteBytes
        self.partitionPath = partitionPath
        self.fileSizeInBytes = fileSizeInBytes
    }

    var json: JSONValue {
        .object([
            ("fileId", .string(fileId)),
            ("path", .string(path)),
            ("cdcStats", .null),
            ("prevCommit", .string(prevCommit)),
            ("numWrites", .int(numWrites)),
            ("numDeletes", .int(numDeletes)),
            ("numUpdateWrites", .int(numUpdateWrites)),
            ("numInserts", .int(numInserts)),
            ("totalWriteBytes", .int(totalWriteBytes)),
            ("totalWriteErrors", .int(totalWriteErrors)),
            ("tempPath", .null),
            ("partitionPath", .string(partitionPath)),
            ("totalLogRecords", .int(0)),
            ("totalLogFilesCompacted", .int(0)),
            ("totalLogSizeCompacted", .int(0)),
            ("totalUpdatedRecordsCompacted", .int(0)),
            ("totalLogBlocks", .int(0)),
            ("totalCorruptLogBlock", .int(0)),
            ("totalRollbackBlocks", .int(0)),
            ("fileSizeInBytes", .int(fileSizeInBytes)),
            ("minEventTime", .null),
            ("maxEventTime", .null),
            ("runtimeStats", .object([
                ("totalScanTime", .int(0)), ("totalUpsertTime", .int(totalUpsertTime)),
                ("totalCreateTime", .int(totalCreateTime)),
            ])),
        ] + (log.map { l in [
            ("logVersion", .int(Int64(l.version))), ("logOffset", .int(0)), ("baseFile", .string(l.baseFile)),
            ("logFiles", .array([.string(l.logFile)])),
        ] } ?? []))
    }

    init(json: JSONValue, partition: String) {
        fileId = json["fileId"]?.string ?? ""
        path = json["path"]?.string ?? ""
        prevCommit = json["prevCommit"]?.string ?? "null"
        numWrites = json["numWrites"]?.int ?? 0
        numDeletes = json["numDeletes"]?.int ?? 0
        numUpdateWrites = json["numUpdateWrites"]?.int ?? 0
        numInserts = json["numInserts"]?.int ?? 0
        totalWriteBytes = json["totalWriteBytes"]?.int ?? 0
        totalWriteErrors = json["totalWriteErrors"]?.int ?? 0
        partitionPath = json["partitionPath"]?.string ?? partition
        fileSizeInBytes = json["fileSizeInBytes"]?.int ?? 0
        if let logFile = json["logFiles"]?.arrayValues?.first?.string {
            log = LogWrite(baseFile: json["baseFile"]?.string ?? "", logFile: logFile, version: Int(json["logVersion"]?.int ?? 0))
        }
    }
}

/// Hudi's write operation types (`WriteOperationType` names).
public enum WriteOperation: String, Sendable {
    case insert = "INSERT"
    case upsert = "UPSERT"
    case delete = "DELETE"
    case bulkInsert = "BULK_INSERT"
    case insertOverwrite = "INSERT_OVERWRITE"
    case insertOverwriteTable = "INSERT_OVERWRITE_TABLE"
    case deletePartition = "DELETE_PARTITION"
    case cluster = "CLUSTER"
    case unknown = "UNKNOWN"
}

/// `HoodieCommitMetadata` (and `HoodieReplaceCommitMetadata`): what a commit wrote.
public struct CommitMetadata: Sendable, Equatable {
    /// Write stats per partition path (`""` for a non-partitioned table), in write order.
    public var partitionToWriteStats: [(partition: String, stats: [WriteStat])]
    /// Replacecommit only: file groups this instant logically removes.
    public var partitionToReplaceFileIds: [String: [String]]
    public var compacted: Bool = false
    /// `schema` plus caller-supplied entries (e.g. `deltastreamer.checkpoint.key`).
    public var extraMetadata: [String: String]
    public var operationType: String?

    public init(partitionToWriteStats: [(partition: String, stats: [WriteStat])] = [],
                partitionToReplaceFileIds: [String: [String]] = [:],
                extraMetadata: [String: String] = [:], operationType: String? = nil) {
        self.partitionToWriteStats = partitionToWriteStats
        self.partitionToReplaceFileIds = partitionToReplaceFileIds
        self.extraMetadata = extraMetadata
        self.operationType = operationType
    }

    public static func == (a: CommitMetadata, b: CommitMetadata) -> Bool {
        a.partitionToWriteStats.count == b.partitionToWriteStats.count
            && zip(a.partitionToWriteStats, b.partitionToWriteStats).allSatisfy { $0.partition == $1.partition && $0.stats == $1.stats }
            && a.partitionToReplaceFileIds == b.partitionToReplaceFileIds && a.compacted == b.compacted
            && a.extraMetadata == b.extraMetadata && a.operationType == b.operationType
    }

    /// All write stats.
    public var writeStats: [WriteStat] { partitionToWriteStats.flatMap(\.stats) }

    /// The Avro schema of the data columns the commit was written with.
    public var schema: String? { extraMetadata["schema"] }

    /// JSON (v6 layout-1 form), pretty-printed like Jackson.
    public func jsonData(includeReplace: Bool = false) -> Data {
        var fields: [(String, JSONValue)] = [
            ("partitionToWriteStats", .object(partitionToWriteStats.map { ($0.partition, .array($0.stats.map(\.json))) })),
            ("compacted", .bool(compacted)),
            ("extraMetadata", .object(extraMetadata.keys.sorted().map { ($0, .string(extraMetadata[$0] ?? "")) })),
            ("operationType", operationType.map(JSONValue.string) ?? .null),
        ]
        if includeReplace || !partitionToReplaceFileIds.isEmpty {
            fields.append(("partitionToReplaceFileIds", .object(partitionToReplaceFileIds.keys.sorted().map {
                ($0, .array((partitionToReplaceFileIds[$0] ?? []).map(JSONValue.string)))
            })))
        }
        return Data(JSONValue.object(fields).pretty().utf8)
    }

    /// Reads commit metadata from its JSON (or Avro-decoded) form.
    public init(json: JSONValue) {
        var p: [(partition: String, stats: [WriteStat])] = []
        for (partition, list) in json["partitionToWriteStats"]?.objectEntries ?? [] {
            p.append((partition, (list.arrayValues ?? []).map { WriteStat(json: $0, partition: partition) }))
        }
        partitionToWriteStats = p
        var r: [String: [String]] = [:]
        for (partition, list) in json["partitionToReplaceFileIds"]?.objectEntries ?? [] {
            r[partition] = (list.arrayValues ?? []).compactMap(\.string)
        }
        partitionToReplaceFileIds = r
        if case .bool(let b) = json["compacted"] ?? .null { compacted = b }
        var extra: [String: String] = [:]
        for (k, v) in json["extraMetadata"]?.objectEntries ?? [] { if let s = v.string { extra[k] = s } }
        extraMetadata = extra
        operationType = json["operationType"]?.string
    }

    /// Parses a layout-1 (JSON) commit file; an empty file is empty metadata.
    public static func parse(json data: Data) throws -> CommitMetadata {
        if data.isEmpty { return CommitMetadata() }
        return CommitMetadata(json: try JSONValue.parse(data))
    }
}

import Foundation
import TributaryCore

/// The Avro records Hudi keeps in `rollback` and `clean` instant files, with the schemas
/// of `hudi-common/src/main/avro/` (`HoodieRollbackPlan`, `HoodieRollbackMetadata`,
/// `HoodieCleanerPlan`, `HoodieCleanMetadata`; namespace `org.apache.hudi.avro.model`),
/// written as Avro container files as Java's `TimelineMetadataUtils` does.
///
/// Paths: Java records absolute paths in plans (`filePath`, `filesToBeDeleted`) and file
/// names in clean metadata v2; we record paths relative to the table root in plans and
/// rollback metadata (our store is scoped to the table and has no absolute URI), file
/// names in clean metadata.
enum ServiceSchemas {
    static let instantInfo = #"{"type":"record","name":"HoodieInstantInfo","namespace":"org.apache.hudi.avro.model","fields":[{"name":"commitTime","type":"string"},{"name":"action","type":"string"}]}"#

    static let rollbackPlan = #"""
        {"type":"record","name":"HoodieRollbackPlan","namespace":"org.apache.hudi.avro.model","fields":[
        {"name":"instantToRollback","type":["null",\#(instantInfo)],"default":null},
        {"name":"RollbackRequests","type":["null",{"type":"array","items":{"type":"record","name":"HoodieRollbackRequest","fields":[
          {"name":"partitionPath","type":"string"},
          {"name":"fileId","type":["null","string"],"default":null},
          {"name":"latestBaseInstant","type":["null","string"],"default":null},
          {"name":"filesToBeDeleted","type":{"type":"array","items":"string"},"default":[]},
          {"name":"logBlocksToBeDeleted","type":["null",{"type":"map","values":"long"}],"default":null}]}}],"default":null},
        {"name":"version","type":["int","null"],"default":1}]}
        """#

    static let rollbackMetadata = #"""
        {"type":"record","name":"HoodieRollbackMetadata","namespace":"org.apache.hudi.avro.model","fields":[
        {"name":"startRollbackTime","type":"string"},
        {"name":"timeTakenInMillis","type":"long"},
        {"name":"totalFilesDeleted","type":"int"},
        {"name":"commitsRollback","type":{"type":"array","items":"string"}},
        {"name":"partitionMetadata","type":{"type":"map","values":{"type":"record","name":"HoodieRollbackPartitionMetadata","fields":[
          {"name":"partitionPath","type":"string"},
          {"name":"successDeleteFiles","type":{"type":"array","items":"string"}},
          {"name":"failedDeleteFiles","type":{"type":"array","items":"string"}},
          {"name":"rollbackLogFiles","type":["null",{"type":"map","values":"long"}],"default":null},
          {"name":"writtenLogFiles","type":["null",{"type":"map","values":"long"}],"default":null}]}}},
        {"name":"version","type":["int","null"],"default":1},
        {"name":"instantsRollback","type":{"type":"array","items":\#(instantInfo)},"default":[]}]}
        """#

    static let cleanerPlan = #"""
        {"type":"record","name":"HoodieCleanerPlan","namespace":"org.apache.hudi.avro.model","fields":[
        {"name":"earliestInstantToRetain","type":["null",{"type":"record","name":"HoodieActionInstant","fields":[
          {"name":"timestamp","type":"string"},{"name":"action","type":"string"},{"name":"state","type":"string"}]}],"default":null},
        {"name":"lastCompletedCommitTimestamp","type":"string","default":""},
        {"name":"policy","type":"string"},
        {"name":"filesToBeDeletedPerPartition","type":["null",{"type":"map","values":{"type":"array","items":"string"}}],"default":null},
        {"name":"version","type":["int","null"],"default":1},
        {"name":"filePathsToBeDeletedPerPartition","type":["null",{"type":"map","values":{"type":"array","items":{"type":"record","name":"HoodieCleanFileInfo","fields":[
          {"name":"filePath","type":["null","string"],"default":null},
          {"name":"isBootstrapBaseFile","type":["null","boolean"],"default":null}]}}}],"default":null},
        {"name":"partitionsToBeDeleted","type":["null",{"type":"array","items":"string"}],"default":null},
        {"name":"extraMetadata","type":["null",{"type":"map","values":"string"}],"default":null}]}
        """#

    static let cleanMetadata = #"""
        {"type":"record","name":"HoodieCleanMetadata","namespace":"org.apache.hudi.avro.model","fields":[
        {"name":"policy","type":"string","default":""},
        {"name":"startCleanTime","type":"string"},
        {"name":"timeTakenInMillis","type":"long"},
        {"name":"totalFilesDeleted","type":"int"},
        {"name":"earliestCommitToRetain","type":"string"},
        {"name":"lastCompletedCommitTimestamp","type":"string","default":""},
        {"name":"partitionMetadata","type":{"type":"map","values":{"type":"record","name":"HoodieCleanPartitionMetadata","fields":[
          {"name":"partitionPath","type":"string"},
          {"name":"policy","type":"string"},
          {"name":"deletePathPatterns","type":{"type":"array","items":"string"}},
          {"name":"successDeleteFiles","type":{"type":"array","items":"string"}},
          {"name":"failedDeleteFiles","type":{"type":"array","items":"string"}},
          {"name":"isPartitionDeleted","type":["null","boolean"],"default":null}]}}},
        {"name":"version","type":["int","null"],"default":1},
        {"name":"bootstrapPartitionMetadata","type":["null",{"type":"map","values":"HoodieCleanPartitionMetadata"}],"default":null},
        {"name":"extraMetadata","type":["null",{"type":"map","values":"string"}],"default":null}]}
        """#
}

/// `HoodieRollbackPlan`: which instant a rollback undoes and the files it deletes.
public struct RollbackPlan: Sendable, Equatable {
    /// The instant being rolled back (its requested time) and its action (`commit`, ...).
    public var instantToRollback: String
    public var action: String
    /// Base files to delete (paths relative to the table root), by partition.
    public var filesByPartition: [String: [String]]

    public init(instantToRollback: String, action: String, filesByPartition: [String: [String]]) {
        self.instantToRollback = instantToRollback
        self.action = action
        self.filesByPartition = filesByPartition
    }

    func avro() throws -> Data {
        let requests: [JSONValue] = filesByPartition.keys.sorted().map { p in
            // As Java writes base-file requests: empty fileId and latestBaseInstant.
            .object([("partitionPath", .string(p)), ("fileId", .string("")), ("latestBaseInstant", .string("")),
                     ("filesToBeDeleted", .array((filesByPartition[p] ?? []).sorted().map(JSONValue.string))),
                     ("logBlocksToBeDeleted", .null)])
        }
        return try AvroWriter.container(schemaJSON: ServiceSchemas.rollbackPlan, records: [.object([
            ("instantToRollback", .object([("commitTime", .string(instantToRollback)), ("action", .string(action))])),
            ("RollbackRequests", .array(requests)),
            ("version", .int(1)),
        ])])
    }

    init(avro data: Data) throws {
        guard let r = try AvroReader.records(data).first, let instant = r["instantToRollback"]?["commitTime"]?.string else {
            throw HudiError.corrupt("rollback plan without instantToRollback")
        }
        instantToRollback = instant
        action = r["instantToRollback"]?["action"]?.string ?? "commit"
        var files: [String: [String]] = [:]
        for req in r["RollbackRequests"]?.arrayValues ?? [] {
            let p = req["partitionPath"]?.string ?? ""
            files[p, default: []] += (req["filesToBeDeleted"]?.arrayValues ?? []).compactMap(\.string)
        }
        filesByPartition = files
    }
}

/// `HoodieRollbackMetadata`: what a completed rollback did.
public struct RollbackMetadata: Sendable, Equatable {
    public var startRollbackTime: String
    public var timeTakenInMillis: Int64
    /// Requested times of the rolled-back instants.
    public var commitsRollback: [String]
    public var actions: [String]
    /// Deleted base files (relative paths) by partition.
    public var deletedByPartition: [String: [String]]

    public var totalFilesDeleted: Int { deletedByPartition.values.reduce(0) { $0 + $1.count } }

    func avro() throws -> Data {
        let partitions: [(String, JSONValue)] = deletedByPartition.keys.sorted().map { p in
            (p, .object([("partitionPath", .string(p)),
                         ("successDeleteFiles", .array((deletedByPartition[p] ?? []).sorted().map(JSONValue.string))),
                         ("failedDeleteFiles", .array([])), ("rollbackLogFiles", .null), ("writtenLogFiles", .null)]))
        }
        return try AvroWriter.container(schemaJSON: ServiceSchemas.rollbackMetadata, records: [.object([
            ("startRollbackTime", .string(startRollbackTime)),
            ("timeTakenInMillis", .int(timeTakenInMillis)),
            ("totalFilesDeleted", .int(Int64(totalFilesDeleted))),
            ("commitsRollback", .array(commitsRollback.map(JSONValue.string))),
            ("partitionMetadata", .object(partitions)),
            ("version", .int(1)),
            ("instantsRollback", .array(zip(commitsRollback, actions).map {
                .object([("commitTime", .string($0.0)), ("action", .string($0.1))])
            })),
        ])])
    }
}

extension RollbackMetadata {
    init(avro data: Data) throws {
        guard let r = try AvroReader.records(data).first else { throw HudiError.corrupt("empty rollback metadata") }
        startRollbackTime = r["startRollbackTime"]?.string ?? ""
        timeTakenInMillis = r["timeTakenInMillis"]?.int ?? 0
        commitsRollback = (r["commitsRollback"]?.arrayValues ?? []).compactMap(\.string)
        actions = (r["instantsRollback"]?.arrayValues ?? []).compactMap { $0["action"]?.string }
        deletedByPartition = deletedFiles(r["partitionMetadata"])
    }
}

/// `HoodieCleanerPlan` (version 2): the base files a clean deletes.
public struct CleanerPlan: Sendable, Equatable {
    /// The oldest commit whose snapshot stays readable.
    public var earliestInstantToRetain: String?
    public var lastCompletedCommit: String
    public var policy: String
    /// Base files to delete (paths relative to the table root), by partition.
    public var filesByPartition: [String: [String]]

    public var fileCount: Int { filesByPartition.values.reduce(0) { $0 + $1.count } }

    func avro() throws -> Data {
        let files: [(String, JSONValue)] = filesByPartition.keys.sorted().map { p in
            (p, .array((filesByPartition[p] ?? []).sorted().map { .object([("filePath", .string($0)), ("isBootstrapBaseFile", .bool(false))]) }))
        }
        return try AvroWriter.container(schemaJSON: ServiceSchemas.cleanerPlan, records: [.object([
            ("earliestInstantToRetain", earliestInstantToRetain.map {
                .object([("timestamp", .string($0)), ("action", .string("commit")), ("state", .string("COMPLETED"))])
            } ?? .null),
            ("lastCompletedCommitTimestamp", .string(lastCompletedCommit)),
            ("policy", .string(policy)),
            ("filesToBeDeletedPerPartition", .object([])),
            ("version", .int(2)),
            ("filePathsToBeDeletedPerPartition", .object(files)),
            ("partitionsToBeDeleted", .array([])),
            ("extraMetadata", .null),
        ])])
    }
}

extension CleanerPlan {
    init(avro data: Data) throws {
        guard let r = try AvroReader.records(data).first else { throw HudiError.corrupt("empty cleaner plan") }
        earliestInstantToRetain = r["earliestInstantToRetain"]?["timestamp"]?.string
        lastCompletedCommit = r["lastCompletedCommitTimestamp"]?.string ?? ""
        policy = r["policy"]?.string ?? ""
        var files: [String: [String]] = [:]
        for (p, list) in r["filePathsToBeDeletedPerPartition"]?.objectEntries ?? [] {
            files[p] = (list.arrayValues ?? []).compactMap { $0["filePath"]?.string }
        }
        filesByPartition = files
    }
}

/// `HoodieCleanMetadata` (version 2): what a completed clean deleted.
public struct CleanMetadata: Sendable, Equatable {
    public var startCleanTime: String
    public var timeTakenInMillis: Int64
    public var earliestCommitToRetain: String
    public var lastCompletedCommit: String
    public var policy: String
    /// Deleted base file names by partition.
    public var deletedByPartition: [String: [String]]

    public var totalFilesDeleted: Int { deletedByPartition.values.reduce(0) { $0 + $1.count } }

    func avro() throws -> Data {
        let partitions: [(String, JSONValue)] = deletedByPartition.keys.sorted().map { p in
            let names = (deletedByPartition[p] ?? []).sorted().map(JSONValue.string)
            return (p, .object([("partitionPath", .string(p)), ("policy", .string(policy)), ("deletePathPatterns", .array(names)),
                                ("successDeleteFiles", .array(names)), ("failedDeleteFiles", .array([])),
                                ("isPartitionDeleted", .bool(false))]))
        }
        return try AvroWriter.container(schemaJSON: ServiceSchemas.cleanMetadata, records: [.object([
            ("policy", .string(policy)),
            ("startCleanTime", .string(startCleanTime)),
            ("timeTakenInMillis", .int(timeTakenInMillis)),
            ("totalFilesDeleted", .int(Int64(totalFilesDeleted))),
            ("earliestCommitToRetain", .string(earliestCommitToRetain)),
            ("lastCompletedCommitTimestamp", .string(lastCompletedCommit)),
            ("partitionMetadata", .object(partitions)),
            ("version", .int(2)),
            ("bootstrapPartitionMetadata", .object([])),
            ("extraMetadata", .null),
        ])])
    }
}

extension CleanMetadata {
    init(avro data: Data) throws {
        guard let r = try AvroReader.records(data).first else { throw HudiError.corrupt("empty clean metadata") }
        startCleanTime = r["startCleanTime"]?.string ?? ""
        timeTakenInMillis = r["timeTakenInMillis"]?.int ?? 0
        earliestCommitToRetain = r["earliestCommitToRetain"]?.string ?? ""
        lastCompletedCommit = r["lastCompletedCommitTimestamp"]?.string ?? ""
        policy = r["policy"]?.string ?? ""
        deletedByPartition = deletedFiles(r["partitionMetadata"])
    }
}

/// The files a completed rollback or clean deleted, by partition (`partitionMetadata`).
private func deletedFiles(_ partitionMetadata: JSONValue?) -> [String: [String]] {
    var files: [String: [String]] = [:]
    for (p, m) in partitionMetadata?.objectEntries ?? [] {
        files[p] = (m["successDeleteFiles"]?.arrayValues ?? []).compactMap(\.string)
    }
    return files
}

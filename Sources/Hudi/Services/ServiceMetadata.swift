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
    /// The schema of record `name` (e.g. `HoodieCleanerPlan`).
    static func schema(_ name: String) throws -> String {
        guard let text = bundled[name] else {
            throw HudiError(.unsupported, "writing \(name): its Avro schema is missing from the Hudi resource bundle")
        }
        return text
    }

    /// `Resources/avro/*.avsc` (Hudi's own schema files), read once: record name → schema.
    private static let bundled: [String: String] = {
        let folder = (Bundle.module.resourceURL ?? Bundle.module.bundleURL).appendingPathComponent("avro")
        var schemas: [String: String] = [:]
        for file in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where file.hasSuffix(".avsc") {
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(file).path) else { continue }
            schemas[String(file.dropLast(".avsc".count))] = String(decoding: data, as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return schemas
    }()
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
        return try AvroWriter.container(schemaJSON: try ServiceSchemas.schema("HoodieRollbackPlan"), records: [.object([
            ("instantToRollback", .object([("commitTime", .string(instantToRollback)), ("action", .string(action))])),
            ("RollbackRequests", .array(requests)),
            ("version", .int(1)),
        ])])
    }

    init(avro data: Data) throws {
        guard let r = try AvroReader.records(data).first, let instant = r["instantToRollback"]?["commitTime"]?.string else {
            throw HudiError(.corrupt, "rollback plan without instantToRollback")
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

    public var totalFilesDeleted: Int { countFiles(deletedByPartition) }

    func avro() throws -> Data {
        let partitions: [(String, JSONValue)] = deletedByPartition.keys.sorted().map { p in
            (p, .object([("partitionPath", .string(p)),
                         ("successDeleteFiles", .array((deletedByPartition[p] ?? []).sorted().map(JSONValue.string))),
                         ("failedDeleteFiles", .array([])), ("rollbackLogFiles", .null), ("writtenLogFiles", .null)]))
        }
        return try AvroWriter.container(schemaJSON: try ServiceSchemas.schema("HoodieRollbackMetadata"), records: [.object([
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
        guard let r = try AvroReader.records(data).first else { throw HudiError(.corrupt, "empty rollback metadata") }
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

    func avro() throws -> Data {
        let files: [(String, JSONValue)] = filesByPartition.keys.sorted().map { p in
            (p, .array((filesByPartition[p] ?? []).sorted().map { .object([("filePath", .string($0)), ("isBootstrapBaseFile", .bool(false))]) }))
        }
        return try AvroWriter.container(schemaJSON: try ServiceSchemas.schema("HoodieCleanerPlan"), records: [.object([
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
        guard let r = try AvroReader.records(data).first else { throw HudiError(.corrupt, "empty cleaner plan") }
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

    public var totalFilesDeleted: Int { countFiles(deletedByPartition) }

    func avro() throws -> Data {
        let partitions: [(String, JSONValue)] = deletedByPartition.keys.sorted().map { p in
            let names = (deletedByPartition[p] ?? []).sorted().map(JSONValue.string)
            return (p, .object([("partitionPath", .string(p)), ("policy", .string(policy)), ("deletePathPatterns", .array(names)),
                                ("successDeleteFiles", .array(names)), ("failedDeleteFiles", .array([])),
                                ("isPartitionDeleted", .bool(false))]))
        }
        return try AvroWriter.container(schemaJSON: try ServiceSchemas.schema("HoodieCleanMetadata"), records: [.object([
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
        guard let r = try AvroReader.records(data).first else { throw HudiError(.corrupt, "empty clean metadata") }
        startCleanTime = r["startCleanTime"]?.string ?? ""
        timeTakenInMillis = r["timeTakenInMillis"]?.int ?? 0
        earliestCommitToRetain = r["earliestCommitToRetain"]?.string ?? ""
        lastCompletedCommit = r["lastCompletedCommitTimestamp"]?.string ?? ""
        policy = r["policy"]?.string ?? ""
        deletedByPartition = deletedFiles(r["partitionMetadata"])
    }
}

/// How many files a by-partition listing names.
private func countFiles(_ filesByPartition: [String: [String]]) -> Int {
    filesByPartition.values.reduce(0) { $0 + $1.count }
}

/// The files a completed rollback or clean deleted, by partition (`partitionMetadata`).
private func deletedFiles(_ partitionMetadata: JSONValue?) -> [String: [String]] {
    var files: [String: [String]] = [:]
    for (p, m) in partitionMetadata?.objectEntries ?? [] {
        files[p] = (m["successDeleteFiles"]?.arrayValues ?? []).compactMap(\.string)
    }
    return files
}

import Foundation
import TributaryCore

/// `<c>.compaction.requested`: Avro `HoodieCompactionPlan` (version 2: file names relative
/// to their partition), one operation per file slice whose log files the compaction folds
/// into a new base file written at the compaction's instant.
public struct CompactionPlan: Sendable, Equatable {
    public struct Operation: Sendable, Equatable {
        public var partitionPath: String
        public var fileId: String
        /// The slice's base instant and base file name.
        public var baseInstant: String
        public var baseFile: String
        /// The slice's log file names, oldest first.
        public var logFiles: [String]
        public var logBytes: Int

        func key(_ name: String) -> String { partitionPath.isEmpty ? name : "\(partitionPath)/\(name)" }
        var groupID: FileGroupID { FileGroupID(partitionPath: partitionPath, fileId: fileId) }
    }

    public var operations: [Operation]

    func avro() throws -> Data {
        let ops: [JSONValue] = operations.map { op in
            .object([
                ("baseInstantTime", .string(op.baseInstant)),
                ("deltaFilePaths", .array(op.logFiles.map(JSONValue.string))),
                ("dataFilePath", .string(op.baseFile)),
                ("fileId", .string(op.fileId)),
                ("partitionPath", .string(op.partitionPath)),
                ("metrics", .object([("TOTAL_LOG_FILES", .double(Double(op.logFiles.count))),
                                     ("TOTAL_LOG_FILES_SIZE", .double(Double(op.logBytes)))])),
                ("bootstrapFilePath", .null),
            ])
        }
        return try AvroWriter.container(schemaJSON: try ServiceSchemas.schema("HoodieCompactionPlan"), records: [.object([
            ("operations", .array(ops)), ("extraMetadata", .null), ("version", .int(2)),
        ])])
    }

    init(operations: [Operation]) { self.operations = operations }

    init(avro data: Data) throws {
        guard let r = try AvroReader.records(data).first else { throw HudiError(.corrupt, "empty compaction plan") }
        operations = (r["operations"]?.arrayValues ?? []).map { op in
            Operation(partitionPath: op["partitionPath"]?.string ?? "", fileId: op["fileId"]?.string ?? "",
                      baseInstant: op["baseInstantTime"]?.string ?? "", baseFile: op["dataFilePath"]?.string ?? "",
                      logFiles: (op["deltaFilePaths"]?.arrayValues ?? []).compactMap(\.string),
                      logBytes: Int(op["metrics"]?["TOTAL_LOG_FILES_SIZE"]?.double ?? 0))
        }
    }
}

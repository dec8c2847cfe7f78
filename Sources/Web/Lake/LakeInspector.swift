import Foundation
import Hudi
import Pipeline
import Query
import TributaryCore

/// Reads the lake's Hudi tables for the lake pages and `GET /api/tables…`: each folder of
/// the lake root holding `.hoodie/hoodie.properties` is a table named after the folder
/// (the tables the SQL views are made of).
public struct LakeInspector: Sendable {
    /// The query service's catalog: it finds the table folders and keeps the table
    /// objects (their commit metadata is parsed once for both).
    private let catalog: LakeCatalog

    public init(catalog: LakeCatalog) {
        self.catalog = catalog
    }

    /// Table names, sorted.
    public func tableNames() async throws -> [String] { try await catalog.tableNames() }

    public func summaries() async throws -> [LakeTableSummary] {
        var result: [LakeTableSummary] = []
        for name in try await tableNames() {
            if let s = try await summary(name) { result.append(s) }
        }
        return result
    }

    /// The table's layout, schema and latest snapshot; nil when there is no such table.
    public func summary(_ name: String) async throws -> LakeTableSummary? {
        guard let table = try await table(name) else { return nil }
        let config = table.config
        let timeline = try await table.timeline()
        let commits = timeline.completedDataCommits
        let plan = try await table.planSnapshot()
        let backlog = LogBacklog(timeline: timeline, plan: plan)
        var byPartition: [String: LakePartition] = [:]
        for slice in plan.slices {
            byPartition[slice.partitionPath, default: LakePartition(path: slice.partitionPath, files: 0, bytes: 0)].files += 1
            byPartition[slice.partitionPath]?.bytes += slice.size
        }
        var schema = config[TableConfig.Key.createSchema]
        if let latest = commits.last, let committed = try? await table.commitMetadata(latest).schema, !committed.isEmpty {
            schema = committed
        }
        return LakeTableSummary(
            name: name, tableName: config.tableName, tableVersion: config.tableVersion,
            recordKeyFields: config.recordKeyFields, precombineField: config.precombineField,
            partitionFields: config.partitionFields, columns: schema.map(Self.columns(avro:)) ?? [],
            partitions: byPartition.values.sorted { $0.path < $1.path },
            files: backlog.baseFiles, bytes: backlog.baseBytes, tableType: table.tableType.rawValue,
            logFiles: backlog.logFiles, logBytes: backlog.logBytes, pendingCompactions: backlog.pendingCompactions,
            commits: commits.count, latestCommit: commits.last?.timestamp,
            latestCommitTime: commits.last.flatMap { Self.isoTime($0.timestamp) })
    }

    /// The table's timeline, newest first (at most `limit` instants); nil: no such table.
    public func timeline(_ name: String, limit: Int = 200) async throws -> [LakeCommit]? {
        guard let table = try await table(name) else { return nil }
        let timeline = try await table.timeline()
        let instants = timeline.instants.filter { $0.isDataCommit }.sorted().reversed().prefix(max(1, limit))
        var result: [LakeCommit] = []
        for instant in instants {
            var commit = LakeCommit(
                instant: instant.timestamp, time: Self.isoTime(instant.timestamp), action: instant.action,
                state: instant.state.rawValue, operation: nil, inserted: 0, updated: 0, deleted: 0, written: 0,
                bytesWritten: 0, filesWritten: 0, partitions: [], checkpoint: nil)
            if instant.state == .completed, let metadata = try? await table.commitMetadata(instant) {
                let stats = metadata.writeStats
                commit.operation = metadata.operationType?.lowercased()
                commit.inserted = stats.reduce(0) { $0 + $1.numInserts }
                commit.updated = stats.reduce(0) { $0 + $1.numUpdateWrites }
                commit.deleted = stats.reduce(0) { $0 + $1.numDeletes }
                commit.written = stats.reduce(0) { $0 + $1.numWrites }
                commit.bytesWritten = stats.reduce(0) { $0 + $1.totalWriteBytes }
                commit.filesWritten = stats.count
                commit.partitions = metadata.partitionToWriteStats.map(\.partition).sorted()
                commit.checkpoint = metadata.extraMetadata[KafkaCheckpoint.metadataKey]
            }
            result.append(commit)
        }
        return result
    }

    private func table(_ name: String) async throws -> HudiTable? {
        try await catalog.table(named: name)
    }

    /// `yyyyMMddHHmmssSSS` → ISO 8601.
    static func isoTime(_ instant: String) -> String? {
        InstantTimeGenerator.millis(of: instant).map {
            Date(timeIntervalSince1970: Double($0) / 1000).ISO8601Format()
        }
    }

    /// Columns of an Avro record schema (JSON text), `_hoodie_*` meta columns left out.
    static func columns(avro text: String) -> [LakeColumn] {
        AvroColumn.columns(ofSchema: text).filter { !$0.name.hasPrefix("_hoodie_") }
            .map { LakeColumn(name: $0.name, type: $0.type, nullable: $0.nullable) }
    }
}

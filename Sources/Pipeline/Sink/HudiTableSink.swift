import Foundation
import Hudi
import Logging
import ObjectStore

/// The processor's tables as Hudi tables (copy-on-write or merge-on-read), one per stream under the lake root
/// (`{root}/{table}/`, Hudi table `{stream}_table`, the stream's key, precombine and
/// partition fields). The Kafka checkpoint is written into each commit's
/// extra metadata (`deltastreamer.checkpoint.key`), so rows and offsets commit together.
public actor HudiTableSink: TableSink {
    private let root: any ObjectStore
    private let schemas: [String: TopicSchema]
    private let options: WriteOptions
    /// The type of tables this sink creates; an existing table of another type is refused.
    private let tableType: TableType
    private let logger: Logger
    private var tables: [String: HudiTable] = [:]
    private let metrics: SinkMetrics
    /// Tables that may hold a pending instant (just opened, or a write failed): the
    /// next write rolls it back, which the rollback counter counts.
    private var mayHavePending: Set<String> = []
    private var storageRefreshed: [String: Date] = [:]
    /// Each table's store, timed, and the index, encode and store seconds not yet taken.
    private var timedStores: [String: TimedObjectStore] = [:]
    private var stages = StageSeconds()

    /// - storageRefreshInterval: seconds between refreshes of a table's storage gauges after
    ///   commits (size, and the logs and pending compactions of merge-on-read tables); each
    ///   lists the table's files.
    public init(root: any ObjectStore, schemas: [TopicSchema], options: WriteOptions = WriteOptions(),
                tableType: TableType = .copyOnWrite, storageRefreshInterval: TimeInterval = 30,
                logger: Logger = Logger(label: "tributary.sink")) {
        self.root = root
        metrics = SinkMetrics(storageRefreshInterval: storageRefreshInterval)
        self.tableType = tableType
        self.schemas = Dictionary(uniqueKeysWithValues: schemas.map { ($0.topic, $0) })
        // Optimistic concurrency: the processors of one group share the tables, each
        // committing its own Kafka partitions (merged at the commit point, see
        // CommitBookkeeping); no writer lease would let the second one write.
        var options = options
        options.concurrency = .optimistic
        self.options = options
        self.logger = logger
    }

    /// The table of a topic, opened (or created) once.
    public func table(topic: String) async throws -> HudiTable {
        if let table = tables[topic] { return table }
        guard let schema = schemas[topic] else {
            throw HudiError(.invalidArgument, "no schema for topic \(topic)")
        }
        let store = TimedObjectStore(try root.scoped(to: schema.table))
        timedStores[topic] = store
        var options = options
        if let bytes = schema.compactionMaxLogBytes { options.compactionMaxLogBytes = bytes }
        let table = try await HudiTable.openOrCreate(
            store: store, name: schema.tableName, recordKeyField: schema.recordKey,
            precombineField: schema.precombineField, partitionField: schema.partition.column,
            fields: schema.storedFields, tableType: schema.tableType.flatMap(TableType.init(rawValue:)) ?? tableType,
            options: options, logger: logger)
        try await DefinitionCompatibility.check(schema, against: table)
        await table.observeCompactions { [weak self] result in await self?.compacted(topic, result) }
        tables[topic] = table
        mayHavePending.insert(topic)
        return table
    }

    public func newBatchID(topic: String) async throws -> String {
        try await table(topic: topic).nextInstantTime()
    }

    public func checkpoint(topic: String) async throws -> KafkaCheckpoint {
        let value = try await table(topic: topic).latestExtraMetadataValue(KafkaCheckpoint.metadataKey)
        return value.flatMap { KafkaCheckpoint(decoding: $0, topic: topic) } ?? KafkaCheckpoint(topic: topic, offsets: [:])
    }

    public func deadLetterEnds(topic: String) async throws -> DeadLetterEnds {
        DeadLetterEnds(parsing: try await table(topic: topic).latestExtraMetadataValue(deadLetterEndKey) ?? "")
    }

    /// Releases every table's writer lease, so another processor can write them at once.
    public func close() async {
        for table in tables.values { await table.close() }
    }

    public func commit(_ request: CommitRequest) async throws {
        let table = try await table(topic: request.topic)
        let records = request.records
        // The decoder's columns as they are: keys and partition values stay bytes.
        if let failure = records.nestedFailure { throw HudiError(.invalidArgument, failure) }
        let fields = records.schema.storedFields
        var batch = RecordBatch(
            fields: fields, columns: records.columns,
            recordKeys: records.recordKeys, partitionValues: records.partitionValues,
            orderingValues: records.precombine, operations: records.operations)
        for (i, nested) in records.nested { batch.nestedColumns[fields[i].name] = nested }
        // The bookkeeping becomes text here, in the commit's extra metadata. Checkpoint and
        // DLQ ends are merged with the table's latest at the commit point.
        var extra: [String: String] = [:]
        if !request.gaps.isEmpty { extra[checkpointGapKey] = CheckpointGap.encoded(request.gaps) }
        let check = CommitCheck(keys: CommitBookkeeping.keys) { latest in
            try CommitBookkeeping(metadata: latest, topic: request.topic).merging(request).metadata
        }
        // The batch id was reserved as this commit's instant: `_batch_id` equals it.
        if mayHavePending.remove(request.topic) != nil {
            let pending = await metrics.pendingInstants(table)
            if pending > 0 { metrics.rolledBack(request.topic, instants: pending) }
        }
        let result: CommitResult
        do {
            result = try await table.write(batch, operation: .upsert, extraMetadata: extra, instant: request.batchID, check: check)
        } catch {
            mayHavePending.insert(request.topic)
            throw error
        }
        metrics.committed(request.topic, result)
        noteStages(result, io: timedStores[request.topic]?.take() ?? .init())
        logger.debug("table commit", metadata: [
            "topic": "\(request.topic)", "instant": "\(result.instant)", "records": "\(records.count)",
            "files": "\(result.filesWritten)", "rewritten": "\(result.filesRewritten)",
            "index_s": "\(Self.seconds(result.indexLookupSeconds))", "write_s": "\(Self.seconds(result.writeSeconds))",
            "total_s": "\(Self.seconds(result.totalSeconds))",
        ])
        if Date().timeIntervalSince(storageRefreshed[request.topic] ?? .distantPast) >= metrics.storageRefreshInterval {
            storageRefreshed[request.topic] = Date()
            await metrics.refreshSize(request.topic, store: try root.scoped(to: request.topic))
            await metrics.refreshLogBacklog(request.topic, table)
        }
    }

    /// A compaction of the topic's table completed (in the background, or by hand).
    private func compacted(_ topic: String, _ result: CompactionResult) async {
        metrics.compacted(topic, result)
        if let table = tables[topic] { await metrics.refreshLogBacklog(topic, table) }
    }

    public func takeStageSeconds() -> StageSeconds {
        defer { stages = StageSeconds() }
        return stages
    }

    /// The index, encode and store stages of a commit (see `StageSeconds`).
    private func noteStages(_ result: CommitResult, io: TimedObjectStore.Totals) {
        let fileMillis = result.metadata.partitionToWriteStats.reduce(Int64(0)) { sum, partition in
            partition.stats.reduce(sum) { $0 + $1.totalCreateTime + $1.totalUpsertTime }
        }
        stages.index += result.indexLookupSeconds
        stages.encode += max(0, Double(fileMillis) / 1000 - StreamProcessor.seconds(io.dataFiles))
        stages.store += StreamProcessor.seconds(io.all)
    }

    private static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }
}

import Foundation
import Logging
import ObjectStore
import TributaryCore

/// A Hudi copy-on-write table on an object store: open or create it, write batches
/// (insert / upsert / delete) as atomic commits, and plan snapshot reads.
///
/// A thin composition, as hudi-rs's `Table` is: the table's configuration
/// (`hoodie.properties`), its ``ActiveTimeline`` (instants and commit metadata), its
/// ``FileSystemView`` (file groups and slices), the pure ``SlicePlanner`` for reads, and a
/// ``TableWriter`` that owns the lease, the write queue and the commit protocol.
///
/// The store is scoped to the table's root (`store.scoped(to: "hudi-tables/orders")`).
/// One `HudiTable` per writer process; its writes are queued one after another.
public final class HudiTable: Sendable {
    let writer: TableWriter
    /// The parts are the writer's: reads and writes share one timeline and view (and their caches).
    var parts: TableParts { writer.table }
    public var store: any ObjectStore { parts.store }
    public var config: TableConfig { parts.config }
    public var options: WriteOptions { parts.options }
    /// The instants and their metadata (cached).
    public var activeTimeline: ActiveTimeline { parts.timeline }
    /// The data files as file groups and slices.
    public var fileSystemView: FileSystemView { parts.fileSystemView }
    var logger: Logger { parts.logger }

    /// Key of `hoodie.properties`.
    public static let propertiesKey = ".hoodie/hoodie.properties"

    init(store: any ObjectStore, config: TableConfig, options: WriteOptions, instantTimes: InstantTimeGenerator, logger: Logger) {
        writer = TableWriter(table: TableParts(
            store: store, config: config, options: options, timeline: ActiveTimeline(store: store, config: config),
            fileSystemView: FileSystemView(store: store), instantTimes: instantTimes, logger: logger))
    }

    /// Opens an existing table (version 6 or 8; writes need version 6).
    public static func open(
        store: any ObjectStore, options: WriteOptions = WriteOptions(),
        instantTimes: InstantTimeGenerator = InstantTimeGenerator(), logger: Logger = Logger(label: "tributary.hudi")
    ) async throws -> HudiTable {
        let data: Data
        do {
            data = try await store.get(propertiesKey)
        } catch ObjectStoreError.notFound {
            throw HudiError(.tableNotFound, "no \(propertiesKey) in \(store.backendDescription)")
        }
        let config = try TableConfig.parse(data)
        guard [6, 8, 9].contains(config.tableVersion) else {
            throw HudiError(.unsupported, "table version \(config.tableVersion) (readable: 6, 8, 9)")
        }
        guard config.type != nil else { throw HudiError(.unsupported, "table type \(config.tableType)") }
        return HudiTable(store: store, config: config, options: options, instantTimes: instantTimes, logger: logger)
    }

    /// Creates a new version-6 table (fails with `tableExists` when one is there).
    /// - Parameters:
    ///   - name: table name, e.g. `user_events_table`.
    ///   - recordKeyField: the record key column, e.g. `event_id`; several, comma-separated
    ///     as in `hoodie.table.recordkey.fields` (`order_id,line_no`), form a complex key.
    ///   - precombineField: ordering column, e.g. `timestamp`.
    ///   - partitionField: partition column, e.g. `event_date` (nil: not partitioned).
    ///   - fields: the data columns, for `hoodie.table.create.schema`.
    ///   - tableType: copy-on-write (default) or merge-on-read; the table keeps it.
    public static func create(
        store: any ObjectStore, name: String, recordKeyField: String, precombineField: String?,
        partitionField: String?, fields: [Field], tableType: TableType = .copyOnWrite, options: WriteOptions = WriteOptions(),
        instantTimes: InstantTimeGenerator = InstantTimeGenerator(), logger: Logger = Logger(label: "tributary.hudi")
    ) async throws -> HudiTable {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw HudiError(.invalidArgument, "table name '\(name)' must be letters, digits and underscores")
        }
        let names = Set(fields.map(\.name))
        let keyFields = recordKeyField.split(separator: ",").map(String.init)
        for f in keyFields + [precombineField, partitionField].compactMap({ $0 }) where !names.contains(f) {
            throw HudiError(.invalidArgument, "field \(f) is not among the table's columns")
        }
        let config = TableConfig.newTable(
            name: name, recordKeyFields: keyFields, precombineField: precombineField,
            partitionFields: partitionField.map { [$0] } ?? [], hiveStyle: true,
            createSchema: AvroSchema.json(tableName: name, fields: fields), tableType: tableType)
        do {
            try await store.putIfAbsent(propertiesKey, config.serialized())
        } catch ObjectStoreError.alreadyExists {
            throw HudiError(.tableExists, "\(propertiesKey) exists in \(store.backendDescription)")
        }
        return HudiTable(store: store, config: config, options: options, instantTimes: instantTimes, logger: logger)
    }

    /// Opens the table, creating it first when there is none. An existing table of another
    /// type than `tableType` is refused: a table keeps the type it was created with.
    public static func openOrCreate(
        store: any ObjectStore, name: String, recordKeyField: String, precombineField: String?,
        partitionField: String?, fields: [Field], tableType: TableType = .copyOnWrite, options: WriteOptions = WriteOptions(),
        logger: Logger = Logger(label: "tributary.hudi")
    ) async throws -> HudiTable {
        let table: HudiTable
        do {
            table = try await open(store: store, options: options, logger: logger)
        } catch let error as HudiError where error.kind == .tableNotFound {
            do {
                return try await create(store: store, name: name, recordKeyField: recordKeyField, precombineField: precombineField,
                                        partitionField: partitionField, fields: fields, tableType: tableType, options: options, logger: logger)
            } catch let error as HudiError where error.kind == .tableExists {
                table = try await open(store: store, options: options, logger: logger)
            }
        }
        try table.requireType(tableType)
        return table
    }

    /// The table's type (``TableType``).
    public var tableType: TableType { config.type ?? .copyOnWrite }

    /// Throws unless the table is of `type` (a table keeps the type it was created with).
    public func requireType(_ type: TableType) throws {
        guard tableType != type else { return }
        throw HudiError(.invalidArgument, 
            "table \(config.tableName) is \(tableType.rawValue) (hoodie.table.type=\(config.tableType)) but \(type.rawValue) is configured; "
            + "a table keeps the type it was created with: set hudi.table_type = \"\(tableType.rawValue)\" or write to a new table")
    }

    /// Ends writing: releases the writer lease (single-writer mode) so another process may
    /// write the table at once. Reads keep working; a later write takes the lease again.
    public func close() async {
        await writer.close()
    }

    // MARK: Timeline access

    /// The table's active timeline as stored now.
    public func timeline() async throws -> Timeline {
        try await activeTimeline.load()
    }

    /// Metadata of a completed commit.
    public func commitMetadata(_ instant: Instant) async throws -> CommitMetadata {
        try await activeTimeline.metadata(of: instant, in: timeline())
    }

    /// Metadata of a completed commit of `timeline` (no timeline reload; cached).
    public func commitMetadata(_ instant: Instant, in timeline: Timeline) async throws -> CommitMetadata {
        try await activeTimeline.metadata(of: instant, in: timeline)
    }

    /// `extraMetadata` of the latest completed commit (nil when the table has none); the
    /// processor keeps its Kafka checkpoint there.
    public func latestCommitExtraMetadata() async throws -> [String: String]? {
        try await activeTimeline.latestCommitExtraMetadata()
    }

    /// The value of `key` in the newest completed commit that has it (Hudi's streamer looks
    /// back the same way, so commits without a checkpoint do not lose it).
    public func latestExtraMetadataValue(_ key: String) async throws -> String? {
        try await activeTimeline.latestExtraMetadataValues([key])[key]
    }

    // MARK: Writing (the writer queues these one after another)

    /// Writes `batch` as one commit: `<t>.commit.requested` → `<t>.inflight` → base files →
    /// `<t>.commit` created with put-if-absent (the commit point: before it readers see
    /// nothing of the write, after it all of it).
    ///
    /// - `operation`: `.upsert` (and `.insert`, which keeps keys unique the same way) apply
    ///   each record's own operation (upsert or delete); `.delete` deletes every record's key.
    /// - `extraMetadata`: stored in the commit's `extraMetadata` next to `schema` (the
    ///   processor's Kafka checkpoint goes here).
    /// - `instant`: the instant time to commit under, from ``nextInstantTime()``, when the
    ///   caller needs it before writing (e.g. for a `_batch_id` column); it must still be
    ///   newer than every instant on the timeline. Default: generated here.
    /// - `check`: a last check at the commit point (see ``CommitCheck``).
    @discardableResult
    public func write(_ batch: RecordBatch, operation: WriteOperation = .upsert, extraMetadata: [String: String] = [:],
                      instant: String? = nil, check: CommitCheck? = nil) async throws -> CommitResult {
        try await writer.write(batch, operation: operation, extraMetadata: extraMetadata, instant: instant, check: check)
    }

    /// The next instant time, strictly after the newest on the timeline, for a write whose
    /// rows must carry it (the processor's `_batch_id` column): pass it to
    /// `write(_:operation:extraMetadata:instant:)`.
    public func nextInstantTime() async throws -> String {
        try await writer.nextInstantTime()
    }

    /// Merge-on-read: schedules a compaction of every file slice with log files (with
    /// `force`; else only when ``WriteOptions/compactionMaxDeltaCommits`` delta commits were
    /// made since the last) and runs every pending one, a crashed one included (see
    /// ``Compactor``). Writes of this table go on meanwhile.
    @discardableResult
    public func compact(force: Bool = true) async throws -> [CompactionResult] {
        guard config.isMergeOnRead else { throw HudiError(.invalidArgument, "table \(config.tableName) is copy-on-write: nothing to compact") }
        return try await writer.compact(force: force)
    }

    /// Merge-on-read: calls `observer` with each compaction this table object completes (in
    /// the background after a delta commit, or by ``compact(force:)``, which returns after it),
    /// so the caller can count them; the compaction waits for it.
    public func observeCompactions(_ observer: @escaping @Sendable (CompactionResult) async -> Void) async {
        await writer.observeCompactions(observer)
    }

    /// Merge-on-read: the pending compactions (requested or inflight), oldest first.
    public func pendingCompactions() async throws -> [(instant: String, plan: CompactionPlan)] {
        try await writer.compactor.pendingPlans(try await timeline())
    }

    /// Runs the cleaner now (``Cleaner``); nil when there was nothing to delete.
    @discardableResult
    public func clean() async throws -> CleanResult? {
        try await writer.clean()
    }

    /// Rolls back `instant`: a pending (failed) data instant, or the latest completed commit
    /// (`tributary tables rollback`). Older completed commits are refused: undoing one would
    /// need Hudi's `restore` of every later commit too.
    @discardableResult
    public func rollback(instant: String) async throws -> RollbackResult {
        try await writer.rollback(instant: instant)
    }

    /// Partition path of a partition value (`event_date=2026-11-26` when hive-style).
    public func partitionPath(forValue value: String, config: TableConfig) -> String {
        PartitionPathFormatter(config: config).path(forValue: value)
    }
}

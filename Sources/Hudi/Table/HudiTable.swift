import Foundation
import Logging
import ObjectStore
import Parquet
import TributaryCore

/// A Hudi copy-on-write table on an object store: open or create it, write batches
/// (insert / upsert / delete) as atomic commits, and plan snapshot reads.
///
/// The store is scoped to the table's root (`store.scoped(to: "hudi-tables/orders")`).
/// One `HudiTable` per writer process; calls are serialized by the actor.
public actor HudiTable {
    public nonisolated let store: any ObjectStore
    public private(set) var config: TableConfig
    public nonisolated let options: WriteOptions
    let instantTimes: InstantTimeGenerator
    let cache = FooterCache()
    /// Parsed commit metadata by instant file key (completed instants never change).
    var metadataCache: [String: CommitMetadata] = [:]
    /// The base-file listing as of the timeline it was taken with (instant file names), kept
    /// up to date by this writer's own commits; reused while nobody else changed the
    /// timeline, so a commit does not re-list the whole table.
    var writerView: (timeline: Set<String>, listing: [FileGroupID: FileGroup])?
    /// The single-writer lease, acquired before the first write and released by `close()`.
    var lease: WriterLease?
    private var writing = false
    private var writeWaiters: [CheckedContinuation<Void, Never>] = []
    let logger: Logger

    /// Key of `hoodie.properties`.
    public static let propertiesKey = ".hoodie/hoodie.properties"

    init(store: any ObjectStore, config: TableConfig, options: WriteOptions, instantTimes: InstantTimeGenerator, logger: Logger) {
        self.store = store
        self.config = config
        self.options = options
        self.instantTimes = instantTimes
        self.logger = logger
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
            throw HudiError.tableNotFound("no \(propertiesKey) in \(store.backendDescription)")
        }
        let config = try TableConfig.parse(data)
        guard [6, 8, 9].contains(config.tableVersion) else {
            throw HudiError.unsupported("table version \(config.tableVersion) (readable: 6, 8, 9)")
        }
        guard config.tableType == "COPY_ON_WRITE" else { throw HudiError.unsupported("table type \(config.tableType)") }
        return HudiTable(store: store, config: config, options: options, instantTimes: instantTimes, logger: logger)
    }

    /// Creates a new version-6 table (fails with `tableExists` when one is there).
    /// - Parameters:
    ///   - name: table name, e.g. `user_events_table`.
    ///   - recordKeyField: the record key column, e.g. `event_id`.
    ///   - precombineField: ordering column, e.g. `timestamp`.
    ///   - partitionField: partition column, e.g. `event_date` (nil: not partitioned).
    ///   - fields: the data columns, for `hoodie.table.create.schema`.
    public static func create(
        store: any ObjectStore, name: String, recordKeyField: String, precombineField: String?,
        partitionField: String?, fields: [Field], options: WriteOptions = WriteOptions(),
        instantTimes: InstantTimeGenerator = InstantTimeGenerator(), logger: Logger = Logger(label: "tributary.hudi")
    ) async throws -> HudiTable {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw HudiError.invalidArgument("table name '\(name)' must be letters, digits and underscores")
        }
        let names = Set(fields.map(\.name))
        for f in [recordKeyField] + [precombineField, partitionField].compactMap({ $0 }) where !names.contains(f) {
            throw HudiError.invalidArgument("field \(f) is not among the table's columns")
        }
        let config = TableConfig.newTable(
            name: name, recordKeyFields: [recordKeyField], precombineField: precombineField,
            partitionFields: partitionField.map { [$0] } ?? [], hiveStyle: true,
            createSchema: AvroSchema.json(tableName: name, fields: fields))
        do {
            try await store.putIfAbsent(propertiesKey, config.serialized())
        } catch ObjectStoreError.alreadyExists {
            throw HudiError.tableExists("\(propertiesKey) exists in \(store.backendDescription)")
        }
        return HudiTable(store: store, config: config, options: options, instantTimes: instantTimes, logger: logger)
    }

    /// Opens the table, creating it first when there is none.
    public static func openOrCreate(
        store: any ObjectStore, name: String, recordKeyField: String, precombineField: String?,
        partitionField: String?, fields: [Field], options: WriteOptions = WriteOptions(),
        logger: Logger = Logger(label: "tributary.hudi")
    ) async throws -> HudiTable {
        do {
            return try await open(store: store, options: options, logger: logger)
        } catch HudiError.tableNotFound {
            do {
                return try await create(store: store, name: name, recordKeyField: recordKeyField, precombineField: precombineField,
                                        partitionField: partitionField, fields: fields, options: options, logger: logger)
            } catch HudiError.tableExists {
                return try await open(store: store, options: options, logger: logger)
            }
        }
    }

    deinit {
        // Dropped without `close()`: release the lease in the background (best effort; a
        // lease that stays behind expires, or is taken over once this process is gone).
        if let lease { Task { await lease.release() } }
    }

    /// Ends writing: releases the writer lease (single-writer mode) so another process may
    /// write the table at once. Reads keep working; a later write takes the lease again.
    public func close() async {
        await acquireWriteTurn()
        defer { releaseWriteTurn() }
        await lease?.release()
    }

    /// Waits until no other write of this table object runs, then claims the turn.
    func acquireWriteTurn() async {
        if writing {
            await withCheckedContinuation { writeWaiters.append($0) }
        } else {
            writing = true
        }
    }

    /// Hands the turn to the next waiting write (or frees it).
    func releaseWriteTurn() {
        if writeWaiters.isEmpty { writing = false } else { writeWaiters.removeFirst().resume() }
    }

    // MARK: Timeline access

    /// The table's active timeline as stored now.
    public func timeline() async throws -> Timeline {
        try await Timeline.load(store: store, config: config)
    }

    /// Metadata of a completed commit.
    public func commitMetadata(_ instant: Instant) async throws -> CommitMetadata {
        try await metadata(of: instant, in: timeline())
    }

    /// Metadata of a completed commit of `timeline` (no timeline reload; cached).
    public func commitMetadata(_ instant: Instant, in timeline: Timeline) async throws -> CommitMetadata {
        try await metadata(of: instant, in: timeline)
    }

    /// Metadata of a completed instant of `tl`, cached.
    func metadata(of instant: Instant, in tl: Timeline) async throws -> CommitMetadata {
        let key = tl.key(of: instant)
        if instant.state == .completed, let m = metadataCache[key] { return m }
        let m = try await tl.metadata(of: instant, store: store)
        if instant.state == .completed { metadataCache[key] = m }
        return m
    }

    /// `extraMetadata` of the latest completed commit (nil when the table has none); the
    /// processor keeps its Kafka checkpoint there.
    public func latestCommitExtraMetadata() async throws -> [String: String]? {
        let tl = try await timeline()
        guard let last = tl.latestCompletedCommit else { return nil }
        return try await metadata(of: last, in: tl).extraMetadata
    }

    /// The value of `key` in the newest completed commit that has it (Hudi's streamer looks
    /// back the same way, so commits without a checkpoint do not lose it).
    public func latestExtraMetadataValue(_ key: String) async throws -> String? {
        let tl = try await timeline()
        for instant in tl.completedDataCommits.reversed() {
            if let v = try await metadata(of: instant, in: tl).extraMetadata[key] { return v }
        }
        return nil
    }

    /// Partition path of a partition value (`event_date=2026-11-26` when hive-style).
    public nonisolated func partitionPath(forValue value: String, config: TableConfig) -> String {
        PartitionPathFormatter(config: config).path(forValue: value)
    }
}

/// Turns partition values into partition paths for one table configuration (parsed once,
/// since it runs per record).
struct PartitionPathFormatter {
    let fields: [String]
    let partitioned: Bool
    let hiveStyle: Bool

    init(config: TableConfig) {
        fields = config.partitionFields
        partitioned = config.isPartitioned
        hiveStyle = config.hiveStylePartitioning
    }

    func path(forValue value: String) -> String {
        guard partitioned else { return "" }
        let values = fields.count > 1 ? value.split(separator: "/", omittingEmptySubsequences: false).map(String.init) : [value]
        return zip(fields, values).map { hiveStyle ? "\($0)=\($1)" : $1 }.joined(separator: "/")
    }

    /// Paths for many values, each distinct value formatted once.
    func paths(forValues values: [String]) -> [String] {
        var memo: [String: String] = [:]
        return values.map { v in
            if let p = memo[v] { return p }
            let p = path(forValue: v)
            memo[v] = p
            return p
        }
    }
}

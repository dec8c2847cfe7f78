import Foundation
import Hudi
import ObjectStore
import Parquet
import TributaryCore

/// What an export wrote.
public struct IcebergExport: Sendable {
    /// Key (relative to the table root) of the table metadata file written; nil when the
    /// snapshot files went to an ``IcebergMetadataTarget`` (the catalog owns the metadata).
    public var metadataKey: String?
    public var metadata: IcebergTableMetadata
    /// The Hudi instant each snapshot stands for, in snapshot order.
    public var instants: [String]
}

/// Where an export writes the Iceberg snapshot files (manifests and manifest lists): a
/// location (absolute URI, as readers see it) and the store that holds it. A catalog that
/// governs its tables (lakana) accepts only snapshots whose manifest list lies under the
/// location it assigned the table; the data files stay where Hudi wrote them.
public struct IcebergMetadataTarget: Sendable {
    public var location: String
    public var store: any ObjectStore

    public init(location: String, store: any ObjectStore) {
        var location = location
        while location.hasSuffix("/") { location.removeLast() }
        self.location = location
        self.store = store
    }
}

/// Translates a Hudi copy-on-write table into Iceberg metadata next to it (the way Apache
/// XTable does; no data is copied): one Iceberg snapshot per completed Hudi commit, whose
/// files are exactly the Hudi snapshot's base files as of that commit.
///
/// Files go under `metadata/` in the table root: `<snapshot-id>-m0.avro` (manifest),
/// `snap-<snapshot-id>.avro` (manifest list), `v<N>.metadata.json` (a new N whenever the
/// metadata changed) and `version-hint.text`.
/// Snapshot ids and sequence numbers are the Hudi instants as numbers, so a snapshot id
/// names its commit and files written by an earlier export stay valid.
/// Commits the cleaner made unreadable are left out (history starts at the earliest
/// queryable commit).
///
/// This first version rewrites everything on each export, with one manifest per snapshot
/// that lists every live file (existing / added) and the files the commit deleted.
public struct HudiIcebergExporter: Sendable {
    public let table: HudiTable
    /// Absolute URI of the table root as readers see it (`file:///…`, `s3://bucket/…`).
    public let location: String
    public static let metadataFolder = "metadata"
    /// Footer statistics of the base files seen so far: keep one exporter per table and
    /// later exports read only the footers of new files.
    public let footers: FooterCache

    public init(table: HudiTable, location: String, footers: FooterCache = FooterCache()) throws {
        guard !location.isEmpty else { throw CatalogError(.invalidArgument, "empty table location") }
        self.table = table
        self.location = location.hasSuffix("/") ? String(location.dropLast()) : location
        self.footers = footers
    }

    /// Parquet footers of base files by object key (base files never change).
    public actor FooterCache {
        private var footers: [String: FileMetaData] = [:]
        /// Footers read from the store (cache misses).
        public private(set) var reads = 0

        public init() {}

        func footer(store: any ObjectStore, key: String, size: Int) async throws -> FileMetaData {
            if let f = footers[key] { return f }
            let f = try await FooterStats.read(store: store, key: key, size: size)
            footers[key] = f
            reads += 1
            return f
        }
    }

    /// The snapshot id of a Hudi instant.
    public static func snapshotID(ofInstant instant: String) throws -> Int64 {
        guard let id = Int64(instant), id > 0 else { throw CatalogError(.invalidTable, "instant \(instant) is not a number") }
        return id
    }

    /// The table's Iceberg metadata without snapshots (schema history, partition spec,
    /// properties), written nowhere: what a catalog table is created like. `fieldIDs`: ids
    /// to keep by path (``IcebergSchema/idsByPath``), e.g. a catalog's.
    public func tableMetadata(fieldIDs: [String: Int] = [:]) async throws -> IcebergTableMetadata {
        try await shape(fieldIDs: fieldIDs).metadata
    }

    private struct Shape {
        var commits: [Instant]
        var metadata: IcebergTableMetadata
        var snapshotSchemas: [IcebergSchema]
        var config: TableConfig
        var partitionFields: [(source: IcebergField, fieldID: Int)]
    }

    private func shape(fieldIDs: [String: Int]) async throws -> Shape {
        let timeline = try await table.timeline()
        // Commits older than the cleaner's retention cannot be read any more (their files
        // are gone): the Iceberg history starts at the earliest queryable one.
        let earliest = try await table.earliestQueryableInstant()
        var commits = timeline.completedDataCommits.filter { c in earliest.map { c.timestamp >= $0 } ?? true }
        let config = table.config
        if config.isMergeOnRead {
            // Merge-on-read: only compacted snapshots. Iceberg readers cannot merge Hudi log
            // files, and as of a compaction every slice's base file holds all of it.
            var compacted: [Instant] = []
            for c in commits where c.action == "commit" {
                if try await table.commitMetadata(c, in: timeline).compacted { compacted.append(c) }
            }
            commits = compacted
        }
        guard let avro = try await table.currentSchema() else { throw CatalogError(.invalidTable, "the table has no schema") }
        // Without ids given, those of the last metadata file: when the cleaner trimmed the
        // history's start, the first schema left may be a later one, whose nested fields
        // would otherwise be numbered afresh (unlike the kept manifests' metrics).
        let seed = fieldIDs.isEmpty ? try await lastFieldIDs() : fieldIDs
        let (schemas, snapshotSchemas) = try await schemaHistory(commits, timeline: timeline, fallback: avro, fieldIDs: seed)
        let schema = try schemas.last ?? IcebergSchema.fromHudiAvro(avro, knownIDs: seed)
        var partitionFields: [(source: IcebergField, fieldID: Int)] = []
        for (i, name) in config.partitionFields.enumerated() {
            guard let f = schema.field(named: name) else {
                throw CatalogError(.invalidTable, "partition field \(name) is not a column")
            }
            partitionFields.append((f, 1000 + i))
        }
        var metadata = IcebergTableMetadata(
            tableUUID: Self.uuid(for: location), location: location, schema: schema, partitionFields: partitionFields,
            properties: [
                ("schema.name-mapping.default", schema.nameMappingJSON),
                ("format-version", "2"),
                ("hudi.table.name", config.tableName),
            ],
            snapshots: [], lastUpdatedMillis: 0)
        metadata.schemas = schemas
        metadata.properties[0].1 = metadata.nameMappingJSON
        return Shape(commits: commits, metadata: metadata, snapshotSchemas: snapshotSchemas, config: config,
                     partitionFields: partitionFields)
    }

    /// Writes the Iceberg metadata of every completed commit; returns what it wrote.
    /// Without a target, everything goes under `metadata/` of the table root (including the
    /// metadata file); with one, only the snapshot files, under `metadata/` of the target.
    /// `fieldIDs`: ids to keep by path (a catalog's, which the manifests' metrics must use).
    @discardableResult
    public func export(into target: IcebergMetadataTarget? = nil, fieldIDs: [String: Int] = [:]) async throws -> IcebergExport {
        let shape = try await shape(fieldIDs: fieldIDs)
        let (commits, snapshotSchemas, config, partitionFields) = (shape.commits, shape.snapshotSchemas, shape.config, shape.partitionFields)
        var metadata = shape.metadata
        let out = target ?? IcebergMetadataTarget(location: location, store: table.store)
        let avroPartition = partitionFields.map { ManifestAvro.PartitionField(name: $0.source.name, fieldID: $0.fieldID) }
        let specJSON = metadata.specFieldsJSON.json

        // Live files of the previous snapshot: path -> (file, snapshot that added it, its sequence number).
        var live: [String: (file: IcebergDataFile, snapshotID: Int64, sequence: Int64)] = [:]
        var instants: [String] = []
        let plans = try await table.planSnapshots(asOf: commits.map(\.timestamp))
        for ((instant, plan), snapshotSchema) in zip(zip(commits, plans), snapshotSchemas) {
            let snapshotID = try Self.snapshotID(ofInstant: instant.timestamp)
            // Sequence numbers are the instants too: increasing, and stable when the
            // cleaner trims the history's start (files written earlier stay valid).
            let sequence = snapshotID
            var next: [String: (file: IcebergDataFile, snapshotID: Int64, sequence: Int64)] = [:]
            var entries: [ManifestEntry] = []
            var added = (files: Int64(0), rows: Int64(0)), existing = added, deleted = added
            for slice in plan.slices {
                let path = "\(location)/\(slice.path)"
                if let old = live[path] {
                    next[path] = old
                    entries.append(ManifestEntry(status: .existing, snapshotID: old.snapshotID, sequenceNumber: old.sequence, file: old.file))
                    existing.files += 1
                    existing.rows += old.file.recordCount
                } else {
                    var file = IcebergDataFile(path: path, partition: try partitionValues(slice.partitionPath, config: config),
                                               recordCount: 0, fileSizeInBytes: Int64(slice.size))
                    let footer = try await footers.footer(store: table.store, key: slice.path, size: slice.size)
                    FooterStats.apply(footer, schema: snapshotSchema, to: &file)
                    next[path] = (file, snapshotID, sequence)
                    entries.append(ManifestEntry(status: .added, snapshotID: snapshotID, sequenceNumber: sequence, file: file))
                    added.files += 1
                    added.rows += file.recordCount
                }
            }
            for (path, old) in live.sorted(by: { $0.key < $1.key }) where next[path] == nil {
                entries.append(ManifestEntry(status: .deleted, snapshotID: snapshotID, sequenceNumber: old.sequence, file: old.file))
                deleted.files += 1
                deleted.rows += old.file.recordCount
            }
            let manifestKey = "\(Self.metadataFolder)/\(snapshotID)-m0.avro"
            let listKey = "\(Self.metadataFolder)/snap-\(snapshotID).avro"
            let parent = metadata.snapshots.last?.snapshotID
            let liveFiles = next.values.map(\.file)
            try await writeSnapshotFiles(
                manifestKey: manifestKey, listKey: listKey, entries: entries, schema: snapshotSchema, partition: avroPartition,
                specJSON: specJSON, live: Array(next.values), snapshot: (snapshotID, parent, sequence),
                counts: (added, existing, deleted), target: out)
            let millis = InstantTimeGenerator.millis(of: instant.timestamp) ?? 0
            let totalRows = liveFiles.reduce(Int64(0)) { $0 + $1.recordCount }
            metadata.snapshots.append(IcebergSnapshot(
                snapshotID: snapshotID, parentID: parent, sequenceNumber: sequence, timestampMillis: millis,
                manifestList: "\(out.location)/\(listKey)", schemaID: snapshotSchema.schemaID,
                summary: [
                    ("operation", deleted.files == 0 ? "append" : "overwrite"),
                    ("added-data-files", String(added.files)), ("deleted-data-files", String(deleted.files)),
                    ("added-records", String(added.rows)), ("deleted-records", String(deleted.rows)),
                    ("total-data-files", String(liveFiles.count)), ("total-records", String(totalRows)),
                    ("hudi.instant", instant.timestamp), ("hudi.action", instant.action),
                ]))
            metadata.lastUpdatedMillis = max(metadata.lastUpdatedMillis, millis)
            live = next
            instants.append(instant.timestamp)
        }
        let metadataKey = target == nil ? try await writeMetadataFile(metadata) : nil
        return IcebergExport(metadataKey: metadataKey, metadata: metadata, instants: instants)
    }

    /// A deterministic Avro sync marker per snapshot (rewrites produce identical bytes).
    static func syncMarker(_ snapshotID: Int64) -> [UInt8] {
        let u = UInt64(bitPattern: snapshotID)
        return (0..<16).map { UInt8(truncatingIfNeeded: (u &* 0x9E37_79B9_7F4A_7C15) >> (8 * UInt64($0 % 8)) ^ UInt64($0)) }
    }

    /// Identity partition values of a Hudi partition path (`event_date=2026-11-26` when
    /// hive-style, `2026-11-26` otherwise; Hudi's default partition is null).
    func partitionValues(_ partitionPath: String, config: TableConfig) throws -> [String?] {
        let fields = config.partitionFields
        if fields.isEmpty { return [] }
        let segments = partitionPath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard segments.count == fields.count else {
            throw CatalogError(.invalidTable, "partition path '\(partitionPath)' does not have \(fields.count) segment(s)")
        }
        return zip(fields, segments).map { field, segment in
            var value = segment
            if value.hasPrefix(field + "=") { value = String(value.dropFirst(field.count + 1)) }
            if config.urlEncodePartitioning { value = value.removingPercentEncoding ?? value }
            return value == "__HIVE_DEFAULT_PARTITION__" || value == "default" ? nil : value
        }
    }

    /// A stable UUID for a table location (FNV-1a based, version-4 layout), so repeated
    /// exports of one table keep its `table-uuid`.
    static func uuid(for location: String) -> String {
        var bytes: [UInt8] = []
        for h in [FNV1a.hash(location), FNV1a.hash(location, basis: 0x8422_2325_CBF2_9CE4)] {
            for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: h >> (8 * UInt64(i)))) }
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let c = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(c[$0]) }.joined(separator: "-")
    }
}

import Foundation
import Hudi
import ObjectStore
import TributaryCore

/// Publishes an export's snapshots to a REST catalog table: creates namespace and table
/// when missing, then commits each snapshot the catalog does not have yet (in order), each
/// guarded by `assert-ref-snapshot-id` on `main` so a concurrent writer cannot be
/// overwritten. Idempotent: snapshot ids are the Hudi instants (the summary also carries
/// `hudi.instant`), so what the catalog already holds is known from its snapshot list;
/// a conflict (409: another publisher committed first, or a retried commit that had been
/// applied) reloads the table and re-plans from what it holds.
///
/// `main` never moves back: a Hudi commit that completed after a newer one was published
/// (multi-writer instants complete out of order) is not added (counted in `skipped`) — its
/// rows are in the newer commits' snapshots anyway.
public struct IcebergPublisher: Sendable {
    public let catalog: IcebergRESTCatalog
    public let namespace: [String]
    public let tableName: String
    /// How many commit conflicts one publish absorbs before it gives up.
    public var maxConflicts: Int
    /// Where ``publish(from:)`` writes the snapshot files.
    public var placement: MetadataPlacement

    /// Where the manifests and manifest lists of the published snapshots go (data files
    /// always stay where Hudi wrote them).
    public enum MetadataPlacement: Sendable {
        /// Under `metadata/` of the Hudi table root (XTable-style; SeaweedFS accepts it).
        case tableRoot
        /// Under `metadata/` of the location the catalog assigned the table, written through
        /// the store the function opens for that location (URI). Catalogs that govern their
        /// tables (lakana) accept only snapshots whose manifest list lies there.
        case catalogLocation(@Sendable (String) async throws -> any ObjectStore)

        /// `catalogLocation`, opening `file://` and `s3://` locations with ``ObjectStores``.
        public static func catalogLocation(s3: S3Options = S3Options()) -> MetadataPlacement {
            .catalogLocation { uri in try await ObjectStores.open(Self.storeURI(uri), s3: s3) }
        }

        /// A location as a store URI: `file:` URIs percent-decoded (a path).
        static func storeURI(_ location: String) -> String {
            guard location.hasPrefix("file:") else { return location }
            var path = String(location.dropFirst("file:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            return "file://" + (path.removingPercentEncoding ?? path)
        }
    }

    public init(catalog: IcebergRESTCatalog, namespace: [String], tableName: String, maxConflicts: Int = 5,
                placement: MetadataPlacement = .tableRoot) {
        self.catalog = catalog
        self.namespace = namespace
        self.tableName = tableName
        self.maxConflicts = maxConflicts
        self.placement = placement
    }

    /// What a publish did.
    public struct Result: Sendable {
        public var committed: [Int64]
        public var currentSnapshotID: Int64?
        /// Commit conflicts absorbed (another publisher got there first).
        public var conflicts: Int
        /// Snapshots older than the catalog's current one that it lacks (not added).
        public var skipped: [Int64] = []
    }

    /// Exports the Hudi table and publishes it, the snapshot files placed as `placement`
    /// says. Catalogs assign fresh field ids when they create a table, not all in the same
    /// order (SeaweedFS numbers nested fields depth first; Iceberg's Java and Python
    /// libraries, lakana and we a struct's fields before their children), so what is
    /// published keeps the catalog's ids, which the manifests' metrics must use. With
    /// `tableRoot`, the table root's own export when the catalog has its ids; otherwise (a
    /// nested table) the snapshot files written again with the catalog's ids under
    /// `metadata/catalog-<table uuid>/` (Iceberg files never change). With
    /// `catalogLocation`, the table is created or loaded first, to learn its location.
    @discardableResult
    public func publish(from exporter: HudiIcebergExporter) async throws -> Result {
        switch placement {
        case .tableRoot:
            // Exported first: a table that cannot be exported is not created in the catalog.
            let export = try await exporter.export()
            let table = try await loadOrCreate(like: export.metadata)
            let ids = try Self.currentSchema(of: table).ids
            let ownIDs = export.metadata.schema.idsByPath
            if ids.allSatisfy({ ownIDs[$0.key] == $0.value }) { return try await publish(export, to: table) }
            guard let uuid = table.metadata["table-uuid"]?.string, !uuid.isEmpty, !uuid.contains("/") else {
                throw IcebergRESTError.badResponse("the catalog's table \(tableName) has no table-uuid")
            }
            let folder = "\(HudiIcebergExporter.metadataFolder)/catalog-\(uuid)"
            let target = IcebergMetadataTarget(location: "\(exporter.location)/\(folder)", store: try exporter.table.store.scoped(to: folder))
            return try await publish(try await exporter.export(into: target, fieldIDs: ids), to: table)
        case .catalogLocation(let open):
            let table = try await loadOrCreate(like: try await exporter.tableMetadata())
            let ids = try Self.currentSchema(of: table).ids
            guard let location = table.metadata["location"]?.string, !location.isEmpty else {
                throw IcebergRESTError.badResponse("the catalog's table \(tableName) has no location")
            }
            let store = try await open(location)
            let export = try await exporter.export(into: IcebergMetadataTarget(location: location, store: store), fieldIDs: ids)
            return try await publish(export, to: table)
        }
    }

    /// The catalog table's current schema and its field ids by path.
    static func currentSchema(of table: IcebergCatalogTable) throws -> (id: Int64, ids: [String: Int]) {
        let currentID = table.metadata["current-schema-id"]?.int ?? 0
        let schemas = table.metadata["schemas"]?.arrayValues ?? []
        guard let s = schemas.first(where: { $0["schema-id"]?.int == currentID }) ?? schemas.first else {
            throw IcebergRESTError.badResponse("table metadata without schemas")
        }
        return (currentID, IcebergSchema.idsByPath(schemaJSON: s))
    }

    /// Publishes an export whose snapshot files are already written.
    @discardableResult
    public func publish(_ export: IcebergExport) async throws -> Result {
        try await publish(export, to: try await loadOrCreate(like: export.metadata))
    }

    private func loadOrCreate(like metadata: IcebergTableMetadata) async throws -> IcebergCatalogTable {
        try await catalog.ensureNamespace(namespace)
        if let existing = try await catalog.loadTable(namespace, tableName) { return existing }
        do {
            return try await catalog.createTable(namespace, tableName, like: metadata)
        } catch IcebergRESTError.alreadyExists {
            guard let t = try await catalog.loadTable(namespace, tableName) else { throw IcebergRESTError.notFound(tableName) }
            return t
        }
    }

    private func publish(_ export: IcebergExport, to start: IcebergCatalogTable) async throws -> Result {
        var table = start
        var committed: [Int64] = []
        var conflicts = 0
        while true {
            do {
                table = try await commitMissing(export, to: table, committed: &committed)
                let have = Set(table.snapshotIDs)
                let current = table.currentSnapshotID ?? 0
                let skipped = export.metadata.snapshots.map(\.snapshotID).filter { !have.contains($0) && $0 < current }
                return Result(committed: committed, currentSnapshotID: table.currentSnapshotID, conflicts: conflicts, skipped: skipped)
            } catch IcebergRESTError.commitConflict(let message) {
                conflicts += 1
                guard conflicts <= maxConflicts else { throw IcebergRESTError.commitConflict(message) }
                guard let reloaded = try await catalog.loadTable(namespace, tableName) else { throw IcebergRESTError.notFound(tableName) }
                table = reloaded
            }
        }
    }

    /// Commits the export's snapshots `table` lacks, oldest first; returns the table after.
    private func commitMissing(_ export: IcebergExport, to start: IcebergCatalogTable, committed: inout [Int64]) async throws -> IcebergCatalogTable {
        var table = try await reconcileSchema(start, export.metadata)
        let known = Set(table.snapshotIDs)
        let schemaID = table.metadata["current-schema-id"]?.int ?? 0
        for snapshot in export.metadata.snapshots where !known.contains(snapshot.snapshotID) {
            if let current = table.currentSnapshotID, snapshot.snapshotID < current { continue }
            // Catalogs reject snapshots older than the table's last update: a history
            // published late is stamped no earlier than that (ids still name the commits).
            let stamp = max(snapshot.timestampMillis, table.lastUpdatedMillis)
            var s: [(String, JSONValue)] = [("snapshot-id", .int(snapshot.snapshotID))]
            if let parent = table.currentSnapshotID { s.append(("parent-snapshot-id", .int(parent))) }
            s += [
                ("sequence-number", .int(max(snapshot.sequenceNumber, table.lastSequenceNumber + 1))),
                ("timestamp-ms", .int(stamp)),
                ("manifest-list", .string(snapshot.manifestList)),
                ("summary", .object(snapshot.summary.map { ($0.0, .string($0.1)) })),
                ("schema-id", .int(schemaID)),
            ]
            let requirement: JSONValue = .object([
                ("type", .string("assert-ref-snapshot-id")), ("ref", .string("main")),
                ("snapshot-id", table.currentSnapshotID.map(JSONValue.int) ?? .null),
            ])
            table = try await catalog.commit(namespace, tableName, requirements: [requirement], updates: [
                .object([("action", .string("add-snapshot")), ("snapshot", .object(s))]),
                .object([("action", .string("set-snapshot-ref")), ("ref-name", .string("main")),
                         ("type", .string("branch")), ("snapshot-id", .int(snapshot.snapshotID))]),
            ])
            committed.append(snapshot.snapshotID)
        }
        return table
    }

    /// The manifests carry our field ids: the catalog's current schema must have the same
    /// ones (by path, nested fields included). Columns and nested members Hudi's schema
    /// evolution added since are added to the catalog's schema first (`add-schema` +
    /// `set-current-schema`, guarded by `assert-current-schema-id`). The name mapping is
    /// set in the same commit when it is not ours (new fields; ids the catalog assigned).
    private func reconcileSchema(_ table: IcebergCatalogTable, _ metadata: IcebergTableMetadata) async throws -> IcebergCatalogTable {
        let schema = metadata.schema
        let (currentID, theirs) = try Self.currentSchema(of: table)
        var missing = false
        for (path, ours) in schema.idsByPath.sorted(by: { $0.key < $1.key }) {
            guard let id = theirs[path] else { missing = true; continue }
            guard id == ours else {
                throw CatalogError(.invalidTable, "catalog table's field \(path) has id \(id), ours \(ours)")
            }
        }
        let mapping = metadata.nameMappingJSON
        let stored = table.metadata["properties"]?["schema.name-mapping.default"]?.string
        let mappingStale = stored.flatMap(IcebergSchema.nameMappingIDs) != IcebergSchema.nameMappingIDs(mapping)
        guard missing || mappingStale else { return table }
        var updates: [JSONValue] = []
        if missing {
            let schemas = table.metadata["schemas"]?.arrayValues ?? []
            let lastColumnID = max(Int64(schema.lastColumnID), table.metadata["last-column-id"]?.int ?? 0)
            var evolved = schema
            evolved.schemaID = Int((schemas.compactMap { $0["schema-id"]?.int }.max() ?? 0) + 1)
            updates += [
                .object([("action", .string("add-schema")), ("schema", evolved.json), ("last-column-id", .int(lastColumnID))]),
                .object([("action", .string("set-current-schema")), ("schema-id", .int(-1))]),
            ]
        }
        updates.append(.object([("action", .string("set-properties")), ("updates", .object([
            ("schema.name-mapping.default", .string(mapping)),
        ]))]))
        return try await catalog.commit(namespace, tableName, requirements: [
            .object([("type", .string("assert-current-schema-id")), ("current-schema-id", .int(currentID))]),
        ], updates: updates)
    }

    /// How far the catalog table is behind the Hudi table (for `tributary catalog status`).
    public struct Status: Sendable, Equatable {
        /// The catalog's current snapshot (a Hudi instant as a number), nil: none / no table.
        public var catalogSnapshotID: Int64?
        /// The Hudi table's latest completed commit.
        public var hudiLatestInstant: String?
        /// Completed Hudi commits newer than the catalog's current snapshot.
        public var commitsBehind: Int
    }

    public func status(of hudi: HudiTable) async throws -> Status {
        let current = try await catalog.loadTable(namespace, tableName)?.currentSnapshotID
        let commits = try await hudi.timeline().completedDataCommits
        let behind = try commits.filter { try HudiIcebergExporter.snapshotID(ofInstant: $0.timestamp) > (current ?? 0) }.count
        return Status(catalogSnapshotID: current, hudiLatestInstant: commits.last?.timestamp, commitsBehind: behind)
    }
}

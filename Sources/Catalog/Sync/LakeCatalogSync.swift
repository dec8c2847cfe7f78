import Foundation
import Hudi
import Logging
import MonitoringCore
import ObjectStore

/// Publishes the Hudi tables of a lake to an Iceberg REST catalog: each table (a folder of
/// the lake holding `.hoodie/hoodie.properties`, named after its topic) becomes
/// `<namespace>.<folder>`, with one Iceberg snapshot per Hudi commit (see
/// ``HudiIcebergExporter`` and ``IcebergPublisher``).
///
/// Catching up is idempotent and driven by the Hudi timeline alone: snapshot ids are the
/// Hudi instants, so whatever the catalog lacks is published and nothing twice. One sync
/// object keeps each table's exporter (its footer cache) between syncs.
public actor LakeCatalogSync {
    public nonisolated let lake: any ObjectStore
    /// Absolute URI of the lake root as readers see it (`file:///…/lake`, `s3://bucket/prefix`).
    public nonisolated let lakeLocation: String
    public nonisolated let catalog: IcebergRESTCatalog
    public nonisolated let namespace: [String]
    /// Where the snapshot files go (see ``IcebergPublisher/MetadataPlacement``).
    public nonisolated let placement: IcebergPublisher.MetadataPlacement
    private let logger: Logger
    private var tables: [String: TableState] = [:]

    private struct TableState {
        var table: HudiTable
        var exporter: HudiIcebergExporter
        /// The latest Hudi instant known to be in the catalog (nil: unknown yet).
        var published: String?
    }

    public init(lake: any ObjectStore, lakeLocation: String, catalog: IcebergRESTCatalog, namespace: [String],
                placement: IcebergPublisher.MetadataPlacement = .tableRoot, logger: Logger = Logger(label: "tributary.catalog")) {
        self.placement = placement
        self.lake = lake
        var location = lakeLocation
        while location.hasSuffix("/") { location.removeLast() }
        self.lakeLocation = location
        self.catalog = catalog
        self.namespace = namespace
        self.logger = logger
    }

    /// What one table's sync did.
    public struct TableSync: Sendable, Equatable {
        public var table: String
        /// `namespace.table` in the catalog.
        public var identifier: String
        /// Hudi instants published now, oldest first.
        public var published: [String]
        /// The Hudi instant of the catalog's current snapshot afterwards.
        public var catalogInstant: String?
        /// The Hudi table's latest completed commit.
        public var hudiLatest: String?
        /// Commits that completed after a newer one was published (not added; see
        /// ``IcebergPublisher``).
        public var skipped: [String]
        /// Commit conflicts absorbed (another writer committed first).
        public var conflicts: Int
        /// True when nothing was new and the catalog was not asked.
        public var upToDate: Bool
    }

    /// How far a table of the catalog is behind its Hudi table.
    public struct TableStatus: Sendable, Equatable {
        public var table: String
        public var identifier: String
        public var hudiLatest: String?
        /// The Hudi instant of the catalog's current snapshot (nil: no table / no snapshot).
        public var catalogInstant: String?
        public var catalogHasTable: Bool
        /// Completed Hudi commits newer than the catalog's current snapshot.
        public var commitsBehind: Int
    }

    /// Folder names of the lake that hold a Hudi table, sorted.
    public func tableNames() async throws -> [String] {
        try await HudiTable.tableFolders(in: lake)
    }

    /// Publishes the table's commits the catalog lacks. With `force` false a table whose
    /// latest commit this object already published is skipped without asking the catalog.
    public func sync(_ name: String, force: Bool = true) async throws -> TableSync {
        var state = try await open(name)
        let timeline = try await state.table.timeline()
        let latest = timeline.completedDataCommits.last?.timestamp
        let identifier = (namespace + [name]).joined(separator: ".")
        if !force, let latest, state.published == latest {
            TributaryMetrics.catalogCommitsBehind.gauge(name).record(0)
            return TableSync(table: name, identifier: identifier, published: [], catalogInstant: latest, hudiLatest: latest,
                             skipped: [], conflicts: 0, upToDate: true)
        }
        guard latest != nil else {
            // No commit yet: nothing an Iceberg snapshot could describe.
            TributaryMetrics.catalogCommitsBehind.gauge(name).record(0)
            return TableSync(table: name, identifier: identifier, published: [], catalogInstant: nil, hudiLatest: nil,
                             skipped: [], conflicts: 0, upToDate: true)
        }
        do {
            let publisher = IcebergPublisher(catalog: catalog, namespace: namespace, tableName: name, placement: placement)
            let result = try await publisher.publish(from: state.exporter)
            let current = result.currentSnapshotID.map(String.init)
            state.published = current
            tables[name] = state
            TributaryMetrics.catalogPublishes.counter(name, "ok").increment()
            let behind = timeline.completedDataCommits.filter { Self.newer($0.timestamp, than: current) }.count
            TributaryMetrics.catalogCommitsBehind.gauge(name).record(behind)
            return TableSync(table: name, identifier: identifier, published: result.committed.map(String.init),
                             catalogInstant: current, hudiLatest: latest, skipped: result.skipped.map(String.init),
                             conflicts: result.conflicts, upToDate: false)
        } catch {
            TributaryMetrics.catalogPublishes.counter(name, "error").increment()
            let behind = timeline.completedDataCommits.filter { Self.newer($0.timestamp, than: state.published) }.count
            TributaryMetrics.catalogCommitsBehind.gauge(name).record(behind)
            throw error
        }
    }

    /// The catalog's view of the table against its Hudi timeline.
    public func status(_ name: String) async throws -> TableStatus {
        let state = try await open(name)
        let commits = try await state.table.timeline().completedDataCommits
        let loaded = try await catalog.loadTable(namespace, name)
        let instant = loaded.flatMap(Self.instant(ofCurrentSnapshot:))
        let behind = commits.filter { Self.newer($0.timestamp, than: instant) }.count
        return TableStatus(table: name, identifier: (namespace + [name]).joined(separator: "."), hudiLatest: commits.last?.timestamp,
                           catalogInstant: instant, catalogHasTable: loaded != nil, commitsBehind: behind)
    }

    /// The Hudi instant of the table's current snapshot: its `hudi.instant` summary
    /// property, else the snapshot id (ours are the instants).
    static func instant(ofCurrentSnapshot table: IcebergCatalogTable) -> String? {
        guard let id = table.currentSnapshotID else { return nil }
        let snapshot = (table.metadata["snapshots"]?.arrayValues ?? []).first { $0["snapshot-id"]?.int == id }
        return snapshot?["summary"]?["hudi.instant"]?.string ?? String(id)
    }

    static func newer(_ instant: String, than published: String?) -> Bool {
        guard let published else { return true }
        guard let a = Int64(instant), let b = Int64(published) else { return instant > published }
        return a > b
    }

    private func open(_ name: String) async throws -> TableState {
        if let state = tables[name] { return state }
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
            throw CatalogError(.invalidArgument, "table name '\(name)'")
        }
        let store = try lake.scoped(to: name)
        let table = try await HudiTable.open(store: store)
        let state = TableState(table: table, exporter: try HudiIcebergExporter(table: table, location: "\(lakeLocation)/\(name)"))
        tables[name] = state
        return state
    }
}

import Foundation
import Hudi
import Logging
import ObjectStore

/// The lake's Hudi tables as DuckDB views: each table (a folder of the lake root holding
/// `.hoodie/hoodie.properties`) becomes a view named after the folder (the topic) over the
/// exact Parquet files of its snapshot — no de-duplication needed, since a snapshot holds
/// one version of every record. A table's view is re-planned when its timeline's latest
/// commit changes.
///
/// Merge-on-read slices with log files are read through our merged reader: each becomes one
/// Parquet file (``HudiTable/mergedSliceFile(_:logInstants:)``, what compaction would write)
/// in `mergedDirectory`, named after the slice, its log files and the instants read, so it
/// is made once and reused until a new delta commit touches the slice; superseded ones are
/// deleted a grace period after their last use (``MergedSliceFiles``). Slices without logs
/// are read where they are.
public actor LakeCatalog {
    /// How a view reads its files.
    struct TableView: Sendable, Equatable {
        var name: String
        var files: [String]
        /// Extra condition (incremental reads filter on `_hoodie_commit_time`).
        var filter: String?
        var includeMeta: Bool
        /// The plan was empty: the view reads a file of the table with `WHERE false` to keep its columns.
        var empty: Bool
    }

    private struct State {
        var table: HudiTable
        var latest: String?
        var view: TableView?
    }

    private let root: any ObjectStore
    /// Where the lake's files are on this machine (local lakes), or nil (S3: use `cache`).
    private let localRoot: URL?
    private let cache: FileCache?
    /// Merged merge-on-read slices (nil: merge-on-read slices with logs cannot be queried).
    private var merged: MergedSliceFiles?
    private nonisolated let mergedDirectory: URL?
    private let discoveryInterval: TimeInterval
    private let logger: Logger
    private var tables: [String: State] = [:]
    private var lastDiscovery: Date?
    /// Bumped whenever a view changes; processes compare it with the version they have.
    public private(set) var version = 0

    /// - mergedFileGrace: seconds a merged file no current view names is kept after its last
    ///   use (longer than any query runs: a running query may still read it).
    public init(root: any ObjectStore, localRoot: URL?, cache: FileCache?, mergedDirectory: URL? = nil, mergedFileGrace: TimeInterval = 600,
                discoveryInterval: TimeInterval = 5, logger: Logger = Logger(label: "tributary.query.catalog")) {
        self.root = root
        self.mergedDirectory = mergedDirectory?.standardizedFileURL
        merged = mergedDirectory.map { MergedSliceFiles(directory: $0, grace: mergedFileGrace) }
        self.localRoot = localRoot?.standardizedFileURL
        self.cache = cache
        self.discoveryInterval = discoveryInterval
        self.logger = logger
    }

    /// The folder DuckDB must be allowed to read.
    public nonisolated var readableDirectory: String? { (localRoot?.path ?? cache?.directory.path).map { $0.hasSuffix("/") ? $0 : $0 + "/" } }

    /// Every folder DuckDB must be allowed to read (the lake or its cache, merged slices).
    public nonisolated var readableDirectories: [String] {
        ([readableDirectory] + [mergedDirectory.map { $0.path + "/" }]).compactMap { $0 }
    }

    /// Table names, sorted.
    public func tableNames() async throws -> [String] {
        try await discoverIfDue(force: false)
        return tables.keys.sorted()
    }

    /// The table object of `name` (shared, so its commit-metadata cache serves other
    /// readers such as the web app's lake pages); nil when there is no such table.
    public func table(named name: String) async throws -> HudiTable? {
        try await discoverIfDue(force: false)
        if tables[name] == nil { try await discoverIfDue(force: true) }
        return tables[name]?.table
    }

    /// Brings every view up to the latest commit; returns the version and the statements
    /// that (re)create all views.
    func refresh() async throws -> (version: Int, statements: [String]) {
        try await discoverIfDue(force: false)
        var changed = false
        for (name, state) in tables.sorted(by: { $0.key < $1.key }) {
            let latest = try await state.table.timeline().latestCompletedCommit?.timestamp
            // A view is re-planned when a merged file it reads is gone (swept by another
            // catalog sharing the folder, or deleted by hand).
            let intact = state.view.map { mergedFiles(of: $0).allSatisfy { FileManager.default.fileExists(atPath: $0) } } ?? true
            if latest == state.latest, intact, state.view != nil || latest == nil { continue }
            let plan = try await state.table.planSnapshot()
            let view = try await makeView(name: name, table: state.table, slices: plan.slices, logInstants: plan.logInstants,
                                          filter: nil, includeMeta: false)
            tables[name]?.latest = latest
            if view != state.view {
                tables[name]?.view = view
                changed = true
            }
        }
        if changed { version += 1 }
        if merged != nil {
            let inUse = Set(tables.values.compactMap(\.view).flatMap(mergedFiles(of:)))
            merged?.markUsed(Array(inUse))
            if merged?.sweepDue() == true { sweepMergedFiles(inUse: inUse) }
        }
        let statements = tables.keys.sorted().compactMap { tables[$0]?.view.map { Self.createStatement($0, temporary: false) } }
        return (version, statements)
    }

    /// Temporary views (shadowing the main ones for one query) for time travel,
    /// incremental reads or meta columns, plus the statements that drop them afterwards.
    func temporaryViews(_ options: QueryOptions) async throws -> (create: [String], drop: [String]) {
        if options.asOf != nil, options.since != nil || options.until != nil {
            throw QueryError.invalidOptions("use either as-of (time travel) or since/until (incremental), not both")
        }
        if options.until != nil, options.since == nil {
            throw QueryError.invalidOptions("until needs since (an incremental range)")
        }
        var create: [String] = []
        var drop: [String] = []
        for name in try await tableNames() {
            guard let table = tables[name]?.table else { continue }
            let view: TableView?
            do {
                if let since = options.since {
                    let plan = try await table.planIncremental(since: since, until: options.until)
                    guard let end = plan.end else { continue }
                    var filter = "_hoodie_commit_time <= \(SQLGuard.literal(end))"
                    if let begin = plan.begin { filter = "_hoodie_commit_time > \(SQLGuard.literal(begin)) AND " + filter }
                    view = try await makeView(name: name, table: table, slices: plan.slices, logInstants: plan.logInstants, filter: filter,
                                              includeMeta: options.includeMetaColumns)
                } else {
                    let plan = try await table.planSnapshot(asOf: options.asOf)
                    view = try await makeView(name: name, table: table, slices: plan.slices, logInstants: plan.logInstants, filter: nil,
                                              includeMeta: options.includeMetaColumns)
                }
            } catch let error as HudiError {
                throw QueryError.invalidOptions("\(name): \(error)")
            }
            guard let view else { continue }
            create.append(Self.createStatement(view, temporary: true))
            drop.append("DROP VIEW IF EXISTS temp.\(SQLGuard.identifier(name));")
        }
        return (create, drop)
    }

    /// A view over `slices`; nil when the table has no file at all.
    private func makeView(name: String, table: HudiTable, slices: [FileSlice], logInstants: Set<String>?, filter: String?,
                          includeMeta: Bool) async throws -> TableView? {
        var chosen = slices
        var empty = false
        if chosen.isEmpty {
            // Keep the table's columns for an empty read: any file of the latest snapshot.
            guard let any = try await table.planSnapshot().slices.first else { return nil }
            chosen = [any]
            empty = true
        }
        let merging = chosen.filter { !$0.logFiles.isEmpty }
        chosen = chosen.filter(\.logFiles.isEmpty)
        let keys = chosen.map { (key: "\(name)/" + $0.path, size: $0.size) }
        var paths: [String]
        if let localRoot {
            paths = keys.map { localRoot.appendingPathComponent($0.key).path }
        } else if let cache {
            paths = try await cache.ensure(keys, pinned: pinnedKeys())
        } else {
            throw QueryError.engine("the lake is neither local nor cached")
        }
        for slice in merging { paths.append(try await mergedFile(name: name, table: table, slice: slice, logInstants: logInstants)) }
        return TableView(name: name, files: paths.sorted(), filter: filter, includeMeta: includeMeta, empty: empty)
    }

    /// The merged Parquet file of a merge-on-read slice with logs, made when missing (its
    /// name says what it holds: slice, log files, and the instants read), marked used now.
    private func mergedFile(name: String, table: HudiTable, slice: FileSlice, logInstants: Set<String>?) async throws -> String {
        guard let file = merged?.path(table: name, slice: slice, logInstants: logInstants) else {
            throw QueryError.engine("\(name): merge-on-read slices need a folder for merged files")
        }
        let made = try await MergedSliceFiles.make(file, table: table, slice: slice, logInstants: logInstants)
        merged?.markUsed([file.path], made: made ? [file.path] : [])
        return file.path
    }

    /// The merged files a view reads.
    private nonisolated func mergedFiles(of view: TableView) -> [String] {
        guard let dir = mergedDirectory?.path else { return [] }
        return view.files.filter { $0.hasPrefix(dir + "/") }
    }

    /// Deletes merged files no main view reads and none used within the grace period (see
    /// ``MergedSliceFiles``); the paths deleted. Runs from `refresh()` every quarter grace
    /// period, the first time on the first query (a previous run's files).
    @discardableResult
    func sweepMergedFiles(inUse: Set<String>? = nil, now: Date = Date()) -> [String] {
        let inUse = inUse ?? Set(tables.values.compactMap(\.view).flatMap(mergedFiles(of:)))
        let deleted = merged?.sweep(inUse: inUse, now: now) ?? []
        if !deleted.isEmpty { logger.debug("merged slice files deleted", metadata: ["files": "\(deleted.count)"]) }
        return deleted
    }

    /// Keys the current main views read (kept in the cache).
    private func pinnedKeys() -> Set<String> {
        guard let cache else { return [] }
        let dir = cache.directory.path + "/"
        var keys = Set<String>()
        for state in tables.values {
            for f in state.view?.files ?? [] where f.hasPrefix(dir) { keys.insert(String(f.dropFirst(dir.count))) }
        }
        return keys
    }

    static func createStatement(_ v: TableView, temporary: Bool) -> String {
        let files = "[" + v.files.map(SQLGuard.literal).joined(separator: ", ") + "]"
        // hive_partitioning off: the partition column is stored in the files already.
        var source = "SELECT * FROM read_parquet(\(files), hive_partitioning=false, union_by_name=true)"
        var conditions: [String] = []
        if let f = v.filter { conditions.append(f) }
        if v.empty { conditions.append("false") }
        if !conditions.isEmpty { source += " WHERE " + conditions.joined(separator: " AND ") }
        let select = v.includeMeta ? source : "SELECT COLUMNS(lambda c: NOT starts_with(c, '_hoodie_')) FROM (\(source))"
        return "CREATE OR REPLACE \(temporary ? "TEMP " : "")VIEW \(SQLGuard.identifier(v.name)) AS \(select);"
    }

    private func discoverIfDue(force: Bool) async throws {
        if !force, let last = lastDiscovery, Date().timeIntervalSince(last) < discoveryInterval { return }
        lastDiscovery = Date()
        var folders: [String] = []
        for try await entry in root.list(prefix: "", delimiter: "/") {
            if case .commonPrefix(let p) = entry { folders.append(p) }
        }
        for folder in folders {
            let name = String(folder.dropLast(folder.hasSuffix("/") ? 1 : 0))
            guard tables[name] == nil, !name.hasPrefix("."), !name.isEmpty else { continue }
            let store = try root.scoped(to: name)
            guard (try? await store.exists(HudiTable.propertiesKey)) == true else { continue }
            do {
                let table = try await HudiTable.open(store: store, logger: logger)
                tables[name] = State(table: table, latest: nil, view: nil)
            } catch {
                logger.warning("skipping table folder \(name): \(error)")
            }
        }
    }
}

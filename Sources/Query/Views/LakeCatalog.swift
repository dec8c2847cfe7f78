import Foundation
import Hudi
import Logging
import ObjectStore
import TributaryCore

/// The lake's Hudi tables as DuckDB views: each table (a folder of the lake root holding
/// `.hoodie/hoodie.properties`) becomes a view named after the folder (the topic) over the
/// exact Parquet files of its snapshot — no de-duplication needed, since a snapshot holds
/// one version of every record. A table's view is re-planned when its timeline's latest
/// commit changes.
///
/// Merge-on-read slices with log blocks are merged by DuckDB (``MergeOnReadView``): their
/// base files where they are, beside their log blocks extracted once per log file into
/// `logBlockDirectory` (``LogBlockFiles``: a few files per delta commit, deleted a grace
/// period after no view names them). Slices without logs are read where they are.
public actor LakeCatalog {
    /// How a view reads its files.
    struct TableView: Sendable, Equatable {
        var name: String
        /// Files read as they are (slices without log blocks).
        var files: [String]
        /// The slices with counted log blocks, merged in SQL.
        var merge: MergeOnReadView?
        /// Extra condition (incremental reads filter on `_hoodie_commit_time`).
        var filter: String?
        var includeMeta: Bool
        /// The plan was empty: the view reads a file of the table with `WHERE false` to keep its columns.
        var empty: Bool

        /// Every file the view reads.
        var allFiles: [String] { files + (merge?.files ?? []) }
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
    /// Extracted log blocks (nil: merge-on-read slices with logs cannot be queried).
    private var logBlocks: LogBlockFiles?
    private nonisolated let logBlockDirectory: URL?
    /// Runs a statement in a DuckDB process that may write under `logBlockDirectory`.
    private let copy: @Sendable (String) async throws -> Void
    private let discoveryInterval: TimeInterval
    private let logger: Logger
    private var tables: [String: State] = [:]
    private var lastDiscovery: Date?
    /// The views' planning running now (see `updateViews`).
    private var planning: Task<Void, any Error>?
    let mergeChunkBytes: Int
    /// Bumped whenever a view changes; processes compare it with the version they have.
    public private(set) var version = 0

    /// - logBlockGrace: seconds an extracted log block file no current view names is kept
    ///   after its last use (longer than any query runs: a running query may still read it).
    /// - copy: runs a `COPY` statement in a DuckDB process allowed to write under
    ///   `logBlockDirectory` (the query processes: their allow-list names it).
    public init(root: any ObjectStore, localRoot: URL?, cache: FileCache?, logBlockDirectory: URL? = nil, logBlockGrace: TimeInterval = 600,
         copy: @escaping @Sendable (String) async throws -> Void = { _ in throw QueryError.engine("no DuckDB to extract log blocks with") },
         discoveryInterval: TimeInterval = 5, mergeChunkBytes: Int = MergeOnReadView.defaultChunkBytes,
         logger: Logger = Logger(label: "tributary.query.catalog")) {
        self.mergeChunkBytes = mergeChunkBytes
        self.root = root
        self.logBlockDirectory = logBlockDirectory?.standardizedFileURL
        logBlocks = logBlockDirectory.map { LogBlockFiles(directory: $0, grace: logBlockGrace) }
        self.copy = copy
        self.localRoot = localRoot?.standardizedFileURL
        self.cache = cache
        self.discoveryInterval = discoveryInterval
        self.logger = logger
    }

    /// The folder DuckDB must be allowed to read.
    public nonisolated var readableDirectory: String? { Self.readableDirectory(localRoot: localRoot, cache: cache) }

    /// Every folder DuckDB must be allowed to read (the lake or its cache, extracted log blocks).
    public nonisolated var readableDirectories: [String] {
        Self.readableDirectories(localRoot: localRoot, cache: cache, logBlockDirectory: logBlockDirectory)
    }

    static func readableDirectories(localRoot: URL?, cache: FileCache?, logBlockDirectory: URL?) -> [String] {
        [readableDirectory(localRoot: localRoot, cache: cache), logBlockDirectory.map { $0.standardizedFileURL.path + "/" }].compactMap { $0 }
    }

    private static func readableDirectory(localRoot: URL?, cache: FileCache?) -> String? {
        (localRoot?.standardizedFileURL.path ?? cache?.directory.path).map { $0.hasSuffix("/") ? $0 : $0 + "/" }
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
        try await updateViews { _ in true }
        let statements = tables.keys.sorted().compactMap { tables[$0]?.view.map { Self.createStatement($0, temporary: false) } }
        return (version, statements)
    }

    /// Brings the views of merge-on-read tables up to their latest commit ahead of any
    /// query (``ViewPreparer`` calls it in the background): the log blocks of a new delta
    /// commit are extracted and the merge decided here, so the next query finds them done.
    public func prepareMergeOnReadViews() async throws {
        try await updateViews { $0.tableType == .mergeOnRead }
    }

    /// Re-plans the views (of the tables `included` selects) whose table has a new commit.
    /// One planning at a time: a caller arriving while another plans (the preparer, a
    /// query) waits for it and then checks again, usually finding nothing left to do,
    /// rather than extracting the same log blocks a second time.
    private func updateViews(_ included: @escaping @Sendable (HudiTable) -> Bool) async throws {
        while let running = planning { _ = try? await running.value }
        let task = Task {
            defer { self.planning = nil }
            try await self.planViews(included)
        }
        planning = task
        try await task.value
    }

    private func planViews(_ included: @Sendable (HudiTable) -> Bool) async throws {
        try await discoverIfDue(force: false)
        var changed = false
        for (name, state) in tables.sorted(by: { $0.key < $1.key }) where included(state.table) {
            let latest = try await state.table.timeline().latestCompletedCommit?.timestamp
            // A view is re-planned when a log block file it reads is gone (swept by another
            // catalog sharing the folder, or deleted by hand).
            let intact = state.view.map { logBlockFiles(of: $0).allSatisfy { FileManager.default.fileExists(atPath: $0) } } ?? true
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
        if logBlocks != nil {
            let inUse = Set(tables.values.compactMap(\.view).flatMap(logBlockFiles(of:)))
            logBlocks?.markUsed(Array(inUse))
            if logBlocks?.sweepDue() == true { sweepLogBlockFiles(inUse: inUse) }
        }
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
        let keys = chosen.map { (key: "\(name)/" + $0.path, size: $0.size) }
        let paths: [String]
        if let localRoot {
            paths = keys.map { localRoot.appendingPathComponent($0.key).path }
        } else if let cache {
            paths = try await cache.ensure(keys, pinned: pinnedKeys())
        } else {
            throw QueryError.engine("the lake is neither local nor cached")
        }
        var plain: [String] = []
        var merging: [(base: String, slice: FileSlice)] = []
        for (path, slice) in zip(paths, chosen) {
            if slice.logFiles.isEmpty { plain.append(path) } else { merging.append((path, slice)) }
        }
        let merge = try await mergeView(name: name, table: table, slices: merging, logInstants: logInstants)
        plain += merge.plain
        if let dir = logBlockDirectory?.path { logBlocks?.markUsed(merge.view?.files.filter { $0.hasPrefix(dir + "/") } ?? []) }
        return TableView(name: name, files: plain.sorted(), merge: merge.view, filter: filter, includeMeta: includeMeta, empty: empty)
    }

    /// The merge of slices with log files: their counted blocks (visible as of
    /// `logInstants`, nil: all; not rolled back), extracted when missing. Slices none of
    /// whose blocks count are read as plain base files.
    private func mergeView(name: String, table: HudiTable, slices: [(base: String, slice: FileSlice)],
                           logInstants: Set<String>?) async throws -> (view: MergeOnReadView?, plain: [String]) {
        guard !slices.isEmpty else { return (nil, []) }
        guard logBlocks != nil, let directory = logBlockDirectory else {
            throw QueryError.engine("\(name): merge-on-read slices need a folder for log blocks")
        }
        let missing = slices.flatMap(\.slice.logFiles).filter { logBlocks?.entries(table: name, log: $0) == nil }
        if !missing.isEmpty {
            // Reserved before extracting: another refresh may extract meanwhile (the actor is reentrant).
            let first = logBlocks?.reserveBatch() ?? 0
            let started = ContinuousClock.now
            let extracted = try await LogBlockFiles.extract(missing, table: table, name: name, directory: directory, firstId: first, copy: copy)
            logBlocks?.record(extracted, table: name)
            logger.debug("log blocks extracted", metadata: ["table": "\(name)", "logFiles": "\(missing.count)", "seconds": "\(started.duration(to: .now))"])
        }
        var view = MergeOnReadView(bases: [], blocks: [], dataFiles: [], deleteFiles: [], ordering: MergeOnReadView.ordering(try await table.orderingField()),
                                   keyed: table.config.populateMetaFields, chunkBytes: mergeChunkBytes)
        var plain: [String] = []
        for (base, slice) in slices {
            let logs = slice.logFiles.sorted()
            let entries = try logs.map { log in
                guard let e = logBlocks?.entries(table: name, log: log) else { throw QueryError.engine("\(name): log blocks of \(log.path) vanished") }
                return e
            }
            let counted = ExtractedLogBlock.counted(entries.map { $0.map { (instant: $0.instant, rollbackTarget: $0.rollbackTarget) } },
                                                    isVisible: { logInstants?.contains($0) ?? true })
            let rows = counted.map { entries[$0.file][$0.block] }.filter { $0.file != nil }
            guard !rows.isEmpty else { plain.append(base); continue }
            let number = view.bases.count
            view.bases.append(base)
            view.baseSizes.append(slice.size)
            var rank = 0
            for entry in rows {
                guard let file = entry.file, let instant = entry.instant else { continue }
                if !entry.isDelete { rank += 1 }
                view.blocks.append(MergeOnReadView.Block(id: entry.id, slice: number, rank: entry.isDelete ? 0 : rank, instant: instant))
                if entry.isDelete { view.deleteFiles.append(file) } else { view.dataFiles.append(file) }
            }
        }
        view.dataFiles = Array(Set(view.dataFiles)).sorted()
        view.deleteFiles = Array(Set(view.deleteFiles)).sorted()
        guard !view.bases.isEmpty else { return (nil, plain) }
        if view.keyed {
            // Decided once per identity (a new delta commit, another time-travel instant).
            let stem = directory.appendingPathComponent(name).appendingPathComponent("decided-\(String(FNV1a.hash(view.identity), radix: 16))").path
            let (losing, winning) = (stem + ".losing.parquet", stem + ".winning.parquet")
            if ![losing, winning].allSatisfy(FileManager.default.fileExists(atPath:)) {
                try FileManager.default.createDirectory(at: directory.appendingPathComponent(name), withIntermediateDirectories: true)
                let started = ContinuousClock.now
                try await copy(view.decisionStatements(losing: losing, winning: winning).joined(separator: "\n"))
                logger.debug("merge decided", metadata: ["table": "\(name)", "slices": "\(view.bases.count)", "seconds": "\(started.duration(to: .now))"])
            }
            (view.losingBaseRows, view.winningLogRows) = (losing, winning)
        }
        return (view, plain)
    }

    /// The extracted log block files a view reads.
    private nonisolated func logBlockFiles(of view: TableView) -> [String] {
        guard let dir = logBlockDirectory?.path else { return [] }
        return view.allFiles.filter { $0.hasPrefix(dir + "/") }
    }

    /// Deletes log block files no main view reads and none used within the grace period
    /// (see ``LogBlockFiles``); the paths deleted. Runs from `refresh()` every quarter grace
    /// period, the first time on the first query (a previous run's files).
    @discardableResult
    func sweepLogBlockFiles(inUse: Set<String>? = nil, now: Date = Date()) -> [String] {
        let inUse = inUse ?? Set(tables.values.compactMap(\.view).flatMap(logBlockFiles(of:)))
        let deleted = logBlocks?.sweep(inUse: inUse, now: now) ?? []
        if !deleted.isEmpty { logger.debug("log block files deleted", metadata: ["files": "\(deleted.count)"]) }
        return deleted
    }

    /// Keys the current main views read (kept in the cache).
    private func pinnedKeys() -> Set<String> {
        guard let cache else { return [] }
        let dir = cache.directory.path + "/"
        var keys = Set<String>()
        for state in tables.values {
            for f in state.view?.allFiles ?? [] where f.hasPrefix(dir) { keys.insert(String(f.dropFirst(dir.count))) }
        }
        return keys
    }

    static func createStatement(_ v: TableView, temporary: Bool) -> String {
        // hive_partitioning off: the partition column is stored in the files already.
        var parts = v.files.isEmpty ? [] : ["SELECT * FROM \(MergeOnReadView.read(v.files, filename: false))"]
        if let merge = v.merge { parts.append("SELECT * FROM (\(merge.select))") }
        var source = parts.count == 1 ? parts[0] : "SELECT * FROM (\(parts.joined(separator: " UNION ALL BY NAME ")))"
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

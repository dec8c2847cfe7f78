import TributaryCore
import Foundation
import Logging
import MonitoringCore
import ObjectStore
import ServiceLifecycle
import Synchronization

/// SQL over the lake: the API the web app (`POST /api/query`) and `tributary sql` call.
///
/// Each table of the lake is a view named after its topic over its latest snapshot's
/// files; options switch a query to time travel (`asOf`) or an incremental range
/// (`since`, `until`) and show Hudi's meta columns. Queries run in a pool of locked-down
/// DuckDB CLI processes (see `SQLGuard` and `Lockdown`), with a timeout, a row limit
/// and a result-size limit.
public final class QueryService: Sendable {
    /// The defaults; callers change what they need: `var c = Configuration(); c.processes = 1`.
    public struct Configuration: Sendable {
        /// The DuckDB CLI ELF.
        public var duckdb: URL = QueryService.defaultDuckDB()
        /// Number of DuckDB processes (concurrent queries).
        public var processes = 2
        /// Rows returned when a query sets no limit.
        public var defaultRowLimit = 10_000
        /// The largest limit a query may ask for.
        public var maxRowLimit = 1_000_000
        /// Largest result (bytes of DuckDB's JSON output) before the query is cancelled.
        public var maxResultBytes = 64 << 20
        public var timeout: Duration = .seconds(30)
        /// For lakes not on the local file system (S3): where base files are cached, and how much.
        public var cacheDirectory: URL?
        public var cacheCapacityBytes = 2 << 30
        /// DuckDB threads per process (nil: DuckDB's default, one per core).
        public var threads: Int?
        public var memoryLimit: String?
        /// How often new table folders are looked for (new commits are checked on every query).
        public var discoveryInterval: TimeInterval = 5
        /// How often ``QueryService/preparer`` looks for new delta commits of merge-on-read tables.
        public var prepareInterval: Duration = .seconds(1)
        /// Base file bytes per anti join of a merge-on-read view (see `MergeOnReadView.select`).
        public var mergeChunkBytes = MergeOnReadView.defaultChunkBytes

        public init() {}
    }

    public let configuration: Configuration
    public let catalog: LakeCatalog
    /// The processes; run it in a `ServiceGroup` to stop them on shutdown.
    public let pool: DuckDBPool
    public let cache: FileCache?
    /// Prepares merge-on-read views when a delta commit lands; run it in a `ServiceGroup`
    /// beside `pool` (long-running services; one-shot queries need not).
    public let preparer: ViewPreparer
    private let logger: Logger
    /// Result columns by catalog version and query text.
    private let describeCache = Mutex<[String: [QueryColumn]]>([:])

    /// - Parameter lake: the lake root (`storage.uri`): one folder per table.
    public init(lake: any ObjectStore, configuration: Configuration = Configuration(),
                logger: Logger = Logger(label: "tributary.query")) throws {
        self.configuration = configuration
        self.logger = logger
        let localRoot = Self.localPath(of: lake)
        let cacheFolder = configuration.cacheDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("tributary-query-cache")
        if localRoot == nil {
            cache = try FileCache(store: lake, directory: cacheFolder, capacityBytes: configuration.cacheCapacityBytes, logger: logger)
        } else {
            cache = nil
        }
        // Merged slices of the views of earlier versions (before log blocks were extracted):
        // nothing reads or sweeps them any more. (Hyphenated: no table folder has the name.)
        try? FileManager.default.removeItem(at: cacheFolder.appendingPathComponent(Self.formerMergedSlices))
        // Extracted log blocks of merge-on-read slices (see LakeCatalog) live in the cache
        // folder (the default one for local lakes too): a fixed place, so a restarted process
        // finds and deletes what the previous one left. Kept 10 minutes after their last use,
        // or 4 query timeouts when that is longer.
        let logBlocks = cacheFolder.appendingPathComponent("log-blocks")
        let directories = LakeCatalog.readableDirectories(localRoot: localRoot, cache: cache, logBlockDirectory: logBlocks)
        let setup = Lockdown.statements(directories: directories, threads: configuration.threads, memoryLimit: configuration.memoryLimit)
        let pool = DuckDBPool(size: configuration.processes, executable: configuration.duckdb, logger: logger, setup: { setup })
        self.pool = pool
        // The query processes extract log blocks too: their allow-list names the folder, and a
        // user's query cannot write (one SELECT through query(); COPY is refused).
        let timeout = configuration.timeout
        catalog = LakeCatalog(root: lake, localRoot: localRoot, cache: cache, logBlockDirectory: logBlocks,
                              logBlockGrace: max(600, 4 * configuration.timeout.inSeconds),
                              copy: { sql in _ = try await pool.withMember { try await $0.process.run(sql, timeout: timeout) } },
                              discoveryInterval: configuration.discoveryInterval, mergeChunkBytes: configuration.mergeChunkBytes, logger: logger)
        preparer = ViewPreparer(catalog: catalog, interval: configuration.prepareInterval, logger: logger)
    }

    /// The cache folder's subfolder where earlier versions kept merged slices.
    static let formerMergedSlices = "merged-slices"

    /// The lake's table names (the views queries can use).
    public func tables() async throws -> [String] { try await catalog.tableNames() }

    /// Runs one read-only query. Throws `QueryError` (`.duckdb` carries DuckDB's message).
    public func query(_ sql: String, options: QueryOptions = QueryOptions()) async throws -> QueryResult {
        let started = ContinuousClock.now
        do {
            let result = try await execute(sql, options: options, started: started)
            QueryMetrics.record(nil, since: started)
            return result
        } catch {
            QueryMetrics.record(error, since: started)
            throw error
        }
    }

    private func execute(_ sql: String, options: QueryOptions, started: ContinuousClock.Instant) async throws -> QueryResult {
        let text = try SQLGuard.check(sql)
        let limit = min(max(options.limit ?? configuration.defaultRowLimit, 0), configuration.maxRowLimit)
        let timeout = options.timeout ?? configuration.timeout
        // Plan first (and fetch S3 files), outside the process, so no process waits on it.
        let (version, views) = try await catalog.refresh()
        let temporary = options.needsTemporaryViews ? try await catalog.temporaryViews(options) : (create: [], drop: [])
        let maxBytes = configuration.maxResultBytes
        return try await pool.withMember { member in
            let p = member.process
            if member.viewsVersion != version || member.viewsGeneration != p.generation || !p.isRunning {
                // Views live in the process: (re)create them after a restart or a new commit.
                _ = try await p.run(views.joined(separator: "\n"), timeout: self.configuration.timeout)
                member.viewsVersion = version
                member.viewsGeneration = p.generation
            }
            // The same text over the same views has the same columns: repeated queries
            // (dashboards) skip DESCRIBE, which binds the query a second time.
            let cacheKey = temporary.create.isEmpty ? "\(version)\u{0}\(text)" : nil
            if let cacheKey, let columns = self.describeCache.withLock({ $0[cacheKey] }) {
                let outputs = try await p.runAll([SQLGuard.wrapped(text, limit: limit + 1)], timeout: timeout, maxBytes: maxBytes)
                return try Self.result(columns: columns, output: outputs[0], limit: limit, started: started)
            }
            // Temporary views, DESCRIBE, the query and dropping the views again go in one
            // write: one round trip. A failing DESCRIBE fails the query the same way.
            var batches = [SQLGuard.described(text), SQLGuard.wrapped(text, limit: limit + 1)]
            if !temporary.create.isEmpty { batches.insert(temporary.create.joined(separator: "\n"), at: 0) }
            if !temporary.drop.isEmpty { batches.append(temporary.drop.joined(separator: "\n")) }
            let outputs = try await p.runAll(batches, timeout: timeout, maxBytes: maxBytes)
            let offset = temporary.create.isEmpty ? 0 : 1
            let columns = try Self.columns(described: outputs[offset])
            if let cacheKey {
                self.describeCache.withLock { cache in
                    if cache.count >= 512 { cache.removeAll() }
                    cache[cacheKey] = columns
                }
            }
            return try Self.result(columns: columns, output: outputs[offset + 1], limit: limit, started: started)
        }
    }

    /// Result columns from DESCRIBE's output.
    private static func columns(described: DuckDBProcess.Output) throws -> [QueryColumn] {
        try described.lines.map { line -> QueryColumn in
            let fields = try JSONValue.duckDBRow(line)
            let name = fields.first { $0.0 == "column_name" }?.1
            let type = fields.first { $0.0 == "column_type" }?.1
            guard case .string(let n)? = name, case .string(let t)? = type else { throw QueryError.engine("unexpected DESCRIBE output") }
            return QueryColumn(name: n, type: t)
        }
    }

    /// The result: `columns`, rows from the query's output.
    private static func result(columns: [QueryColumn], output: DuckDBProcess.Output, limit: Int,
                               started: ContinuousClock.Instant) throws -> QueryResult {
        var rows: [[QueryValue]] = []
        rows.reserveCapacity(min(output.lines.count, limit))
        for line in output.lines.prefix(limit) {
            let fields = try JSONValue.duckDBRow(line)
            // DuckDB writes the columns in order; match by position, the names may repeat.
            rows.append(fields.count == columns.count ? fields.map(\.1) : align(fields, columns))
        }
        let elapsed = started.duration(to: .now)
        return QueryResult(columns: columns, rows: rows, truncated: output.lines.count > limit,
                           elapsed: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    private static func align(_ fields: [(String, QueryValue)], _ columns: [QueryColumn]) -> [QueryValue] {
        columns.map { c in fields.first { $0.0 == c.name }?.1 ?? .null }
    }

    /// The folder of a lake on the local file system, nil for other stores.
    static func localPath(of store: any ObjectStore) -> URL? {
        if let local = store as? LocalObjectStore { return local.root }
        if let prefixed = store as? PrefixedObjectStore, let local = prefixed.base as? LocalObjectStore {
            return local.root.appendingPathComponent(prefixed.prefix)
        }
        return nil
    }

    /// `$TRIBUTARY_DUCKDB`, else `.native/bin/duckdb` of the working directory or the
    /// executable's package, else `duckdb` on the PATH.
    public static func defaultDuckDB() -> URL {
        let env = ProcessInfo.processInfo.environment
        if let p = env["TRIBUTARY_DUCKDB"], !p.isEmpty { return URL(fileURLWithPath: p) }
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".native/bin/duckdb")]
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent(".native/bin/duckdb"))
            dir = dir.deletingLastPathComponent()
        }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) { return found }
        for p in (env["PATH"] ?? "").split(separator: ":") {
            let u = URL(fileURLWithPath: String(p)).appendingPathComponent("duckdb")
            if FileManager.default.isExecutableFile(atPath: u.path) { return u }
        }
        return URL(fileURLWithPath: "duckdb")
    }
}

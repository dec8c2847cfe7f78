import Foundation
import Hudi
import ObjectStore
import Parquet
import Query
import TributaryCore
import TributaryTesting

/// Hudi copy-on-write writes on a local folder store: (a) inserts of `user_events` rows in
/// 10 commits, (b) upserts of 1% of the keys per commit spread over the whole table, and
/// (c) upserts confined to 10 file groups on a small and a large table (cost follows the
/// groups touched, not the table size), (d) the upserts of (b) on a merge-on-read table
/// (delta commits), merged reads and compaction. No peer: Spark is not part of the toolchain.
enum HudiBench {
    static let fields: [Field] = [
        Field("event_id", .string, nullable: false), Field("user_id", .string, nullable: false),
        Field("event_type", .string, nullable: false), Field("page", .string), Field("session_id", .string),
        Field("device", .string), Field("country", .string), Field("properties", .string),
        Field("timestamp", .timestamp(.micros, isAdjustedToUTC: true), nullable: false),
        Field("event_date", .string, nullable: false), Field("_ingested_at", .timestamp(.micros, isAdjustedToUTC: true)),
        Field("_kafka_partition", .int32), Field("_kafka_offset", .int64), Field("_batch_id", .string), Field("extra", .string),
    ]
    static let day: Int64 = 86_400_000_000
    static let base: Int64 = 1_795_000_000_000_000
    static let days = 10

    /// Random-looking event ids (like UUIDs: key ranges do not prune, bloom filters must).
    static func key(_ i: Int) -> String {
        var z = UInt64(i) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let hex = String(z, radix: 16)
        return "evt-" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Record `i` lives on day `i % days`; `version` changes its values and timestamp.
    static func batch(_ ids: [Int], version: Int64) -> RecordBatch {
        let types = ["page_view", "click", "signup", "login", "logout", "purchase", "add_to_cart", "search"]
        let devices = ["desktop", "mobile", "tablet", "other"]
        let ts = ids.map { base + Int64($0 % days) * day + Int64($0 / days) * 1000 + version }
        let dates = ids.map { "2026-11-\(18 + $0 % days)" }
        let columns: [Column] = [
            .strings(ids.map(key)), .strings(ids.map { "user-\($0 % 50_000)" }), .strings(ids.map { types[$0 % types.count] }),
            .strings(ids.map { $0 % 4 == 0 ? nil : "/products/\($0 % 1000)?ref=v\(version)" }),
            .strings(ids.map { "s-\($0 / 20)" }), .strings(ids.map { devices[$0 % devices.count] }),
            .strings(ids.map { $0 % 7 == 0 ? nil : ["DE", "FR", "US", "NL", "GB"][$0 % 5] }),
            .strings(ids.map { $0 % 3 == 0 ? "{\"q\":\"item \($0 % 100)\"}" : nil }),
            .int64(ts), .strings(dates), .int64(ids.map { _ in base + version }),
            .int32(ids.map { Int32($0 % 6) }), .int64(ids.map { Int64($0) + version }),
            .strings(ids.map { _ in "v\(version)" }), .strings(ids.map { _ in nil }),
        ]
        return RecordBatch(fields: fields, columns: columns, recordKeys: ids.map(key), partitionValues: dates, orderingValues: ts)
    }

    static func options() -> WriteOptions {
        var o = WriteOptions()
        // 10,240 records per new group at Hudi's 1 KiB/record estimate: one group per day per
        // 100k-row commit, 100 groups at 1M rows. Small-file packing off so groups stay at that size.
        o.maxFileSize = 10 << 20
        o.smallFileLimit = 0
        // The index keeps every key of the 10M-row run in memory (the default 5M would make
        // each commit reload half the tables' key columns).
        o.indexCacheMaxKeys = 20_000_000
        return o
    }

    static func makeTable(_ dir: URL, type: TableType = .copyOnWrite) async throws -> HudiTable {
        var o = options()
        o.compactionMaxDeltaCommits = 0  // compaction is measured on its own
        return try await HudiTable.create(store: try LocalObjectStore(root: dir), name: "user_events_table", recordKeyField: "event_id",
                                          precombineField: "timestamp", partitionField: "event_date", fields: fields, tableType: type,
                                          options: o)
    }

    static func row(_ label: String, _ r: CommitResult, rows: Int) -> [String] {
        [label, Bench.format(r.totalSeconds * 1000), Bench.format(Double(rows) / r.totalSeconds),
         "\(r.filesWritten)", "\(r.filesRewritten)", Bench.format(Double(r.bytesRewritten) / 1_048_576, 1),
         Bench.format(r.indexLookupSeconds * 1000, 1)]
    }

    static let header = ["commit", "ms", "rows/s", "files", "rewritten", "MiB rewritten", "index ms"]

    static func run(_ args: [String]) async throws {
        let total = args.first.flatMap(Int.init) ?? 1_000_000
        let perCommit = total / 10
        let dir = try TestEnvironment.temporaryDirectory("hudi-bench")
        defer { try? FileManager.default.removeItem(at: dir) }
        print("hudi: user_events (15 columns), \(days) date partitions, local folder store, snappy, bloom DYNAMIC_V0 (60k entries, fpp 1e-9)")

        // (a) inserts.
        let table = try await makeTable(dir)
        var rows: [[String]] = []
        var insertSeconds = 0.0
        for c in 0..<10 {
            let r = try await table.write(batch(Array(c * perCommit..<(c + 1) * perCommit), version: 0), operation: .insert)
            insertSeconds += r.totalSeconds
            rows.append(row("insert \(c + 1)", r, rows: perCommit))
        }
        print("\n(a) insert \(total) rows in 10 commits: \(Bench.format(Double(total) / insertSeconds)) rows/s overall")
        Bench.table(header, rows)
        let groups = try await table.planSnapshot().slices.count
        print("table: \(groups) file groups")

        // (b) upserts of 1% of the keys, spread over the whole table.
        var rng = SystemRandomNumberGenerator()
        rows = []
        let upsertKeys = max(1, total / 100)
        for c in 0..<10 {
            let ids = (0..<upsertKeys).map { _ in Int.random(in: 0..<total, using: &rng) }
            let r = try await table.write(batch(ids, version: Int64(c + 1)), operation: .upsert)
            rows.append(row("upsert \(c + 1)", r, rows: upsertKeys))
        }
        print("\n(b) upsert 10 batches of \(upsertKeys) random keys (1%) over \(groups) groups (warm footer/key cache)")
        Bench.table(header, rows)
        // Cold index: a fresh process-like open has to read footers and key columns.
        await table.close()  // one writer at a time: hand the lease to the "restarted" table
        let cold = try await HudiTable.open(store: try LocalObjectStore(root: dir), options: options())
        let ids = (0..<upsertKeys).map { _ in Int.random(in: 0..<total, using: &rng) }
        let coldResult = try await cold.write(batch(ids, version: 100), operation: .upsert)
        await cold.close()
        print("cold cache (footers + key columns read from storage):")
        Bench.table(header, [row("upsert cold", coldResult, rows: upsertKeys)])

        // (c) the same upsert (10,000 keys in 10 groups) on a small and on this large table.
        let smallDir = try TestEnvironment.temporaryDirectory("hudi-bench-small")
        defer { try? FileManager.default.removeItem(at: smallDir) }
        let small = try await makeTable(smallDir)
        for c in 0..<2 { try await small.write(batch(Array(c * perCommit..<(c + 1) * perCommit), version: 0), operation: .insert) }
        let smallGroups = try await small.planSnapshot().slices.count
        // Keys of the first commit only: each of its 10 groups (one per day) holds ~1/10 of them.
        let confined = (0..<upsertKeys).map { _ in Int.random(in: 0..<perCommit, using: &rng) }
        rows = []
        for (label, t, n) in [("small table", small, smallGroups), ("large table", table, groups)] {
            var best: CommitResult?
            for round in 0..<3 {
                let r = try await t.write(batch(confined, version: Int64(200 + round)), operation: .upsert)
                if best == nil || r.totalSeconds < best?.totalSeconds ?? 0 { best = r }
            }
            if let best { rows.append(row("\(label) (\(n) groups)", best, rows: upsertKeys)) }
        }
        print("\n(c) upsert \(upsertKeys) keys confined to 10 file groups, best of 3: cost follows groups touched, not table size")
        Bench.table(header, rows)
        try await mergeOnRead(total: total)
    }

    /// (d) The same inserts and 1% random upserts on a merge-on-read table: delta commits
    /// append log files instead of rewriting groups. After each delta commit: the background
    /// preparation of the SQL view (what the query service's ``ViewPreparer`` runs when it
    /// sees the commit: log blocks extracted, merge decided), then the first SQL snapshot
    /// query and the best of 5 more; beside them the same query on the compacted table, and
    /// once the first query of a service that prepared nothing (extraction at query time).
    static func mergeOnRead(total: Int) async throws {
        let perCommit = total / 10
        let dir = try TestEnvironment.temporaryDirectory("hudi-bench-mor")
        defer { try? FileManager.default.removeItem(at: dir) }
        // The lake root holds the table as `user_events`, the view's name.
        let table = try await makeTable(dir.appendingPathComponent("user_events"), type: .mergeOnRead)
        for c in 0..<10 { try await table.write(batch(Array(c * perCommit..<(c + 1) * perCommit), version: 0), operation: .insert) }
        let cache = try TestEnvironment.temporaryDirectory("hudi-bench-mor-query")
        defer { try? FileManager.default.removeItem(at: cache) }
        func service(_ folder: String) throws -> QueryService {
            var configuration = QueryService.Configuration()
            configuration.processes = 1
            configuration.cacheDirectory = cache.appendingPathComponent(folder)
            return try QueryService(lake: try LocalObjectStore(root: dir), configuration: configuration)
        }
        let prepared = try service("prepared")
        let sql = "SELECT event_type, count(*) AS n, max(\"timestamp\") AS latest FROM user_events GROUP BY event_type"
        /// Milliseconds of the preparation (the preparer's work), the first query, then the best of 5.
        func measure(_ service: QueryService, prepare: Bool) async throws -> (prepare: Double, first: Double, then: Double) {
            func milliseconds(since start: Date) -> Double { Date().timeIntervalSince(start) * 1000 }
            var started = Date()
            if prepare { try await service.catalog.prepareMergeOnReadViews() }
            let preparation = milliseconds(since: started)
            started = Date()
            _ = try await service.query(sql)
            let first = milliseconds(since: started)
            var best = Double.infinity
            for _ in 0..<5 {
                let again = Date()
                _ = try await service.query(sql)
                best = min(best, milliseconds(since: again))
            }
            return (preparation, first, best)
        }
        _ = try await measure(prepared, prepare: true)  // the base-only table's view, made before the delta commits
        var rng = SystemRandomNumberGenerator()
        let upsertKeys = max(1, total / 100)
        var rows: [[String]] = []
        var queries: [(prepare: Double, first: Double, then: Double)] = []
        for c in 0..<5 {
            let ids = (0..<upsertKeys).map { _ in Int.random(in: 0..<total, using: &rng) }
            let r = try await table.write(batch(ids, version: Int64(c + 1)), operation: .upsert)
            rows.append(["delta commit \(c + 1)", Bench.format(r.totalSeconds * 1000), Bench.format(Double(upsertKeys) / r.totalSeconds),
                         "\(r.logFilesWritten)", Bench.format(Double(r.bytesWritten) / Double(upsertKeys), 0),
                         Bench.format(r.indexLookupSeconds * 1000, 1)])
            queries.append(try await measure(prepared, prepare: true))
        }
        print("\n(d) merge-on-read: upsert 5 batches of \(upsertKeys) random keys (1%) as delta commits (log files, no rewrite)")
        Bench.table(["commit", "ms", "rows/s", "log files", "bytes/updated row", "index ms"], rows)
        let unprepared = try service("unprepared")
        let cold = try await measure(unprepared, prepare: false)
        await unprepared.pool.shutdown()
        let compaction = try await table.compact()
        let compacted = try await measure(prepared, prepare: true)
        await prepared.pool.shutdown()
        print("compaction: \(Bench.format((compaction.first?.seconds ?? 0) * 1000)) ms for \(compaction.first?.fileGroups ?? 0) groups")
        print("SQL snapshot query (\(sql)) after each delta commit, its view prepared in the background (log blocks extracted, merge "
              + "decided), beside the compacted table's; ratio = MOR / compacted:")
        var figures: [[String]] = queries.enumerated().map { i, q in
            ["after delta commit \(i + 1)", Bench.format(q.prepare), Bench.format(q.first), Bench.format(q.first / compacted.first, 2),
             Bench.format(q.then), Bench.format(q.then / compacted.then, 2)]
        }
        figures.append(["compacted", Bench.format(compacted.prepare), Bench.format(compacted.first), "1.00", Bench.format(compacted.then), "1.00"])
        figures.append(["5 commits, unprepared", "-", Bench.format(cold.first), Bench.format(cold.first / compacted.first, 2),
                       Bench.format(cold.then), Bench.format(cold.then / compacted.then, 2)])
        Bench.table(["view", "prepare ms (background)", "first query ms", "ratio", "then ms (best of 5)", "ratio"], figures)
        await table.close()
    }
}

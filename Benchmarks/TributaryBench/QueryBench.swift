import Foundation
import Hudi
import ObjectStore
import Query
import TributaryTesting

/// SQL over a Hudi table: our snapshot views (exact file list, no de-duplication) vs the
/// seed's pattern (ROW_NUMBER() over every Parquet file of the table, newest commit wins),
/// same DuckDB CLI, same run; plus our overhead over raw DuckDB reading the same files.
///
/// The table: `--rows N` (default 1,000,000) `user_events`-like rows inserted in commits of
/// 100,000, then 10 upsert commits of 1% of the keys spread over every file group, so the
/// folder holds 11 versions of each file and the seed's query reads all of them.
enum QueryBench {
    static func run(_ args: [String]) async throws {
        let rows = args.firstIndex(of: "--rows").flatMap { Int(args[$0 + 1]) } ?? 1_000_000
        let repeats = args.firstIndex(of: "--repeat").flatMap { Int(args[$0 + 1]) } ?? 15
        let lakeDir = try TestEnvironment.temporaryDirectory("query-bench")
        defer { try? FileManager.default.removeItem(at: lakeDir) }
        let lake = try LocalObjectStore(root: lakeDir)
        let tableDir = lakeDir.appendingPathComponent("user_events")

        let buildStart = ContinuousClock.now
        let table = try await HudiTable.create(
            store: lake.scoped(to: "user_events"), name: "user_events_table", recordKeyField: "event_id",
            precombineField: "timestamp", partitionField: "event_date", fields: HudiBench.fields, options: HudiBench.options())
        for start in stride(from: 0, to: rows, by: 100_000) {
            try await table.write(HudiBench.batch(Array(start..<min(rows, start + 100_000)), version: 0), operation: .insert)
        }
        for v in 1...10 {
            // ~1% of the keys, spread over the whole table (a step of 101 crosses every day
            // partition and file group): every file group is rewritten.
            try await table.write(HudiBench.batch(Array(stride(from: v, to: rows, by: 101)), version: Int64(v)))
        }
        let plan = try await table.planSnapshot()
        let allFiles = try await lake.listAll(prefix: "user_events/").filter { $0.key.hasSuffix(".parquet") }
        print("table: \(rows) rows, \(plan.slices.count) snapshot files, \(allFiles.count) files in the folder; built in \(Bench.format(Bench.seconds(buildStart.duration(to: .now)), 1)) s")

        let duckdb = QueryService.defaultDuckDB()
        var configuration = QueryService.Configuration()
        configuration.duckdb = duckdb
        configuration.processes = 1
        let service = try QueryService(lake: lake, configuration: configuration)
        // Same settings as ours (footer cache), without the lockdown or the views.
        let raw = DuckDBProcess(executable: duckdb, setup: { ["SET parquet_metadata_cache=true;", "SET preserve_insertion_order=false;"] })
        defer { raw.terminate() }
        let snapshotFiles = "[" + plan.filePaths.map { SQLGuard.literal(tableDir.appendingPathComponent($0).path) }.joined(separator: ", ") + "]"
        let rawSource = "read_parquet(\(snapshotFiles), hive_partitioning=false, union_by_name=true)"
        let seedSource = """
            (SELECT * EXCLUDE (rn) FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY _hoodie_record_key \
            ORDER BY _hoodie_commit_time DESC) AS rn FROM read_parquet('\(tableDir.path)/**/*.parquet', \
            hive_partitioning=false, union_by_name=true)) WHERE rn = 1)
            """
        let probe = HudiBench.key(rows / 2 + 1)
        let queries: [(String, String)] = [
            ("count(*)", "SELECT count(*) AS n FROM %@"),
            ("group-by", "SELECT event_type, count(*) AS n, count(DISTINCT user_id) AS users FROM %@ GROUP BY event_type ORDER BY event_type"),
            ("point lookup", "SELECT event_id, page, _batch_id FROM %@ WHERE event_id = '\(probe)'"),
        ]
        var table_: [[String]] = []
        for (name, template) in queries {
            let oursSQL = template.replacingOccurrences(of: "%@", with: "user_events")
            let seedSQL = template.replacingOccurrences(of: "%@", with: seedSource)
            let rawSQL = template.replacingOccurrences(of: "%@", with: rawSource)
            // Same answers first (no deletes: the seed's pattern is right, only slower).
            let ours = try await service.query(oursSQL)
            let seedLines = try await raw.run(seedSQL + ";").lines.count
            guard ours.rows.count == seedLines else {
                throw QueryError.engine("\(name): ours \(ours.rows.count) rows, seed \(seedLines)")
            }
            // Interleaved, so load from other processes on the machine hits all three alike.
            var ours_: [Double] = [], seed_: [Double] = [], raw_: [Double] = []
            for _ in 0..<max(1, repeats) {
                ours_.append(try await time { _ = try await service.query(oursSQL) })
                raw_.append(try await time { _ = try await raw.run(rawSQL + ";") })
                seed_.append(try await time { _ = try await raw.run(seedSQL + ";") })
            }
            let tOurs = median(ours_), tSeed = median(seed_), tRaw = median(raw_)
            table_.append([name, Bench.format(tOurs * 1000, 1), Bench.format(tSeed * 1000, 1), Bench.format(tSeed / tOurs, 1) + "x",
                           Bench.format(tRaw * 1000, 1), Bench.format((tOurs - tRaw) * 1000, 2)])
        }
        var timelineTimes: [Double] = []
        for _ in 0..<max(1, repeats) { timelineTimes.append(try await time { _ = try await table.timeline() }) }
        print("timeline check (part of our overhead): \(Bench.format(median(timelineTimes) * 1000, 2)) ms")
        Bench.table(["query", "ours ms", "seed ROW_NUMBER ms", "speedup", "raw DuckDB ms", "overhead ms"], table_)
        print("target: speedup >= 2x, overhead < 5 ms (medians of \(repeats) runs)")
        await service.pool.shutdown()
    }

    /// Wall time of one run, in seconds.
    static func time(_ body: () async throws -> Void) async throws -> Double {
        let t = ContinuousClock.now
        try await body()
        return Bench.seconds(t.duration(to: .now))
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
}

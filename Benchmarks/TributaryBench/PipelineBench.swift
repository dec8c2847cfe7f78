import Foundation
import Hudi
import KafkaClient
import ObjectStore
import Pipeline
import Synchronization
import TributaryTesting

/// End to end: N user_events pre-loaded into the embedded broker, processed into a
/// local-folder Hudi table (parse, validate, dedupe, upsert, commit with the checkpoint)
/// vs a Python peer (confluent-kafka + json + pyarrow append, no upsert) on the same
/// topic in the same run. Then freshness at a steady rate: produce → queryable (the commit
/// covering the record is complete), p50/p99.
enum PipelineBench {
    static func run(_ args: [String]) async throws {
        let count = args.first.flatMap(Int.init) ?? 1_000_000
        let rate = args.dropFirst().first.flatMap(Int.init) ?? 5_000
        let freshnessSeconds = args.dropFirst(2).first.flatMap(Int.init) ?? 60
        let broker = try await BenchBroker.start(BenchBroker.pipelineKind)
        defer { broker.stop() }
        let config = PipelineChildren.kafka(broker.bootstrapServers)
        let admin = try KafkaAdmin(configuration: config)
        let schema = TopicSchema.seed("user_events")!
        _ = try await admin.createTopics([TopicSpec(name: schema.topic, partitions: 2), TopicSpec(name: schema.deadLetterTopic)])

        // Pre-load: generated user_events, 10 % updates of earlier keys.
        var generator = RecordGenerator(schema: schema, mix: .init(updateRatio: 0.1), seed: 7)
        let producer = try KafkaProducer(configuration: config)
        var bytes = 0
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        for i in 0..<count {
            let r = generator.next(nowMicros: now - 3_600_000_000 + Int64(i))
            bytes += r.value.count
            try await producer.enqueue(topic: schema.topic, key: Array(r.key.utf8), value: r.value)
        }
        try await producer.flush(timeout: .seconds(600))
        print("pipeline: \(count) user_events (avg \(bytes / max(1, count)) bytes) pre-loaded over 2 partitions, embedded Tansu (\(broker.kind))")

        // Each contestant is a process of its own reading the same topic in its own group:
        // ours, the raw consume limit, the vectorized Python peer and the per-record one.
        let contestants: [(String, ([String]) throws -> [String: Double])] = [
            ("tributary (parse, validate, index, upsert, commit)", { try Bench.runSelf(["pipeline-ours"] + $0) }),
            ("raw consume (librdkafka, records discarded)", { try Bench.runSelf(["pipeline-raw"] + $0) }),
            ("vectorized peer (Arrow C++ JSON + Parquet append)", { args in
                let out = try TestEnvironment.temporaryDirectory("bench-vpeer")
                defer { try? FileManager.default.removeItem(at: out) }
                return try Bench.runPeer([Bench.sharedPeerScript("vectorized_pipeline_peer.py")] + args + [out.path])
            }),
            ("python peer (json.loads per record + Parquet append)", { args in
                let out = try TestEnvironment.temporaryDirectory("bench-peer")
                defer { try? FileManager.default.removeItem(at: out) }
                return try Bench.runPeer([Bench.peerScript("pipeline_peer.py")] + args + [out.path])
            }),
        ]
        // BENCH_PIPELINE_ONLY=ours,vectorized (name prefixes) runs only those, each
        // BENCH_PIPELINE_RUNS times back to back on the same pre-loaded topic (memory and CPU
        // comparisons of one change need several runs); freshness runs when seconds > 0.
        let environment = ProcessInfo.processInfo.environment
        let only = environment["BENCH_PIPELINE_ONLY"].map { $0.split(separator: ",").map(String.init) }
        let runs = environment["BENCH_PIPELINE_RUNS"].flatMap(Int.init) ?? 1
        let chosen = contestants.filter { name, _ in only?.contains { name.hasPrefix($0) } ?? true }
        for round in 1...max(1, runs) {
            var results: [(String, [String: Double])] = []
            for (name, run) in chosen {
                results.append((name, try run([broker.bootstrapServers, schema.topic, "\(count)"])))
            }
            if runs > 1 { print("run \(round) of \(runs)") }
            Self.report(results, count: count)
        }

        if freshnessSeconds > 0 {
            try await FreshnessBench.measure(config: config, .init(rate: rate, seconds: freshnessSeconds))
        }
    }

    /// Rates per measure for every contestant, ratios against ours, memory, and where our
    /// processor spent its time.
    static func report(_ results: [(String, [String: Double])], count: Int) {
        guard let ours = results.first?.1 else { return }
        func rate(_ r: [String: Double], _ key: String) -> String { Bench.format(Double(count) / (r[key] ?? .infinity)) }
        func ratio(_ r: [String: Double], _ key: String) -> String {
            Bench.format((r[key] ?? .infinity) / (ours[key] ?? .infinity), 2) + "x"
        }
        Bench.table(
            ["pipeline, \(count) user_events", "rec/s from assignment", "rec/s wall", "rec/CPU-s", "peak RSS MiB",
             "ours vs it (per CPU)"],
            results.map { name, r in
                [name, rate(r, "assigned_seconds"), rate(r, "seconds"), rate(r, "cpu_seconds"),
                 Bench.format(r["peak_rss_mib"] ?? .nan), ratio(r, "cpu_seconds")]
            })
        if let raw = results.first(where: { $0.0.hasPrefix("raw") })?.1 {
            let factor = (ours["assigned_seconds"] ?? .nan) / (raw["assigned_seconds"] ?? .nan)
            print("ours from assignment to the last commit: \(Bench.format(factor, 2))x the raw consume time (target ≤ 1.5x)")
        }
        print("ours: \(Int(ours["written"] ?? 0)) rows upserted in \(Int(ours["commits"] ?? 0)) commits, \(Int(ours["table_mib"] ?? 0)) MiB table")
        let stages = ours.filter { $0.key.hasPrefix("stage_") }.sorted { $0.value > $1.value }
        if !stages.isEmpty {
            Bench.table(["processor stage (summed wall s; poll/decode overlap commits)", "seconds", "share of CPU s"],
                        stages.map { [String($0.key.dropFirst(6)), Bench.format($0.value, 2),
                                      Bench.format(100 * $0.value / (ours["cpu_seconds"] ?? .nan), 0) + " %"] })
        }
    }

    static func folderBytes(_ url: URL) -> Int {
        guard let e = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.fileSizeKey]) else { return 0 }
        var total = 0
        for case let f as URL in e { total += (try? f.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0 }
        return total
    }
}

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
        var results: [(String, [String: Double])] = []
        for (name, run) in contestants {
            results.append((name, try run([broker.bootstrapServers, schema.topic, "\(count)"])))
        }
        Self.report(results, count: count)

        try await freshness(config: config, rate: rate, seconds: freshnessSeconds)
    }

    /// Produces at `rate` records/s for `seconds` into a fresh topic processed with the
    /// default 10 s interval; a watcher sees each commit complete and marks the records it
    /// covers (by the checkpoint's offsets) queryable at that moment.
    static func freshness(config: KafkaConfiguration, rate: Int, seconds: Int) async throws {
        let schema = TopicSchema.seed("user_events")!.onTopic("fresh_user_events")
        _ = try await KafkaAdmin(configuration: config).createTopics([TopicSpec(name: schema.topic, partitions: 2), TopicSpec(name: schema.deadLetterTopic)])
        let lake = try TestEnvironment.temporaryDirectory("bench-fresh")
        defer { try? FileManager.default.removeItem(at: lake) }
        let store = try LocalObjectStore(root: lake)
        var pc = ProcessorConfiguration(kafka: config)
        pc.topics = [schema]
        pc.groupID = "bench-fresh"
        let interval = pc.interval
        let processor = StreamProcessor(configuration: pc, sink: HudiTableSink(root: store, schemas: [schema]))
        let task = Task { try await processor.run() }
        defer { task.cancel() }

        let produced = SendTimes()
        let producer = try KafkaProducer(configuration: config)
        let total = rate * seconds
        let producing = Task {
            var generator = RecordGenerator(schema: schema, seed: 9)
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<total {
                    // Steady pace: record i leaves at start + i / rate.
                    let due = start + .microseconds(Int64(i) * 1_000_000 / Int64(rate))
                    if ContinuousClock.now < due { try await Task.sleep(until: due) }
                    let r = generator.next(nowMicros: Int64(Date().timeIntervalSince1970 * 1_000_000))
                    let sent = ContinuousClock.now
                    group.addTask {
                        let report = try await producer.send(topic: schema.topic, key: Array(r.key.utf8), value: r.value)
                        produced.times.withLock { $0[TopicPartition(schema.topic, report.partition), default: [:]][report.offset] = sent }
                    }
                }
                try await group.waitForAll()
            }
        }
        // Watch commits: each completed commit makes offsets [previous, checkpoint) queryable.
        var latencies: [Double] = []
        var covered: [Int32: Int64] = [:]
        var seen = Set<String>()
        let deadline = ContinuousClock.now + .seconds(seconds) + interval * 3
        while latencies.count < total && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(25))
            guard let table = try? await HudiTable.open(store: try store.scoped(to: schema.topic)) else { continue }
            let tl = try await table.timeline()
            for instant in tl.completedDataCommits where !seen.contains(instant.timestamp) {
                seen.insert(instant.timestamp)
                let visible = ContinuousClock.now
                let meta = try await table.commitMetadata(instant)
                guard let cp = meta.extraMetadata[KafkaCheckpoint.metadataKey].flatMap({ KafkaCheckpoint(decoding: $0, topic: schema.topic) }) else { continue }
                for (p, end) in cp.offsets {
                    let from = covered[p] ?? 0
                    guard end > from else { continue }
                    let times = produced.times.withLock { $0[TopicPartition(schema.topic, p)] ?? [:] }
                    for o in from..<end { if let t = times[o] { latencies.append(Bench.seconds(visible - t)) } }
                    covered[p] = end
                }
            }
        }
        _ = try? await producing.value
        latencies.sort()
        func pct(_ q: Double) -> Double { latencies.isEmpty ? .nan : latencies[min(latencies.count - 1, Int(Double(latencies.count) * q))] }
        Bench.table(
            ["freshness (produce → queryable)", "records", "p50 s", "p99 s", "max s", "target p99 s"],
            [["\(rate) rec/s for \(seconds) s, interval \(Bench.seconds(interval)) s", "\(latencies.count)",
              Bench.format(pct(0.5), 2), Bench.format(pct(0.99), 2), Bench.format(latencies.last ?? .nan, 2),
              "≤ \(Bench.format(Bench.seconds(interval) + 2, 1))"]])
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

/// When each (partition, offset) was sent, filled from delivery reports.
final class SendTimes: Sendable {
    let times = Mutex([TopicPartition: [Int64: ContinuousClock.Instant]]())
}

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
        let config = KafkaConfiguration(
            bootstrapServers: broker.bootstrapServers,
            // Both consumers join their group quickly on Tansu (it waits ~session timeout / 2).
            properties: ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"], operationTimeout: .seconds(60))
        let admin = try KafkaAdmin(configuration: config)
        let schema = TopicSchema.userEvents
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

        if let raw = ProcessInfo.processInfo.environment["BENCH_RAW_CONSUME"] {
            // Diagnostics: the broker's fetch rate alone, with a group consumer like the processor's.
            let tuning: [String: String] = raw == "tuned"
                ? ["max.partition.fetch.bytes": "\(8 << 20)", "fetch.max.bytes": "\(64 << 20)", "queued.max.messages.kbytes": "\(128 << 10)"] : [:]
            let consumer = try KafkaConsumer(configuration: config.withDefaults(tuning), groupID: "bench-raw-\(raw)")
            try consumer.subscribe([schema.topic])
            var n = 0
            var first: ContinuousClock.Instant?
            while n < count {
                let r = try await consumer.poll(maxMessages: 10_000, timeout: .milliseconds(250))
                if first == nil, !r.messages.isEmpty { first = .now }
                n += r.messages.count
            }
            print("raw consume (\(raw)): \(Bench.format(Double(count) / Bench.seconds(.now - (first ?? .now)))) msg/s after the first message")
        }
        // Ours: the processor into a Hudi table on a local folder.
        let lake = try TestEnvironment.temporaryDirectory("bench-lake")
        defer { try? FileManager.default.removeItem(at: lake) }
        var pc = ProcessorConfiguration(kafka: config)
        pc.topics = [schema]
        pc.groupID = "bench-ours"
        let processor = StreamProcessor(configuration: pc, sink: HudiTableSink(root: try LocalObjectStore(root: lake), schemas: [schema]))
        let clock = ContinuousClock()
        let start = clock.now
        let cpuStart = Bench.cpuSeconds()
        let task = Task { try await processor.run() }
        var lastStats: ProcessorStats?
        while (processor.stats.committed[schema.topic] ?? 0) < count {
            let s = processor.stats
            if ProcessInfo.processInfo.environment["BENCH_TRACE"] != nil, s != lastStats {
                lastStats = s
                print("t=\(Bench.format(Bench.seconds(clock.now - start), 2)) consumed=\(s.consumed[schema.topic] ?? 0) committed=\(s.committed[schema.topic] ?? 0) batches=\(s.batches)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let end = clock.now
        let oursCPU = Bench.cpuSeconds() - cpuStart
        let oursSeconds = Bench.seconds(end - start)
        let oursAssigned = processor.stats.firstAssignment.map { Bench.seconds(end - $0) } ?? oursSeconds
        task.cancel()
        _ = try? await task.value
        let stats = processor.stats
        let tableBytes = Self.folderBytes(lake)

        // The peer, same topic, its own group.
        let peerOut = try TestEnvironment.temporaryDirectory("bench-peer")
        defer { try? FileManager.default.removeItem(at: peerOut) }
        let peer = try Bench.runPeer([Bench.peerScript("pipeline_peer.py"), broker.bootstrapServers, schema.topic, "\(count)", peerOut.path])
        let peerSeconds = peer["seconds"] ?? .infinity, peerAssigned = peer["assigned_seconds"] ?? .infinity
        let peerCPU = peer["cpu_seconds"] ?? .infinity
        print("ours: \(stats.written[schema.topic] ?? 0) rows upserted in \(stats.commits[schema.topic] ?? 0) commits, \(tableBytes >> 20) MiB table; peer: \(Int(peer["written"] ?? 0)) rows appended")
        func row(_ label: String, _ ours: Double, _ peer: Double) -> [String] {
            [label, Bench.format(Double(count) / ours), Bench.format(Double(count) / peer), Bench.format(peer / ours, 2) + "x"]
        }
        Bench.table(
            ["pipeline, \(count) user_events (consume → committed)", "tributary rec/s", "python peer rec/s", "ratio"],
            [row("from partition assignment to the last commit", oursAssigned, peerAssigned),
             row("wall time incl. consumer group join", oursSeconds, peerSeconds),
             row("per CPU second of the process (not the broker)", oursCPU, peerCPU)])

        try await freshness(config: config, rate: rate, seconds: freshnessSeconds)
    }

    /// Produces at `rate` records/s for `seconds` into a fresh topic processed with the
    /// default 10 s interval; a watcher sees each commit complete and marks the records it
    /// covers (by the checkpoint's offsets) queryable at that moment.
    static func freshness(config: KafkaConfiguration, rate: Int, seconds: Int) async throws {
        let schema = TopicSchema.userEvents.onTopic("fresh_user_events")
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

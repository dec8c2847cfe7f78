import Foundation
import Hudi
import KafkaClient
import ObjectStore
import Pipeline
import Synchronization
import TributaryTesting

/// Freshness at a steady rate: records produced at `rate`/s for `seconds` into a fresh topic,
/// processed by one in-process processor; a watcher sees each commit complete and marks the
/// records it covers (by the checkpoint's offsets) queryable at that moment. The pipeline area
/// runs it on copy-on-write with the default interval; the `freshness` area runs the
/// merge-on-read case of issue 21: `tributary-bench freshness [rate] [seconds] [interval-ms]
/// [copy_on_write|merge_on_read] [update-ratio] [compaction-delta-commits]`, default 10,000
/// records/s (90 % updates of earlier keys) for 300 s at a 1 s interval on merge-on-read,
/// compacting in the background every 5 delta commits (`hudi.compaction.max_delta_commits`).
enum FreshnessBench {
    struct Setup {
        var rate: Int
        var seconds: Int
        var interval: Duration = .seconds(10)
        var tableType: String? = nil
        var updateRatio = 0.0
        var compactionDeltaCommits = WriteOptions().compactionMaxDeltaCommits
    }

    static func run(_ args: [String]) async throws {
        var setup = Setup(rate: args.first.flatMap(Int.init) ?? 10_000, seconds: args.dropFirst().first.flatMap(Int.init) ?? 300)
        setup.interval = .milliseconds(args.dropFirst(2).first.flatMap(Int.init) ?? 1_000)
        setup.tableType = args.dropFirst(3).first ?? "merge_on_read"
        setup.updateRatio = args.dropFirst(4).first.flatMap(Double.init) ?? 0.9
        setup.compactionDeltaCommits = args.dropFirst(5).first.flatMap(Int.init) ?? setup.compactionDeltaCommits
        let broker = try await BenchBroker.start(BenchBroker.pipelineKind)
        defer { broker.stop() }
        print("freshness: user_events, \(setup.tableType ?? "copy_on_write"), \(Int(setup.updateRatio * 100)) % updates, "
              + "compaction every \(setup.compactionDeltaCommits) delta commits, embedded Tansu (\(broker.kind))")
        try await measure(config: PipelineChildren.kafka(broker.bootstrapServers), setup)
    }

    static func measure(config: KafkaConfiguration, _ setup: Setup) async throws {
        var stream = TopicSchema.seed("user_events")!.onTopic("fresh_user_events")
        stream.tableType = setup.tableType
        let schema = stream
        _ = try await KafkaAdmin(configuration: config).createTopics([TopicSpec(name: schema.topic, partitions: 2), TopicSpec(name: schema.deadLetterTopic)])
        let lake = try TestEnvironment.temporaryDirectory("bench-fresh")
        defer { try? FileManager.default.removeItem(at: lake) }
        let store = try LocalObjectStore(root: lake)
        var pc = ProcessorConfiguration(kafka: config)
        pc.topics = [schema]
        pc.groupID = "bench-fresh"
        pc.interval = setup.interval
        var options = WriteOptions()
        options.compactionMaxDeltaCommits = setup.compactionDeltaCommits
        let processor = StreamProcessor(configuration: pc, sink: HudiTableSink(root: store, schemas: [schema], options: options))
        let task = Task { try await processor.run() }
        defer { task.cancel() }
        let cpuBefore = Bench.cpuSeconds()

        let produced = SendTimes()
        let producer = try KafkaProducer(configuration: config)
        let total = setup.rate * setup.seconds
        let (rate, mix) = (setup.rate, RecordGenerator.Mix(updateRatio: setup.updateRatio))
        let producing = Task {
            var generator = RecordGenerator(schema: schema, mix: mix, seed: 9)
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
        var compactions = 0
        var table: HudiTable?
        let deadline = ContinuousClock.now + .seconds(setup.seconds) + setup.interval * 3 + .seconds(30)
        while latencies.count < total && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(25))
            if table == nil { table = try? await HudiTable.open(store: try store.scoped(to: schema.topic)) }
            guard let table, let tl = try? await table.timeline() else { continue }
            for instant in tl.completedDataCommits where !seen.contains(instant.timestamp) {
                seen.insert(instant.timestamp)
                let visible = ContinuousClock.now
                let meta = try await table.commitMetadata(instant)
                guard let cp = meta.extraMetadata[KafkaCheckpoint.metadataKey].flatMap({ KafkaCheckpoint(decoding: $0, topic: schema.topic) }) else {
                    compactions += 1
                    continue
                }
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
        let cpu = Bench.cpuSeconds() - cpuBefore
        latencies.sort()
        func pct(_ q: Double) -> Double { latencies.isEmpty ? .nan : latencies[min(latencies.count - 1, Int(Double(latencies.count) * q))] }
        let target = setup.tableType == "merge_on_read" ? 3 : Bench.seconds(setup.interval) + 2
        Bench.table(
            ["freshness (produce → queryable)", "records", "p50 s", "p99 s", "max s", "target p99 s", "commits", "compactions", "CPU s"],
            [["\(setup.rate) rec/s for \(setup.seconds) s, interval \(Bench.seconds(setup.interval)) s", "\(latencies.count) of \(total)",
              Bench.format(pct(0.5), 2), Bench.format(pct(0.99), 2), Bench.format(latencies.last ?? .nan, 2),
              "≤ \(Bench.format(target, 1))", "\(seen.count - compactions)", "\(compactions)", Bench.format(cpu, 1)]])
    }
}

/// When each (partition, offset) was sent, filled from delivery reports.
final class SendTimes: Sendable {
    let times = Mutex([TopicPartition: [Int64: ContinuousClock.Instant]]())
}

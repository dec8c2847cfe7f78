import Foundation
import Hudi
import KafkaClient
import ObjectStore
import Pipeline
import TributaryTesting

/// The pipeline bench's contestants as child processes of the bench, each answering one JSON
/// line with the peers' contract (`seconds`, `assigned_seconds`, `cpu_seconds`,
/// `peak_rss_mib`, …), so ours, the raw consume limit and the Python peers are measured
/// alike: CPU and peak memory of one process, the broker not counted.
enum PipelineChildren {
    /// Kafka settings of the bench: consumers join their group quickly on Tansu (it answers a
    /// join after about half the session timeout).
    /// Producers get the settings `tributary` gives every client of its embedded broker
    /// (big batches: Tansu over S3 stores one object per batch, and consumers fetch them one
    /// by one), so both broker kinds are measured as the application uses them.
    static func kafka(_ bootstrap: String) -> KafkaConfiguration {
        var properties = ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"]
        // BENCH_KAFKA_PROPERTIES=name=value,… tries other librdkafka settings (they win over
        // the processor's tuning) without rebuilding, e.g. a smaller prefetch queue.
        for pair in (ProcessInfo.processInfo.environment["BENCH_KAFKA_PROPERTIES"] ?? "").split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { properties[parts[0]] = parts[1] }
        }
        var config = KafkaConfiguration(
            bootstrapServers: bootstrap, properties: properties, operationTimeout: .seconds(60))
        config.producerTuning = EmbeddedBroker.producerSettings
        return config
    }

    /// `pipeline-ours BOOTSTRAP TOPIC N`: the processor into a Hudi table on a local folder.
    static func ours(_ args: [String]) async throws {
        guard args.count >= 3, let count = Int(args[2]) else { throw BenchUsage("pipeline-ours BOOTSTRAP TOPIC N") }
        let schema = TopicSchema.seed("user_events")!.onTopic(args[1])
        let lake = try TestEnvironment.temporaryDirectory("bench-lake")
        defer { try? FileManager.default.removeItem(at: lake) }
        var pc = ProcessorConfiguration(kafka: kafka(args[0]))
        pc.topics = [schema]
        pc.groupID = "bench-ours"
        let processor = StreamProcessor(configuration: pc, sink: HudiTableSink(root: try LocalObjectStore(root: lake), schemas: [schema]))
        let start = ContinuousClock.now
        let task = Task { try await processor.run() }
        while (processor.stats.committed[schema.topic] ?? 0) < count {
            try await Task.sleep(for: .milliseconds(20))
        }
        let end = ContinuousClock.now
        let cpu = Bench.cpuSeconds()
        task.cancel()
        _ = try? await task.value
        let stats = processor.stats
        var answer: [String: Double] = [
            "seconds": Bench.seconds(end - start),
            "assigned_seconds": stats.firstAssignment.map { Bench.seconds(end - $0) } ?? Bench.seconds(end - start),
            "cpu_seconds": cpu, "peak_rss_mib": Bench.peakRSSMiB(), "count": Double(count),
            "written": Double(stats.written[schema.topic] ?? 0), "commits": Double(stats.commits[schema.topic] ?? 0),
            "table_mib": Double(PipelineBench.folderBytes(lake) >> 20),
        ]
        for (name, seconds) in stats.stages.named { answer["stage_" + name] = seconds }
        Bench.answer(answer)
    }

    /// `pipeline-raw BOOTSTRAP TOPIC N`: the same records consumed by a librdkafka group
    /// consumer with the same settings and thrown away — what reading alone costs.
    static func rawConsume(_ args: [String]) async throws {
        guard args.count >= 3, let count = Int(args[2]) else { throw BenchUsage("pipeline-raw BOOTSTRAP TOPIC N") }
        let config = kafka(args[0]).withDefaults(StreamProcessor.consumerTuning)
        let consumer = try KafkaConsumer(configuration: config, groupID: "bench-raw")
        let start = ContinuousClock.now
        try consumer.subscribe([args[1]])
        var n = 0
        var first: ContinuousClock.Instant?
        while n < count {
            let r = try await consumer.poll(maxMessages: 10_000, timeout: .milliseconds(250))
            if first == nil, !r.messages.isEmpty { first = .now }
            n += r.messages.count
        }
        let end = ContinuousClock.now
        Bench.answer([
            "seconds": Bench.seconds(end - start), "assigned_seconds": Bench.seconds(end - (first ?? start)),
            "cpu_seconds": Bench.cpuSeconds(), "peak_rss_mib": Bench.peakRSSMiB(), "count": Double(n),
        ])
    }
}

struct BenchUsage: Error, CustomStringConvertible {
    var description: String
    init(_ usage: String) { description = "usage: tributary-bench \(usage)" }
}

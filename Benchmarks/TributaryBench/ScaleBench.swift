import Foundation
import Hudi
import KafkaClient
import ObjectStore
import Pipeline
import TributaryTesting

/// Scale-out: N user_events over 6 partitions processed by 1, 2 and 3 processor processes in
/// one consumer group writing one lake (as `tributary process` replicas do). Prints the wall
/// time until the tables' checkpoints cover every record, records per second and CPU seconds
/// of all members. On this 2-core machine one member already uses both cores: expect it flat.
enum ScaleBench {
    static let partitions: Int32 = 6

    static func run(_ args: [String]) async throws {
        let count = args.first.flatMap(Int.init) ?? 300_000
        let broker = try await BenchBroker.start(BenchBroker.pipelineKind)
        defer { broker.stop() }
        let config = PipelineChildren.kafka(broker.bootstrapServers)
        guard let schema = TopicSchema.seed("user_events") else { return }
        let topic = schema.topic
        let servers = broker.bootstrapServers
        _ = try await KafkaAdmin(configuration: config).createTopics(
            [TopicSpec(name: schema.topic, partitions: partitions), TopicSpec(name: schema.deadLetterTopic)])
        var generator = RecordGenerator(schema: schema, mix: .init(updateRatio: 0.1), seed: 11)
        let producer = try KafkaProducer(configuration: config)
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        for i in 0..<count {
            let r = generator.next(nowMicros: now - 3_600_000_000 + Int64(i))
            try await producer.enqueue(topic: schema.topic, key: Array(r.key.utf8), value: r.value)
        }
        try await producer.flush(timeout: .seconds(600))
        print("scale: \(count) user_events pre-loaded over \(partitions) partitions, embedded Tansu (\(broker.kind)), \(ProcessInfo.processInfo.activeProcessorCount) cores")

        var rows: [[String]] = []
        var single = 0.0
        for members in 1...3 {
            let lake = try TestEnvironment.temporaryDirectory("bench-scale")
            defer { try? FileManager.default.removeItem(at: lake) }
            let group = "bench-scale-\(members)"
            let answers = try await withThrowingTaskGroup(of: [String: Double].self) { tasks in
                for _ in 0..<members {
                    tasks.addTask {
                        let output = try await runProcessAsync(
                            Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0]),
                            ["scale-member", servers, topic, "\(count)", lake.path, group])
                        return Bench.decodeAnswer(output.stdoutText.split(separator: "\n").last.map(String.init) ?? "{}")
                    }
                }
                return try await tasks.reduce(into: []) { $0.append($1) }
            }
            let wall = answers.compactMap { $0["seconds"] }.max() ?? .nan
            let cpu = answers.compactMap { $0["cpu_seconds"] }.reduce(0, +)
            let rate = Double(count) / wall
            if members == 1 { single = rate }
            rows.append(["\(members)", Bench.format(wall, 1), Bench.format(rate), Bench.format(cpu, 1),
                         Bench.format(Double(count) / cpu), Bench.format(rate / single, 2)])
        }
        Bench.table(["processors", "wall s", "records/s", "CPU s (all)", "records/CPU-s", "vs 1"], rows)
    }

    /// `scale-member BOOTSTRAP TOPIC N LAKE GROUP`: one processor of the group; answers when
    /// the table's checkpoint covers all N records (whoever committed them).
    static func member(_ args: [String]) async throws {
        guard args.count >= 5, let count = Int(args[2]) else { throw BenchUsage("scale-member BOOTSTRAP TOPIC N LAKE GROUP") }
        let schema = TopicSchema.seed("user_events")!.onTopic(args[1])
        let store = try LocalObjectStore(root: URL(fileURLWithPath: args[3]))
        var settings = ProcessorConfiguration(kafka: PipelineChildren.kafka(args[0]))
        settings.topics = [schema]
        settings.groupID = args[4]
        settings.interval = .seconds(2)
        let sink = HudiTableSink(root: store, schemas: [schema])
        let processor = StreamProcessor(configuration: settings, sink: sink)
        let start = ContinuousClock.now
        let task = Task { try await processor.run() }
        while (try? await sink.checkpoint(topic: schema.topic).offsets.values.reduce(0, +)) ?? 0 < Int64(count) {
            try await Task.sleep(for: .milliseconds(200))
        }
        let end = ContinuousClock.now
        let cpu = Bench.cpuSeconds()
        task.cancel()
        _ = try? await task.value
        Bench.answer(["seconds": Bench.seconds(end - start), "cpu_seconds": cpu, "peak_rss_mib": Bench.peakRSSMiB()])
    }
}

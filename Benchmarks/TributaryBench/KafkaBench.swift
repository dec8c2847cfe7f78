import Foundation
import KafkaClient
import TributaryTesting

/// Produce and consume throughput of 300-byte messages: our client vs Python
/// confluent-kafka on the in-memory embedded broker, then what durability costs: the same
/// figures and the latency of a single acknowledged produce (what a web form waits for) on
/// the durable embedded broker (Tansu on SeaweedFS) beside the in-memory one, same run.
enum KafkaBench {
    static func run(_ args: [String]) async throws {
        let count = args.first.flatMap(Int.init) ?? 300_000
        let size = 300
        let memory = try await BenchBroker.start(.memory)
        defer { memory.stop() }
        print("kafka: \(count) messages of \(size) bytes, 1 partition, embedded Tansu broker, librdkafka \(Librdkafka.version)")
        print("producer settings (both): idempotence, snappy, batch.size 16384, linger.ms 10; best of 2 rounds")
        try await versusPeer(memory.bootstrapServers, count: count, size: size)

        let durable = try await BenchBroker.start(.durable)
        defer { durable.stop() }
        print("\nkafka: durable embedded broker (Tansu s3:// on SeaweedFS) vs in-memory, same run; idempotent producer (acks=all), batch.size 1000000, linger.ms 10")
        var rows: [[String]] = []
        var figures: [BenchBroker.Kind: Figures] = [:]
        for broker in [memory, durable] {
            let f = try await measure(broker.bootstrapServers, count: count, size: size, singles: 400)
            figures[broker.kind] = f
            rows.append(["\(broker.kind)", Bench.format(f.produce), Bench.format(f.consume), Bench.format(f.ackP50, 1), Bench.format(f.ackP99, 1)])
        }
        if let m = figures[.memory], let d = figures[.durable] {
            rows.append(["durable / memory", Bench.format(d.produce / m.produce, 2) + "x", Bench.format(d.consume / m.consume, 2) + "x",
                         Bench.format(d.ackP50 / m.ackP50, 2) + "x", Bench.format(d.ackP99 / m.ackP99, 2) + "x"])
        }
        Bench.table(["broker", "produce msg/s", "consume msg/s", "ack p50 ms", "ack p99 ms"], rows)
        print("targets: durable bulk produce >= 100000 msg/s, single acknowledged produce p99 <= 50 ms")
    }

    struct Figures {
        var produce = 0.0, consume = 0.0, ackP50 = 0.0, ackP99 = 0.0
    }

    /// Best of two rounds of bulk produce and consume, then `singles` acknowledged sends one at a time.
    static func measure(_ bootstrap: String, count: Int, size: Int, singles: Int) async throws -> Figures {
        var config = KafkaConfiguration(bootstrapServers: bootstrap, operationTimeout: .seconds(60))
        // What `tributary` uses on its embedded broker (one object write per batch).
        config.producerTuning = ["batch.size": "1000000"]
        let admin = try KafkaAdmin(configuration: config)
        let value = [UInt8](repeating: UInt8(ascii: "x"), count: size)
        let clock = ContinuousClock()
        var figures = Figures()
        for round in 0..<2 {
            let topic = "bench-cost-\(round)-\(UUID().uuidString.prefix(6))"
            _ = try await admin.createTopics([TopicSpec(name: topic)])
            let producer = try KafkaProducer(configuration: config)
            let produceTime = try await clock.measure {
                for _ in 0..<count { try await producer.enqueue(topic: topic, value: value, partition: 0) }
                try await producer.flush(timeout: .seconds(300))
            }
            figures.produce = max(figures.produce, Double(count) / Bench.seconds(produceTime))
            figures.consume = max(figures.consume, try await consumeRate(config, topic: topic, count: count, size: size))
        }
        let topic = "bench-single-\(UUID().uuidString.prefix(6))"
        _ = try await admin.createTopics([TopicSpec(name: topic)])
        let producer = try KafkaProducer(configuration: config)
        _ = try await producer.send(topic: topic, value: value)  // connection and producer id first
        var latencies: [Double] = []
        for _ in 0..<singles {
            let took = try await clock.measure { _ = try await producer.send(topic: topic, value: value) }
            latencies.append(Bench.seconds(took) * 1000)
        }
        latencies.sort()
        figures.ackP50 = latencies[latencies.count / 2]
        figures.ackP99 = latencies[min(latencies.count - 1, latencies.count * 99 / 100)]
        return figures
    }

    static func consumeRate(_ config: KafkaConfiguration, topic: String, count: Int, size: Int) async throws -> Double {
        let consumer = try KafkaConsumer(configuration: config)
        try consumer.assign([TopicPartition(topic, 0): 0])
        var got = 0, bytes = 0
        let took = try await ContinuousClock().measure {
            while got < count {
                let batch = try await consumer.poll(maxMessages: 10_000, timeout: .seconds(1)).messages
                got += batch.count
                bytes += batch.byteCount
            }
        }
        precondition(bytes == count * size, "consumed \(bytes) bytes, expected \(count * size)")
        return Double(count) / Bench.seconds(took)
    }

    /// Ours vs confluent-kafka on the same broker.
    static func versusPeer(_ bootstrap: String, count: Int, size: Int) async throws {
        let config = KafkaConfiguration(bootstrapServers: bootstrap, operationTimeout: .seconds(60))
        let admin = try KafkaAdmin(configuration: config)
        var ours = (produce: 0.0, consume: 0.0), peer = (produce: 0.0, consume: 0.0)
        for round in 0..<2 {
            let ourTopic = "bench-ours-\(round)", peerTopic = "bench-peer-\(round)"
            _ = try await admin.createTopics([TopicSpec(name: ourTopic), TopicSpec(name: peerTopic)])
            let producer = try KafkaProducer(configuration: config)
            let value = [UInt8](repeating: UInt8(ascii: "x"), count: size)
            let produceTime = try await ContinuousClock().measure {
                for _ in 0..<count { try await producer.enqueue(topic: ourTopic, value: value, partition: 0) }
                try await producer.flush(timeout: .seconds(120))
            }
            ours.produce = max(ours.produce, Double(count) / Bench.seconds(produceTime))
            let p = try Bench.runPeer([Bench.peerScript("kafka_peer.py"), "produce", bootstrap, peerTopic, "\(count)", "\(size)"])
            peer.produce = max(peer.produce, Double(count) / (p["seconds"] ?? .infinity))
            ours.consume = max(ours.consume, try await consumeRate(config, topic: ourTopic, count: count, size: size))
            let c = try Bench.runPeer([Bench.peerScript("kafka_peer.py"), "consume", bootstrap, ourTopic, "\(count)"])
            peer.consume = max(peer.consume, Double(count) / (c["seconds"] ?? .infinity))
        }
        Bench.table(
            ["kafka", "tributary msg/s", "confluent-kafka msg/s", "ratio"],
            [
                ["produce", Bench.format(ours.produce), Bench.format(peer.produce), Bench.format(ours.produce / peer.produce, 2) + "x"],
                ["consume", Bench.format(ours.consume), Bench.format(peer.consume), Bench.format(ours.consume / peer.consume, 2) + "x"],
            ])
    }
}

/// The embedded broker a benchmark runs on: in memory, or durable (Tansu on SeaweedFS in
/// a temporary folder, removed afterwards). `BENCH_BROKER=durable` puts the pipeline
/// bench on the durable one.
struct BenchBroker {
    enum Kind: String, CustomStringConvertible {
        case memory, durable
        var description: String { rawValue }
    }

    let kind: Kind
    let bootstrapServers: String
    let stop: () -> Void

    static func start(_ kind: Kind) async throws -> BenchBroker {
        switch kind {
        case .memory:
            let broker = try await EmbeddedBroker.start()
            return BenchBroker(kind: kind, bootstrapServers: broker.bootstrapServers, stop: { broker.stop() })
        case .durable:
            let folder = try TestEnvironment.temporaryDirectory("bench-durable-broker")
            let broker = try await DurableEmbeddedBroker.start(.init(folder: folder.appendingPathComponent("kafka")))
            return BenchBroker(kind: kind, bootstrapServers: broker.bootstrapServers, stop: {
                broker.stop()
                try? FileManager.default.removeItem(at: folder)
            })
        }
    }

    /// The pipeline bench's broker kind, from `BENCH_BROKER` (default memory).
    static var pipelineKind: Kind {
        ProcessInfo.processInfo.environment["BENCH_BROKER"].flatMap(Kind.init(rawValue:)) ?? .memory
    }
}

import Foundation
import KafkaClient

/// Produce and consume throughput of 300-byte messages: our client vs Python
/// confluent-kafka, same embedded broker, same producer settings, same run.
enum KafkaBench {
    static func run(_ args: [String]) async throws {
        let count = args.first.flatMap(Int.init) ?? 300_000
        let size = 300
        let rounds = 2
        let broker = try await EmbeddedBroker.start()
        defer { broker.stop() }
        let config = KafkaConfiguration(bootstrapServers: broker.bootstrapServers, operationTimeout: .seconds(60))
        let admin = try KafkaAdmin(configuration: config)
        print("kafka: \(count) messages of \(size) bytes, 1 partition, embedded Tansu broker, librdkafka \(Librdkafka.version)")
        print("producer settings (both): idempotence, snappy, batch.size 16384, linger.ms 10; best of \(rounds) rounds")

        var ours = (produce: 0.0, consume: 0.0), peer = (produce: 0.0, consume: 0.0)
        for round in 0..<rounds {
            let ourTopic = "bench-ours-\(round)", peerTopic = "bench-peer-\(round)"
            _ = try await admin.createTopics([TopicSpec(name: ourTopic), TopicSpec(name: peerTopic)])

            // Produce: ours.
            let producer = try KafkaProducer(configuration: config)
            let value = [UInt8](repeating: UInt8(ascii: "x"), count: size)
            let clock = ContinuousClock()
            let produceTime = try await clock.measure {
                for _ in 0..<count {
                    try await producer.enqueue(topic: ourTopic, value: value, partition: 0)
                }
                try await producer.flush(timeout: .seconds(120))
            }
            ours.produce = max(ours.produce, Double(count) / Bench.seconds(produceTime))

            // Produce: confluent-kafka.
            let p = try Bench.runPeer([Bench.peerScript("kafka_peer.py"), "produce", broker.bootstrapServers, peerTopic, "\(count)", "\(size)"])
            peer.produce = max(peer.produce, Double(count) / (p["seconds"] ?? .infinity))

            // Consume the same topic: ours, then confluent-kafka.
            let consumer = try KafkaConsumer(configuration: config)
            try consumer.assign([TopicPartition(ourTopic, 0): 0])
            var got = 0, bytes = 0
            let consumeTime = try await clock.measure {
                while got < count {
                    let batch = try await consumer.poll(maxMessages: 10_000, timeout: .seconds(1)).messages
                    got += batch.count
                    bytes += batch.byteCount
                }
            }
            precondition(bytes == count * size, "consumed \(bytes) bytes, expected \(count * size)")
            ours.consume = max(ours.consume, Double(count) / Bench.seconds(consumeTime))
            let c = try Bench.runPeer([Bench.peerScript("kafka_peer.py"), "consume", broker.bootstrapServers, ourTopic, "\(count)"])
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

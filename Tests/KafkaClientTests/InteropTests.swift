import Foundation
import Testing
import KafkaClient
import KafkaTesting
import TributaryTesting

/// Our client and Python confluent-kafka read each other's messages through the same broker.
@Suite struct InteropTests {
    static let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/KafkaClientTests/interop/kafka_interop.py").path

    @Test func pythonReadsWhatWeProduce() async throws {
        let config = try await TestBroker.configuration()
        let topic = TestBroker.uniqueName("to-python")
        _ = try await KafkaAdmin(configuration: config).createTopics([TopicSpec(name: topic)])
        let producer = try KafkaProducer(configuration: config)
        for i in 0..<200 {
            try await producer.enqueue(topic: topic, key: Array("k\(i)".utf8), value: Array("{\"i\":\(i)}".utf8),
                                       headers: [KafkaHeader("src", "swift")])
        }
        try await producer.flush()
        let output = try runPython([Self.script, "consume", config.bootstrapServers, topic, "200"])
        let lines = output.stdoutText.split(separator: "\n")
        #expect(lines.count == 200)
        for (i, line) in lines.enumerated() {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["key"] as? String == "k\(i)")
            #expect(object?["value"] as? String == "{\"i\":\(i)}")
            #expect(object?["offset"] as? Int == i)
            #expect((object?["headers"] as? [[String]])?.first == ["src", "swift"])
        }
    }

    @Test func weReadWhatPythonProduces() async throws {
        let config = try await TestBroker.configuration()
        let topic = TestBroker.uniqueName("from-python")
        _ = try await KafkaAdmin(configuration: config).createTopics([TopicSpec(name: topic)])
        try runPython([Self.script, "produce", config.bootstrapServers, topic, "200"])
        let consumer = try KafkaConsumer(configuration: try await TestBroker.consumerConfiguration())
        try consumer.assign([TopicPartition(topic, 0): 0])
        let messages = try await consume(consumer, count: 200, timeout: .seconds(30))
        #expect(messages.count == 200)
        for (i, m) in messages.enumerated() {
            #expect(m.keyString == "k\(i)")
            #expect(String(decoding: m.value, as: UTF8.self) == "{\"i\": \(i)}")
            #expect(m.headers == [KafkaHeader("src", "python"), KafkaHeader("seq", "\(i)")])
        }
    }
}

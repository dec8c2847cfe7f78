import Foundation
import Testing
import KafkaClient
import KafkaTesting

@Suite struct ProduceConsumeTests {
    @Test func sendReturnsOffsetsAndConsumerSeesKeysValuesHeaders() async throws {
        let config = try await TestBroker.configuration()
        let topic = TestBroker.uniqueName("smoke")
        let admin = try KafkaAdmin(configuration: config)
        let created = try await admin.createTopics([TopicSpec(name: topic, partitions: 1)])
        #expect(created[topic] == .created)

        let producer = try KafkaProducer(configuration: config)
        var reports: [DeliveryReport] = []
        for i in 0..<5 {
            reports.append(try await producer.send(
                topic: topic, key: Array("k\(i)".utf8), value: Array("{\"n\":\(i)}".utf8),
                headers: [KafkaHeader("h", "v\(i)"), KafkaHeader("null", nil)]))
        }
        #expect(reports.map(\.offset) == [0, 1, 2, 3, 4])
        #expect(reports.allSatisfy { $0.topic == topic && $0.partition == 0 })

        let consumer = try KafkaConsumer(configuration: try await TestBroker.consumerConfiguration())
        try consumer.assign([TopicPartition(topic, 0): 0])
        let messages = try await consume(consumer, count: 5, timeout: .seconds(20))
        #expect(messages.count == 5)
        for (i, m) in messages.enumerated() {
            #expect(m.offset == Int64(i))
            #expect(m.keyString == "k\(i)")
            #expect(String(decoding: m.value, as: UTF8.self) == "{\"n\":\(i)}")
            #expect(m.headers == [KafkaHeader("h", "v\(i)"), KafkaHeader("null", nil)])
        }
    }
}

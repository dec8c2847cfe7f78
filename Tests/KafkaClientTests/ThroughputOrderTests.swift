import Foundation
import Testing
import KafkaClient
import KafkaTesting

/// 100k messages through a real broker: order per partition, keys and headers preserved.
@Suite struct ThroughputOrderTests {
    @Test func hundredThousandMessagesArriveInOrderPerPartition() async throws {
        let config = try await TestBroker.configuration()
        let topic = TestBroker.uniqueName("order")
        let partitions: Int32 = 4
        let total = 100_000
        _ = try await KafkaAdmin(configuration: config).createTopics([TopicSpec(name: topic, partitions: partitions)])

        let producer = try KafkaProducer(configuration: config)
        for i in 0..<total {
            let partition = Int32(i % Int(partitions))
            try await producer.enqueue(
                topic: topic, key: Array("key-\(i)".utf8), value: Array("{\"seq\":\(i)}".utf8),
                headers: i % 1000 == 0 ? [KafkaHeader("marker", "\(i)")] : [], partition: partition)
        }
        try await producer.flush(timeout: .seconds(60))
        #expect(producer.inFlight == 0)

        let consumer = try KafkaConsumer(configuration: try await TestBroker.consumerConfiguration())
        try consumer.assign(Dictionary(uniqueKeysWithValues: (0..<partitions).map { (TopicPartition(topic, $0), Int64?(0)) }))
        let messages = try await consume(consumer, count: total, timeout: .seconds(120))
        #expect(messages.count == total)

        var lastSeq = [Int32: Int](), lastOffset = [Int32: Int64]()
        var headerCount = 0
        for m in messages {
            let text = String(decoding: m.value, as: UTF8.self)
            let seq = Int(text.dropFirst(7).dropLast()) ?? -1
            #expect(m.keyString == "key-\(seq)")
            #expect(Int32(seq % Int(partitions)) == m.partition)
            if let previous = lastSeq[m.partition] { #expect(seq > previous) }
            if let previous = lastOffset[m.partition] { #expect(m.offset == previous + 1) }
            lastSeq[m.partition] = seq
            lastOffset[m.partition] = m.offset
            if seq % 1000 == 0 {
                #expect(m.header("marker") == "\(seq)")
                headerCount += 1
            } else {
                #expect(m.headers.isEmpty)
            }
        }
        #expect(headerCount == total / 1000)
        #expect(Set(messages.map(\.partition)) == Set(0..<partitions))
    }
}

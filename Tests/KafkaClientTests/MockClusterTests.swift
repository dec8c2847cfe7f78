import Foundation
import Testing
import KafkaClient
import KafkaTesting

/// Fast tests against librdkafka's in-process mock cluster (no broker process).
@Suite struct MockClusterTests {
    @Test func produceAndConsumeOnTheMockCluster() async throws {
        let cluster = try MockCluster(brokers: 3)
        try cluster.createTopic("mock", partitions: 3, replicationFactor: 3)
        let config = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
        let producer = try KafkaProducer(configuration: config)
        for i in 0..<300 {
            try await producer.enqueue(topic: "mock", key: Array("\(i % 7)".utf8), value: Array("\(i)".utf8))
        }
        try await producer.flush()
        let consumer = try KafkaConsumer(configuration: config)
        try consumer.assign(Dictionary(uniqueKeysWithValues: (0..<3).map { (TopicPartition("mock", $0), Int64?(0)) }))
        let got = try await consume(consumer, count: 300, timeout: .seconds(30))
        #expect(got.count == 300)
        // Same key → same partition (the default partitioner hashes keys).
        var partitionOfKey: [String: Int32] = [:]
        for m in got {
            let key = m.keyString ?? ""
            if let p = partitionOfKey[key] { #expect(p == m.partition) }
            partitionOfKey[key] = m.partition
        }
        #expect(Set(got.map { String(decoding: $0.value, as: UTF8.self) }) == Set((0..<300).map(String.init)))
    }
}

import Foundation
import Testing
import KafkaClient
import KafkaTesting

@Suite struct AdminTests {
    @Test func creatingTopicsTwiceIsANoOp() async throws {
        let admin = try KafkaAdmin(configuration: try await TestBroker.configuration())
        let names = (0..<3).map { _ in TestBroker.uniqueName("setup") }
        let specs = names.map { TopicSpec(name: $0, partitions: 2, configs: ["retention.ms": "604800000"]) }
        let first = try await admin.createTopics(specs)
        #expect(first == Dictionary(uniqueKeysWithValues: names.map { ($0, TopicCreation.created) }))
        let second = try await admin.createTopics(specs)
        #expect(second == Dictionary(uniqueKeysWithValues: names.map { ($0, TopicCreation.alreadyExists) }))
        let md = try await admin.metadata()
        for name in names { #expect(md.topic(name)?.partitions.count == 2) }
    }

    @Test func unreachableBrokerFailsClearlyWithinTheTimeout() async throws {
        // Port 1 on loopback: nothing listens there.
        let config = KafkaConfiguration(bootstrapServers: "127.0.0.1:1", operationTimeout: .seconds(2))
        let admin = try KafkaAdmin(configuration: config)
        let start = ContinuousClock.now
        do {
            _ = try await admin.metadata()
            Issue.record("metadata from an unreachable broker succeeded")
        } catch let error as KafkaError {
            #expect(error.kind == .brokerUnreachable)
            #expect(error.description.contains("127.0.0.1:1"))
        }
        // The wall-clock bound is checked in a separate process (StackCLITests): here the
        // test's continuation can wait behind CPU-bound tests on the 2-thread cooperative pool.
        _ = start
    }

    @Test func badConfigurationNamesTheProperty() async throws {
        let config = KafkaConfiguration(bootstrapServers: "127.0.0.1:1", properties: ["no.such.property": "1"])
        #expect { try KafkaProducer(configuration: config) } throws: { error in
            (error as? KafkaError)?.kind == .configuration && "\(error)".contains("no.such.property")
        }
    }

    @Test func lagIsHighWatermarkMinusCommitted() async throws {
        let config = try await TestBroker.configuration()
        let topic = TestBroker.uniqueName("lag")
        let group = TestBroker.uniqueName("g")
        let admin = try KafkaAdmin(configuration: config)
        _ = try await admin.createTopics([TopicSpec(name: topic, partitions: 1)])
        let producer = try KafkaProducer(configuration: config)
        // One message per flush: one record batch each, so Tansu's LATEST answer
        // (last batch base offset + 1, see tools.md) equals the real end offset.
        for i in 0..<20 {
            try await producer.send(topic: topic, value: Array("\(i)".utf8))
        }
        let consumer = try KafkaConsumer(configuration: try await TestBroker.consumerConfiguration(), groupID: group)
        try await consumer.commit([TopicPartition(topic, 0): 5])
        let lag = try await admin.lag(group: group)
        #expect(lag.count == 1)
        #expect(lag.first?.committed == 5)
        #expect(lag.first?.watermarks.high == 20)
        #expect(lag.first?.lag == 15)
        let groups = try await admin.listGroups()
        #expect(groups.contains { $0.name == group }, "groups listed: \(groups)")
    }
}

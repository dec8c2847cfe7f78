import Foundation
import KafkaClient
import KafkaTesting
import Synchronization
import Testing

/// The in-memory Kafka behaves like the real one where the processor's tests rely on it:
/// eager rebalances behind a join barrier, start offsets from the hook, out-of-range reads
/// reset to the earliest offset, outages, redelivery.
@Suite struct InMemoryKafkaTests {
    func drain(_ consumer: any ConsumerClient, polls: Int = 3) async throws -> [Int64] {
        var offsets: [Int64] = []
        for _ in 0..<polls {
            offsets += try await consumer.poll(maxMessages: 100, timeout: .milliseconds(20)).messages.map(\.offset)
        }
        return offsets
    }

    @Test func aJoiningMemberWaitsUntilTheOthersGaveTheirPartitionsUp() async throws {
        let kafka = InMemoryKafka()
        kafka.createTopic("t", partitions: 2)
        let revoking = Flag(), released = Flag()
        let a = try kafka.consumer(groupID: "g", settings: [:], hooks: RebalanceHooks(beforeRevoke: { _ in
            // The first revoke waits for the test, as the processor's waits for its commit.
            guard revoking.setFirst() else { return }
            while !released.isSet { usleep(1000) }
        }))
        try a.subscribe(["t"])
        _ = try await a.poll(maxMessages: 1, timeout: .milliseconds(10))
        #expect(a.assignment.count == 2)

        let b = try kafka.consumer(groupID: "g", settings: [:], hooks: RebalanceHooks(startOffset: { _ in -2 }))
        try b.subscribe(["t"])
        async let aPoll = a.poll(maxMessages: 1, timeout: .milliseconds(10))
        while !revoking.isSet { try await Task.sleep(for: .milliseconds(2)) }
        _ = try await b.poll(maxMessages: 1, timeout: .milliseconds(20))
        #expect(b.assignment.isEmpty, "assigned before the other member gave its partitions up")
        released.setFirst()
        _ = try await aPoll
        _ = try await b.poll(maxMessages: 1, timeout: .milliseconds(20))
        #expect(a.assignment == [TopicPartition("t", 0)])
        #expect(b.assignment == [TopicPartition("t", 1)])
        try await a.close()
        _ = try await b.poll(maxMessages: 1, timeout: .milliseconds(20))
        #expect(b.assignment.count == 2, "a leaver's partitions go to the others")
    }

    @Test func readsStartWhereTheHookSaysAndOutOfRangeResetsToTheEarliest() async throws {
        let kafka = InMemoryKafka()
        kafka.createTopic("t")
        for i in 0..<10 { try kafka.append(topic: "t", key: nil, value: [UInt8(i)]) }
        let tp = TopicPartition("t", 0)
        let consumer = try kafka.consumer(groupID: "g", settings: [:], hooks: RebalanceHooks(startOffset: { _ in 7 }))
        try consumer.subscribe(["t"])
        #expect(try await drain(consumer) == [7, 8, 9])
        #expect(consumer.cachedWatermarks(tp).map { [$0.low, $0.high] } == [0, 10])
        try await consumer.seek([tp: 40])
        #expect(try await drain(consumer) == Array(0..<10), "past the end: auto.offset.reset=earliest")
        kafka.deleteRecords(tp, before: 6)
        try await consumer.seek([tp: 2])
        #expect(try await drain(consumer) == [6, 7, 8, 9])
        kafka.redeliver(tp, from: 8)
        try kafka.append(topic: "t", key: nil, value: [10])
        #expect(try await drain(consumer) == [10, 8, 9, 10])
    }

    @Test func anOutageFailsEverythingUntilTheClusterIsBack() async throws {
        let kafka = InMemoryKafka()
        kafka.createTopic("t")
        let consumer = try kafka.consumer(groupID: "g", settings: [:], hooks: RebalanceHooks())
        try consumer.subscribe(["t"])
        kafka.isReachable = false
        let result = try await consumer.poll(maxMessages: 10, timeout: .milliseconds(10))
        #expect(result.errors.map(\.kind) == [.brokerUnreachable])
        await #expect(throws: KafkaError.self) { try await kafka.producer(settings: [:]).send(topic: "t", key: nil, value: [1], headers: [], partition: nil) }
        await #expect(throws: KafkaError.self) { try await kafka.admin(operationTimeout: nil).metadata() }
        kafka.isReachable = true
        let report = try await kafka.producer(settings: [:]).send(topic: "t", key: nil, value: [1], headers: [], partition: nil)
        #expect(report.offset == 0)
        #expect(try await drain(consumer) == [0])
        try await consumer.commit([TopicPartition("t", 0): 1])
        #expect(kafka.committedOffsets(group: "g") == [TopicPartition("t", 0): 1])
    }
}

final class Flag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    /// Sets the flag; true when it was not set yet.
    @discardableResult func setFirst() -> Bool {
        value.withLock { set in
            defer { set = true }
            return !set
        }
    }
}

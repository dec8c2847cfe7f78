import Foundation
import Synchronization
import Testing
import KafkaClient
import KafkaTesting

@Suite struct ConsumerGroupTests {
    /// Two members split the partitions; when one leaves, the other takes them over and
    /// nothing committed by the leaver is read twice or lost.
    @Test func twoConsumersSplitPartitionsAndRebalanceHandsThemOver() async throws {
        let config = try await TestBroker.configuration()
        let topic = TestBroker.uniqueName("group")
        let group = TestBroker.uniqueName("g")
        _ = try await KafkaAdmin(configuration: config).createTopics([TopicSpec(name: topic, partitions: 4)])
        let producer = try KafkaProducer(configuration: config)
        for i in 0..<400 {
            try await producer.enqueue(topic: topic, key: nil, value: Array("\(i)".utf8), partition: Int32(i % 4))
        }
        try await producer.flush()

        let consumerConfig = try await TestBroker.consumerConfiguration()
        let a = try KafkaConsumer(configuration: consumerConfig, groupID: group)
        let b = try KafkaConsumer(configuration: consumerConfig, groupID: group)
        try a.subscribe([topic])
        try b.subscribe([topic])

        // Poll both until the group has settled with all 4 partitions split between them.
        var seen: [String: Set<Int>] = ["a": [], "b": []]
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            async let ra = a.poll(maxMessages: 1000, timeout: .milliseconds(300))
            async let rb = b.poll(maxMessages: 1000, timeout: .milliseconds(300))
            let (resultA, resultB) = try await (ra, rb)
            for m in resultA.messages { seen["a", default: []].insert(Int(String(decoding: m.value, as: UTF8.self)) ?? -1) }
            for m in resultB.messages { seen["b", default: []].insert(Int(String(decoding: m.value, as: UTF8.self)) ?? -1) }
            if !a.assignment.isEmpty && !b.assignment.isEmpty
                && a.assignment.union(b.assignment).count == 4 && (seen["a"]?.count ?? 0) + (seen["b"]?.count ?? 0) >= 400 {
                break
            }
        }
        #expect(a.assignment.isDisjoint(with: b.assignment))
        #expect(a.assignment.count + b.assignment.count == 4)
        #expect(!a.assignment.isEmpty && !b.assignment.isEmpty)
        let seenA = seen["a"] ?? [], seenB = seen["b"] ?? []
        #expect(seenA.isDisjoint(with: seenB))
        #expect(seenA.union(seenB) == Set(0..<400))

        // Commit what each read, then `a` leaves: `b` must get all partitions.
        var nextOffsets: [TopicPartition: Int64] = [:]
        for tp in a.assignment { nextOffsets[tp] = 100 }
        try await a.commit(nextOffsets)
        try await a.close()
        var events: [RebalanceEvent] = []
        let handoverDeadline = ContinuousClock.now + .seconds(60)
        var more: [Int] = []
        for i in 400..<440 {
            try await producer.enqueue(topic: topic, key: nil, value: Array("\(i)".utf8), partition: Int32(i % 4))
        }
        try await producer.flush()
        while b.assignment.count < 4 || more.count < 40, ContinuousClock.now < handoverDeadline {
            let r = try await b.poll(maxMessages: 1000, timeout: .milliseconds(300))
            more.append(contentsOf: r.messages.map { Int(String(decoding: $0.value, as: UTF8.self)) ?? -1 })
        }
        var iterator = b.rebalanceEvents.makeAsyncIterator()
        for _ in 0..<2 { if let e = await iterator.next() { events.append(e) } }
        #expect(b.assignment.count == 4)
        // Every new message arrives at the remaining member; those of the partitions taken
        // over from `a` exactly once (they resume at a's commit). b's own partitions may
        // repeat what b read before the (eager) rebalance re-assigned them, since b had
        // not committed — Kafka's at-least-once without commits, not a loss.
        #expect(Set(more.filter { $0 >= 400 }) == Set(400..<440))
        let fromA = Set(nextOffsets.keys.map(\.partition))
        let takenOver = more.filter { $0 >= 400 && fromA.contains(Int32($0 % 4)) }
        #expect(takenOver.count == Set(takenOver).count, "re-read from a's partitions: \(takenOver.sorted())")
        // Partitions taken over from `a` resume at a's committed offsets: nothing from
        // 0..<400 that a committed is re-read.
        #expect(more.allSatisfy { $0 >= 400 || !seenA.contains($0) })
        #expect(events.contains { if case .assigned = $0 { true } else { false } })
    }

    /// A member stopped in the middle of a rebalance (its revoke hook still finishing a batch,
    /// as the processor's does) finishes that rebalance before it leaves. Tansu 0.6 keeps a
    /// leader that leaves a forming group as the group's leader, and then no member is ever
    /// assigned anything again: the other member here would wait forever.
    @Test func aMemberClosedDuringARebalanceLeavesTheGroupAssignable() async throws {
        let config = try await TestBroker.configuration()
        let topic = TestBroker.uniqueName("settle")
        let group = TestBroker.uniqueName("g")
        _ = try await KafkaAdmin(configuration: config).createTopics([TopicSpec(name: topic, partitions: 4)])
        let consumerConfig = try await TestBroker.consumerConfiguration()
        let revokes = Mutex(0)
        let leader = try KafkaConsumer(configuration: consumerConfig, groupID: group, beforeRevoke: { _ in
            // The first revoke takes a second, like a batch being committed.
            if revokes.withLock({ n in defer { n += 1 }; return n == 0 }) { Thread.sleep(forTimeInterval: 1) }
        })
        try leader.subscribe([topic])
        let deadline = ContinuousClock.now + .seconds(60)
        while leader.assignment.count < 4, ContinuousClock.now < deadline {
            _ = try await leader.poll(maxMessages: 100, timeout: .milliseconds(200))
        }
        #expect(leader.assignment.count == 4, "the only member was not assigned every partition")

        // A second member joins; the leader serves the revoke and is stopped right after it.
        let other = try KafkaConsumer(configuration: consumerConfig, groupID: group)
        try other.subscribe([topic])
        let otherPolls = Task {
            let until = ContinuousClock.now + .seconds(40)
            while other.assignment.count < 4, ContinuousClock.now < until {
                _ = try await other.poll(maxMessages: 100, timeout: .milliseconds(200))
            }
            return other.assignment.count
        }
        while revokes.withLock({ $0 }) == 0, ContinuousClock.now < deadline {
            _ = try await leader.poll(maxMessages: 100, timeout: .milliseconds(100))
        }
        try await leader.close()
        #expect(try await otherPolls.value == 4, "the remaining member never got the partitions")
        try await other.close()
    }

    /// A new consumer of the same group resumes at the committed offsets.
    @Test func committedOffsetsResume() async throws {
        let config = try await TestBroker.configuration()
        let topic = TestBroker.uniqueName("resume")
        let group = TestBroker.uniqueName("g")
        _ = try await KafkaAdmin(configuration: config).createTopics([TopicSpec(name: topic, partitions: 1)])
        let producer = try KafkaProducer(configuration: config)
        for i in 0..<100 { try await producer.enqueue(topic: topic, value: Array("\(i)".utf8)) }
        try await producer.flush()
        let tp = TopicPartition(topic, 0)
        let consumerConfig = try await TestBroker.consumerConfiguration()
        do {
            let first = try KafkaConsumer(configuration: consumerConfig, groupID: group)
            try first.subscribe([topic])
            let got = try await consume(first, count: 60, timeout: .seconds(60), batch: 60)
            #expect(got.count == 60)
            try await first.commit([tp: 60])
            #expect(try await first.committed([tp]) == [tp: 60])
            try await first.close()
        }
        let admin = try KafkaAdmin(configuration: config)
        #expect(try await admin.committedOffsets(group: group, partitions: [tp]) == [tp: 60])
        let second = try KafkaConsumer(configuration: consumerConfig, groupID: group)
        try second.subscribe([topic])
        let rest = try await consume(second, count: 40, timeout: .seconds(60))
        #expect(rest.map(\.offset) == Array(60..<100))
        try await second.close()
    }

    /// The start-offset hook chooses where an assigned partition starts (the processor
    /// uses it to resume from the table's checkpoint, not from Kafka's commits).
    @Test func startOffsetHookOverridesCommittedOffsets() async throws {
        let config = try await TestBroker.configuration()
        let topic = TestBroker.uniqueName("hook")
        _ = try await KafkaAdmin(configuration: config).createTopics([TopicSpec(name: topic, partitions: 1)])
        let producer = try KafkaProducer(configuration: config)
        for i in 0..<50 { try await producer.enqueue(topic: topic, value: Array("\(i)".utf8)) }
        try await producer.flush()
        let consumer = try KafkaConsumer(
            configuration: try await TestBroker.consumerConfiguration(), groupID: TestBroker.uniqueName("g"),
            startOffset: { tp in tp.topic == topic ? 42 : nil })
        try consumer.subscribe([topic])
        let got = try await consume(consumer, count: 8, timeout: .seconds(60))
        #expect(got.map(\.offset) == Array(42..<50))
        try await consumer.close()
    }
}

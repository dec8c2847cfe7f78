import Foundation
import KafkaClient

/// A Kafka cluster in memory, for unit tests (as swift-nio's `EmbeddedChannel` is a
/// channel): topics with partitioned logs, consumer groups whose assignments change when
/// members join or leave — or when a test says so — and injectable trouble: outages, a
/// restart that loses every log, retention, failing sends. Its clients implement the
/// `KafkaClients` protocols, so a component under test cannot tell it from librdkafka.
///
/// Rebalances are eager, as with librdkafka's default assignors: a member gives up all
/// its partitions (`beforeRevoke`) and then gets its new ones (`startOffset`), inside its
/// next `poll`, on the consumer's own thread.
public final class InMemoryKafka: KafkaClients, @unchecked Sendable {
    /// A stored message.
    public struct Message: Sendable, Equatable {
        public var topic: String
        public var partition: Int32
        public var offset: Int64
        public var key: [UInt8]?
        public var value: [UInt8]
        public var headers: [KafkaHeader]

        public func header(_ name: String) -> String? { headers.first { $0.name == name }?.stringValue }
    }

    struct PartitionLog {
        /// The log start (low watermark): retention removed what lay before it.
        var start: Int64 = 0
        var messages: [Message] = []
        var end: Int64 { start + Int64(messages.count) }
    }

    struct Member {
        var group: String?
        var topics: [String] = []
        /// Read positions of the assigned partitions.
        var positions: [TopicPartition: Int64] = [:]
        /// The group generation this member's assignment belongs to.
        var generation = 0
        /// The generation whose revoke this member served (gave up its partitions).
        var revokedGeneration = 0
        /// Removed from its group by the test (a session that timed out: a crashed process).
        var expelled = false
        /// Watermarks as of this member's last fetch of each partition.
        var watermarks: [TopicPartition: Watermarks] = [:]
    }

    struct Group {
        var members: [String] = []
        var generation = 0
        /// Members that gave up their partitions in this generation: assignments are handed
        /// out once every member has (the eager protocol's join barrier).
        var revoked: Set<String> = []
        var targets: [String: Set<TopicPartition>] = [:]
        var committed: [TopicPartition: Int64] = [:]
        var delivered: [TopicPartition: [Int64]] = [:]
    }

    struct State {
        var logs: [String: [PartitionLog]] = [:]
        var members: [String: Member] = [:]
        var groups: [String: Group] = [:]
        var reachable = true
        var failingSends = 0
        /// Partitions whose next fetch hands out records again from an offset.
        var redeliveries: [TopicPartition: Int64] = [:]
        var memberCounter = 0
        var roundRobin = 0
    }

    /// Guards `state`; broadcast on every change, so waiting polls wake.
    private let condition = NSCondition()
    private var state = State()

    public init() {}

    public var servers: String { "in-memory" }

    func locked<T>(_ body: (inout State) throws -> T) rethrows -> T {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        return try body(&state)
    }

    /// Waits (blocking the calling thread) until `ready` returns a value or `deadline` passes.
    func wait<T>(until deadline: Date, _ ready: (inout State) throws -> T?) rethrows -> T? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let value = try ready(&state) { return value }
            guard condition.wait(until: deadline) else { return try ready(&state) }
        }
    }

    // MARK: Clients

    public func consumer(groupID: String?, settings: [String: String], hooks: RebalanceHooks) throws -> any ConsumerClient {
        let id = locked { s -> String in
            s.memberCounter += 1
            let id = "member-\(s.memberCounter)"
            s.members[id] = Member(group: groupID)
            return id
        }
        return InMemoryConsumer(kafka: self, memberID: id, hooks: hooks)
    }

    public func producer(settings: [String: String]) throws -> any ProducerClient { InMemoryProducer(kafka: self) }

    public func admin(operationTimeout: Duration?) throws -> any AdminClient { InMemoryAdmin(kafka: self) }

    // MARK: Topics and messages

    public func createTopic(_ name: String, partitions: Int32 = 1) {
        locked { s in
            guard s.logs[name] == nil else { return }
            s.logs[name] = Array(repeating: PartitionLog(), count: Int(partitions))
            for group in Array(s.groups.keys) { Self.rebalance(group, &s) }
        }
    }

    /// Appends a message as the broker would store a produced one; returns where.
    @discardableResult
    public func append(topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8],
                       headers: [KafkaHeader] = []) throws -> DeliveryReport {
        try locked { s in try Self.append(topic: topic, partition: partition, key: key, value: value, headers: headers, &s) }
    }

    static func append(topic: String, partition: Int32?, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader],
                       _ s: inout State) throws -> DeliveryReport {
        guard let count = s.logs[topic]?.count, count > 0 else {
            throw KafkaError(.unknownTopicOrPartition, operation: "produce to \(topic)", reason: "Broker: Unknown topic or partition")
        }
        let p: Int
        if let partition {
            guard partition >= 0, Int(partition) < count else {
                throw KafkaError(.unknownTopicOrPartition, operation: "produce to \(topic)[\(partition)]", reason: "Broker: Unknown topic or partition")
            }
            p = Int(partition)
        } else if let key {
            // FNV-1a: the same key always lands on the same partition.
            var hash: UInt32 = 2_166_136_261
            for byte in key { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
            p = Int(hash % UInt32(count))
        } else {
            s.roundRobin += 1
            p = s.roundRobin % count
        }
        let offset = s.logs[topic]?[p].end ?? 0
        s.logs[topic]?[p].messages.append(Message(topic: topic, partition: Int32(p), offset: offset, key: key, value: value, headers: headers))
        return DeliveryReport(topic: topic, partition: Int32(p), offset: offset)
    }

    /// Every message of a topic still in its logs, partition by partition.
    public func messages(in topic: String) -> [Message] {
        locked { s in (s.logs[topic] ?? []).flatMap(\.messages) }
    }

    public func watermarks(_ tp: TopicPartition) -> Watermarks? {
        locked { s in s.log(tp).map { Watermarks(low: $0.start, high: $0.end) } }
    }

    /// Retention: the partition's log now starts at `offset`.
    public func deleteRecords(_ tp: TopicPartition, before offset: Int64) {
        locked { s in
            guard var log = s.log(tp) else { return }
            let drop = Int(min(max(0, offset - log.start), Int64(log.messages.count)))
            log.messages.removeFirst(drop)
            log.start += Int64(drop)
            s.logs[tp.topic]?[Int(tp.partition)] = log
        }
    }

    // MARK: Trouble

    /// Whether clients reach the cluster: while not, polls report "all brokers down",
    /// sends and admin requests fail, and no message is delivered.
    public var isReachable: Bool {
        get { locked { $0.reachable } }
        set { locked { $0.reachable = newValue } }
    }

    /// A broker restart: with `losingData` (an in-memory broker) every log is empty again
    /// from offset 0 and the groups' committed offsets are gone. Every member rejoins.
    public func restart(losingData: Bool) {
        locked { s in
            if losingData {
                s.logs = s.logs.mapValues { logs in logs.map { _ in PartitionLog() } }
                for group in s.groups.keys { s.groups[group]?.committed = [:] }
            }
            for group in Array(s.groups.keys) { Self.rebalance(group, &s) }
        }
    }

    /// The next `count` sends fail (as a delivery timeout would).
    public func failNextSends(_ count: Int) { locked { $0.failingSends = count } }

    /// The next fetch of `tp` hands out what it reads and then the records from `offset`
    /// on once more, in the same poll (as a consumer that fetched again after a lost response).
    public func redeliver(_ tp: TopicPartition, from offset: Int64) { locked { $0.redeliveries[tp] = offset } }

    // MARK: Groups

    /// Member ids of a group, in the order they joined.
    public func members(group: String) -> [String] { locked { $0.groups[group]?.members ?? [] } }

    /// A scripted rebalance: gives each member exactly these partitions (members not named
    /// get none); served by each member in its next poll. Joins and leaves recompute.
    public func reassign(group: String, _ targets: [String: Set<TopicPartition>]) {
        locked { s in
            s.groups[group]?.targets = targets
            s.groups[group]?.generation += 1
            s.groups[group]?.revoked = []
        }
    }

    /// Takes a member out of its group without its hooks, as a session timeout does to a
    /// process that died: its partitions go to the others; its own polls fail from now on.
    public func expel(_ member: String) {
        locked { s in
            guard let group = s.members[member]?.group else { return }
            s.members[member]?.expelled = true
            s.members[member]?.positions = [:]
            s.groups[group]?.members.removeAll { $0 == member }
            Self.rebalance(group, &s)
        }
    }

    /// The partitions a member holds now.
    public func assignment(of member: String) -> Set<TopicPartition> {
        locked { s in s.members[member].map { Set($0.positions.keys) } ?? [] }
    }

    public func committedOffsets(group: String) -> [TopicPartition: Int64] { locked { $0.groups[group]?.committed ?? [:] } }

    /// Offsets of `tp` handed to the group's consumers by polls, in order (a re-read shows twice).
    public func delivered(group: String, _ tp: TopicPartition) -> [Int64] { locked { $0.groups[group]?.delivered[tp] ?? [] } }

    /// Spreads the subscribed topics' partitions over the group's members (per topic,
    /// partition i to the i-th subscribed member, round robin) as a new generation.
    static func rebalance(_ group: String, _ s: inout State) {
        guard var g = s.groups[group] else { return }
        g.members = g.members.filter { s.members[$0] != nil }
        var targets: [String: Set<TopicPartition>] = [:]
        let topics = Set(g.members.flatMap { s.members[$0]?.topics ?? [] })
        for topic in topics.sorted() {
            let subscribers = g.members.filter { s.members[$0]?.topics.contains(topic) == true }
            for p in 0..<(s.logs[topic]?.count ?? 0) {
                targets[subscribers[p % subscribers.count], default: []].insert(TopicPartition(topic, Int32(p)))
            }
        }
        g.targets = targets
        g.generation += 1
        g.revoked = []
        s.groups[group] = g
    }
}

extension InMemoryKafka.State {
    func log(_ tp: TopicPartition) -> InMemoryKafka.PartitionLog? {
        guard let logs = logs[tp.topic], tp.partition >= 0, Int(tp.partition) < logs.count else { return nil }
        return logs[Int(tp.partition)]
    }

    func unreachable(_ operation: String) -> KafkaError {
        KafkaError(.brokerUnreachable, operation: operation, reason: "Local: All broker connections are down (in-memory outage)")
    }
}

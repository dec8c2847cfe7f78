import Foundation
import KafkaClient

/// A consumer of an `InMemoryKafka`. Polls run on the consumer's own thread, as
/// librdkafka's do, so a `beforeRevoke` hook may block there (waiting for a commit)
/// without starving the concurrency pool.
final class InMemoryConsumer: ConsumerClient, @unchecked Sendable {
    private let kafka: InMemoryKafka
    private let memberID: String
    private let hooks: RebalanceHooks
    private let thread = DispatchQueue(label: "tributary.in-memory-consumer")

    init(kafka: InMemoryKafka, memberID: String, hooks: RebalanceHooks) {
        self.kafka = kafka
        self.memberID = memberID
        self.hooks = hooks
    }

    deinit {
        let id = memberID
        kafka.locked { s in Self.leave(id, &s) }
    }

    var assignment: Set<TopicPartition> {
        kafka.locked { s in s.members[memberID].map { Set($0.positions.keys) } ?? [] }
    }

    func subscribe(_ topics: [String]) throws {
        try kafka.locked { s in
            guard var member = s.members[memberID] else { throw closed("subscribe") }
            guard let group = member.group else {
                throw KafkaError(.other, operation: "subscribe", reason: "a group id is needed to subscribe")
            }
            member.topics = topics
            s.members[memberID] = member
            if s.groups[group] == nil { s.groups[group] = InMemoryKafka.Group() }
            if s.groups[group]?.members.contains(memberID) == false { s.groups[group]?.members.append(memberID) }
            InMemoryKafka.rebalance(group, &s)
        }
    }

    func assign(_ partitions: [TopicPartition: Int64?]) throws {
        try kafka.locked { s in
            guard s.members[memberID] != nil else { throw closed("assign") }
            var positions: [TopicPartition: Int64] = [:]
            for (tp, offset) in partitions { positions[tp] = Self.start(tp, offset, group: s.members[memberID]?.group, s) }
            s.members[memberID]?.positions = positions
        }
    }

    func poll(maxMessages: Int, timeout: Duration) async throws -> PollResult {
        try await withCheckedThrowingContinuation { continuation in
            thread.async { continuation.resume(with: Result { try self.pollHere(maxMessages: max(1, maxMessages), timeout: timeout) }) }
        }
    }

    func seek(_ offsets: [TopicPartition: Int64]) async throws {
        try kafka.locked { s in
            guard var member = s.members[memberID] else { throw closed("seek") }
            for (tp, offset) in offsets {
                guard member.positions[tp] != nil else {
                    throw KafkaError(.other, operation: "seek \(tp) to \(offset)", reason: "Local: Erroneous state (not assigned)")
                }
                member.positions[tp] = Self.start(tp, offset, group: member.group, s)
            }
            s.members[memberID] = member
        }
    }

    func commit(_ offsets: [TopicPartition: Int64]) async throws {
        try kafka.locked { s in
            guard s.reachable else { throw s.unreachable("commit offsets") }
            guard let group = s.members[memberID]?.group else { throw closed("commit") }
            for (tp, offset) in offsets { s.groups[group]?.committed[tp] = offset }
        }
    }

    func cachedWatermarks(_ tp: TopicPartition) -> (low: Int64, high: Int64)? {
        kafka.locked { s in s.members[memberID]?.watermarks[tp].map { ($0.low, $0.high) } }
    }

    func close() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            thread.async {
                // Leaving serves the final revoke, as librdkafka's close does.
                let held = self.kafka.locked { s in s.members[self.memberID]?.positions.keys.sorted() ?? [] }
                if !held.isEmpty { self.hooks.beforeRevoke?(held) }
                self.kafka.locked { s in Self.leave(self.memberID, &s) }
                continuation.resume()
            }
        }
    }

    // MARK: On the consumer's thread

    private enum Step {
        /// Give up these partitions (the group moved to `generation`).
        case revoke(generation: Int, held: [TopicPartition])
        /// Every member gave its partitions up: take these.
        case assign(generation: Int, target: [TopicPartition])
        case messages(ConsumedBatch)
    }

    private func pollHere(maxMessages: Int, timeout: Duration) throws -> PollResult {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let step = try kafka.wait(until: deadline) { s -> Step? in
                guard let member = s.members[memberID], !member.expelled else { throw closed("poll") }
                guard s.reachable else { return nil }
                if let group = member.group, let g = s.groups[group], g.members.contains(memberID), g.generation != member.generation {
                    if member.revokedGeneration != g.generation {
                        return .revoke(generation: g.generation, held: member.positions.keys.sorted())
                    }
                    // Waiting for the other members to give their partitions up.
                    guard Set(g.members).isSubset(of: g.revoked) else { return nil }
                    return .assign(generation: g.generation, target: (g.targets[memberID] ?? []).sorted())
                }
                let batch = fetch(maxMessages, &s)
                return batch.isEmpty ? nil : .messages(batch)
            }
            switch step {
            case .revoke(let generation, let held):
                if !held.isEmpty { hooks.beforeRevoke?(held) }
                kafka.locked { s in
                    s.members[memberID]?.positions = [:]
                    s.members[memberID]?.revokedGeneration = generation
                    if let group = s.members[memberID]?.group, s.groups[group]?.generation == generation {
                        s.groups[group]?.revoked.insert(memberID)
                    }
                }
            case .assign(let generation, let target):
                var starts: [TopicPartition: Int64?] = [:]
                for tp in target { starts.updateValue(hooks.startOffset?(tp), forKey: tp) }
                kafka.locked { s in
                    guard var member = s.members[memberID], let group = member.group,
                          s.groups[group]?.generation == generation else { return }
                    for (tp, offset) in starts { member.positions[tp] = Self.start(tp, offset, group: group, s) }
                    member.watermarks = [:]
                    member.generation = generation
                    s.members[memberID] = member
                }
            case .messages(let batch):
                return PollResult(messages: batch)
            case nil:
                let reachable = kafka.locked { $0.reachable }
                return PollResult(errors: reachable ? [] : [kafka.locked { $0.unreachable("consume") }])
            }
        }
    }

    /// Takes up to `limit` messages from the assigned partitions, in partition order.
    private func fetch(_ limit: Int, _ s: inout InMemoryKafka.State) -> ConsumedBatch {
        guard var member = s.members[memberID] else { return ConsumedBatch() }
        var batch = ConsumedBatch()
        var taken = 0
        for tp in member.positions.keys.sorted() {
            guard let log = s.log(tp), var position = member.positions[tp] else { continue }
            member.watermarks[tp] = Watermarks(low: log.start, high: log.end)
            // Out of range (retention, a log that restarted shorter): auto.offset.reset=earliest.
            if position < log.start || position > log.end { position = log.start }
            var offsets: [Int64] = []
            while taken < limit, position < log.end {
                let m = log.messages[Int(position - log.start)]
                batch.append(topic: m.topic, partition: m.partition, offset: m.offset, key: m.key, value: m.value, headers: m.headers)
                offsets.append(m.offset)
                position += 1
                taken += 1
            }
            if let from = s.redeliveries.removeValue(forKey: tp), from >= log.start, from < position {
                for offset in from..<position where taken < limit {
                    let m = log.messages[Int(offset - log.start)]
                    batch.append(topic: m.topic, partition: m.partition, offset: m.offset, key: m.key, value: m.value, headers: m.headers)
                    offsets.append(m.offset)
                    taken += 1
                }
            }
            member.positions[tp] = position
            if let group = member.group, !offsets.isEmpty { s.groups[group]?.delivered[tp, default: []].append(contentsOf: offsets) }
        }
        s.members[memberID] = member
        return batch
    }

    /// Where reading starts: an offset, -2 the beginning, -1 the end, nil the group's
    /// committed offset or else the beginning (`auto.offset.reset=earliest`).
    private static func start(_ tp: TopicPartition, _ offset: Int64?, group: String?, _ s: InMemoryKafka.State) -> Int64 {
        let log = s.log(tp)
        switch offset {
        case .some(-2): return log?.start ?? 0
        case .some(-1): return log?.end ?? 0
        case .some(let o) where o >= 0: return o
        default: return group.flatMap { s.groups[$0]?.committed[tp] } ?? log?.start ?? 0
        }
    }

    private static func leave(_ id: String, _ s: inout InMemoryKafka.State) {
        guard let member = s.members.removeValue(forKey: id) else { return }
        if let group = member.group, s.groups[group]?.members.contains(id) == true {
            s.groups[group]?.members.removeAll { $0 == id }
            InMemoryKafka.rebalance(group, &s)
        }
    }

    private func closed(_ operation: String) -> KafkaError {
        KafkaError(.closed, operation: operation, reason: "Local: Broker handle destroyed (consumer closed)")
    }
}

import Foundation
import KafkaClient
import TributaryCore

/// Sends dead-lettered records back to their topic once they pass validation.
///
/// Two ways in:
/// - **from the DLQ**: each record of `{topic}.dlq` after the replay group's committed
///   offset is validated again with the topic's current rules (a rule was fixed, a bad
///   producer was fixed upstream); passing records are re-sent, failing ones are reported
///   and left in the DLQ. The group's offsets then move past what was examined, so a second
///   replay does not re-send (`fromBeginning` looks at everything again).
/// - **fixed records**: lines the user edited (for example `tributary dlq show --json`
///   output with corrected `value`s, or plain JSON records): each is validated and sent.
///
/// Re-sending is safe even twice: tables upsert by record key and the precombine field
/// keeps the newest version, so a replayed record never overwrites a newer one.
public struct DeadLetterReplay: Sendable {
    public struct Failure: Sendable, Equatable {
        /// Where the record came from: `topic.dlq[p]@offset` or `line N`.
        public var origin: String
        public var stage: String
        public var reason: String
    }

    public struct Outcome: Sendable {
        public var examined = 0
        public var sent = 0
        public var failures: [Failure] = []
    }

    /// Header on re-sent records naming the dead letter they came from.
    public static let replayedFromHeader = "replayed.from"

    public let schema: TopicSchema
    public let configuration: KafkaConfiguration
    public var dryRun = false

    public init(schema: TopicSchema, configuration: KafkaConfiguration, dryRun: Bool = false) {
        self.schema = schema
        self.configuration = configuration
        self.dryRun = dryRun
    }

    /// Validates `value` as the processor would; nil when it passes.
    public func rejection(of value: [UInt8]) -> Rejection? {
        var decoder = RecordDecoder(schema: schema, nowMicros: Int64(Date().timeIntervalSince1970 * 1_000_000))
        return value.withUnsafeBytes { decoder.append($0, partition: 0, offset: 0) }
    }

    /// Replays the DLQ from `group`'s committed offsets (or from the beginning).
    public func replayDeadLetters(group: String, fromBeginning: Bool, idleTimeout: Duration = .seconds(1)) async throws -> Outcome {
        let dlq = schema.deadLetterTopic
        let admin = try KafkaAdmin(configuration: configuration)
        guard let info = try await admin.metadata().topic(dlq), info.error == nil else {
            throw KafkaError(.unknownTopicOrPartition, operation: "replay \(dlq)", reason: "topic \(dlq) does not exist")
        }
        var ends: [TopicPartition: Int64] = [:]
        for p in info.partitions {
            let tp = TopicPartition(dlq, p.id)
            ends[tp] = try await admin.watermarks(tp).high
        }
        let consumer = try KafkaConsumer(configuration: configuration, groupID: group)
        defer { Task { [consumer] in try? await consumer.close() } }
        try consumer.assign(Dictionary(uniqueKeysWithValues: ends.keys.map { ($0, fromBeginning ? Int64?(0) : nil) }))
        let producer = try KafkaProducer(configuration: configuration)
        var outcome = Outcome()
        var next: [TopicPartition: Int64] = [:]
        var done = Set<TopicPartition>(ends.filter { $0.value == 0 }.keys)
        let idleLimit = ContinuousClock.now
        var lastMessage = idleLimit
        while done.count < ends.count, ContinuousClock.now - lastMessage < idleTimeout {
            let result = try await consumer.poll(maxMessages: 1000, timeout: .milliseconds(200))
            for m in result.messages {
                lastMessage = .now
                let tp = m.topicPartition
                next[tp] = m.offset + 1
                if let end = ends[tp], m.offset + 1 >= end { done.insert(tp) }
                guard m.offset < (ends[tp] ?? 0) else { continue }  // arrived after we started
                outcome.examined += 1
                let value = Array(m.value)
                let origin = "\(dlq)[\(m.partition)]@\(m.offset)"
                if let r = rejection(of: value) {
                    outcome.failures.append(Failure(origin: origin, stage: r.stage.rawValue, reason: r.reason))
                    continue
                }
                if !dryRun {
                    try await producer.enqueue(topic: schema.topic, key: m.key.map(Array.init), value: value,
                                               headers: [KafkaHeader(Self.replayedFromHeader, origin)])
                }
                outcome.sent += 1
            }
        }
        if !dryRun {
            try await producer.flush(timeout: .seconds(60))
            // Only after the re-sent records are acknowledged: a crash before this line
            // replays them again next time, which the tables absorb (upsert by key).
            if !next.isEmpty { try await consumer.commit(next) }
        }
        return outcome
    }

    /// Validates and sends fixed records: each line is a JSON record, or an object with a
    /// `value` (string or object) as `tributary dlq show --json` prints.
    public func replayFixed(lines: [[UInt8]]) async throws -> Outcome {
        let producer = try KafkaProducer(configuration: configuration)
        var outcome = Outcome()
        for (index, line) in lines.enumerated() where !line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) {
            outcome.examined += 1
            let origin = "line \(index + 1)"
            let (value, source) = Self.recordValue(of: line)
            if let r = rejection(of: value) {
                outcome.failures.append(Failure(origin: origin, stage: r.stage.rawValue, reason: r.reason))
                continue
            }
            let key = (try? JSONValue.parse(bytes: value))?[schema.recordKey].map { Array($0.plainText.utf8) }
            if !dryRun {
                try await producer.enqueue(topic: schema.topic, key: key, value: value,
                                           headers: [KafkaHeader(Self.replayedFromHeader, source ?? origin)])
            }
            outcome.sent += 1
        }
        if !dryRun { try await producer.flush(timeout: .seconds(60)) }
        return outcome
    }

    /// The record inside a line: the `value` of a `dlq show --json` object (text or
    /// object), else the line itself; plus the dead letter it came from, when named.
    static func recordValue(of line: [UInt8]) -> (value: [UInt8], source: String?) {
        guard let object = try? JSONValue.parse(bytes: line), let value = object["value"],
              object["stage"] != nil || object["dlq"] != nil else {
            return (line, nil)
        }
        let source = object["dlq"]?.string
        switch value {
        case .string(let text): return (Array(text.utf8), source)
        case .object, .array: return (Array(value.json.utf8), source)
        default: return (line, source)
        }
    }
}

import Foundation
import KafkaClient
import Pipeline

/// A partition with its watermarks.
public struct PartitionSummary: Sendable, Codable, Equatable {
    public var partition: Int32
    public var leader: Int32
    public var low: Int64
    public var high: Int64
    /// Messages currently retained (high − low).
    public var messages: Int64 { max(0, high - low) }

    enum CodingKeys: String, CodingKey { case partition, leader, low, high, messages }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(partition, forKey: .partition)
        try c.encode(leader, forKey: .leader)
        try c.encode(low, forKey: .low)
        try c.encode(high, forKey: .high)
        try c.encode(messages, forKey: .messages)
    }
    public init(partition: Int32, leader: Int32, low: Int64, high: Int64) {
        self.partition = partition; self.leader = leader; self.low = low; self.high = high
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(partition: try c.decode(Int32.self, forKey: .partition), leader: try c.decode(Int32.self, forKey: .leader),
                  low: try c.decode(Int64.self, forKey: .low), high: try c.decode(Int64.self, forKey: .high))
    }
}

/// A topic for the Kafka UI.
public struct TopicSummary: Sendable, Codable, Equatable {
    public var name: String
    /// True for `{topic}.dlq`.
    public var deadLetter: Bool
    public var partitions: [PartitionSummary]
    public var messages: Int64
    public var error: String?
    /// `retention.ms` as the broker reports it (nil in lists of many topics).
    public var retention: TopicRetention?
    /// Messages per second from watermark deltas since the previous look (nil at first).
    public var messagesPerSecond: Double?
}

/// One message for the browser.
public struct BrowsedMessage: Sendable, Codable, Equatable {
    public struct Header: Sendable, Codable, Equatable {
        public var name: String
        public var value: String?
    }
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// Broker or producer timestamp, epoch milliseconds.
    public var timestamp: Int64
    public var key: String?
    /// The value as text (pretty-printed when it is JSON).
    public var value: String
    public var isJSON: Bool
    public var headers: [Header]
    /// `error.stage` / `error.reason` of dead-lettered messages.
    public var errorStage: String?
    public var errorReason: String?
}

/// A consumer group with its lag per partition.
public struct GroupSummary: Sendable, Codable, Equatable {
    public struct Lag: Sendable, Codable, Equatable {
        public var topic: String
        public var partition: Int32
        public var committed: Int64?
        public var high: Int64
        public var lag: Int64
    }
    public var name: String
    public var state: String
    public var members: Int
    public var totalLag: Int64
    public var partitions: [Lag]
}

/// What to browse.
public struct BrowseQuery: Sendable, Equatable {
    public var topic: String
    /// nil: every partition.
    public var partition: Int32?
    /// First offset to read; nil: the newest `limit` messages of each partition.
    public var offset: Int64?
    /// Only messages whose key contains this text.
    public var keyContains: String?
    public var limit: Int = 50
    /// Start at the first message at or after this time (epoch milliseconds), found with
    /// offsets-for-times; `offset` wins when both are given.
    public var fromTime: Int64?
}

/// Reads cluster state and messages for the Kafka UI through `KafkaAdmin` and a
/// short-lived, group-less consumer (browsing never joins or disturbs a group).
public struct KafkaBrowser: Sendable {
    public let admin: KafkaAdmin
    public let configuration: KafkaConfiguration
    /// How long one browse may poll before answering with what it has.
    public var browseTimeout: Duration = .seconds(5)
    /// Messages a key search scans at most.
    public var maxScanned = 20_000
    /// Topic lists with more topics than this leave retention out (one request per topic).
    public var maxRetentionLookups = 60
    let rates = TopicRates()

    public init(admin: KafkaAdmin, configuration: KafkaConfiguration) {
        self.admin = admin
        self.configuration = configuration
    }

    public func topics() async throws -> [TopicSummary] {
        let metadata = try await admin.metadata()
        let listed = metadata.topics.sorted(by: { $0.name < $1.name }).filter { !$0.name.hasPrefix("__") }
        var result: [TopicSummary] = []
        var describeWorks = listed.count <= maxRetentionLookups
        for topic in listed {
            var summary = await summarize(topic)
            if describeWorks {
                summary.retention = await retention(topic.name)
                // A broker without DescribeConfigs answers every topic the same way.
                if summary.retention?.reported == false { describeWorks = false }
            }
            result.append(summary)
        }
        return result
    }

    /// One topic with its retention; nil when there is no such topic.
    public func topic(_ name: String) async throws -> TopicSummary? {
        guard let info = try await admin.metadata().topic(name) else { return nil }
        var summary = await summarize(info)
        summary.retention = await retention(name)
        return summary
    }

    private func summarize(_ topic: TopicInfo) async -> TopicSummary {
        var partitions: [PartitionSummary] = []
        for p in topic.partitions.sorted(by: { $0.id < $1.id }) {
            let marks = try? await admin.watermarks(TopicPartition(topic.name, p.id))
            partitions.append(PartitionSummary(partition: p.id, leader: p.leader, low: marks?.low ?? 0, high: marks?.high ?? 0))
        }
        return TopicSummary(name: topic.name, deadLetter: topic.name.hasSuffix(".dlq"), partitions: partitions,
                            messages: partitions.reduce(0) { $0 + $1.messages }, error: topic.error,
                            messagesPerSecond: rates.rate(topic.name, total: partitions.reduce(0) { $0 + $1.high }))
    }

    /// The topic's retention, or "unknown" when the broker does not answer DescribeConfigs.
    public func retention(_ topic: String) async -> TopicRetention {
        do {
            return TopicRetention.from(try await admin.describeTopicConfig(topic))
        } catch {
            return .unknown
        }
    }

    /// Messages of a topic, oldest first within each partition.
    public func browse(_ query: BrowseQuery) async throws -> [BrowsedMessage] {
        guard let topic = try await topic(query.topic) else { return [] }
        let limit = max(1, min(query.limit, 500))
        let chosen = topic.partitions.filter { query.partition == nil || $0.partition == query.partition }
        var starts: [TopicPartition: Int64?] = [:]
        var ends: [TopicPartition: Int64] = [:]
        // A start time: each partition's first offset at or after it (none: nothing to read).
        var timed: [TopicPartition: Int64?] = [:]
        if query.offset == nil, let time = query.fromTime {
            timed = try await admin.offsetsForTimes(chosen.map { TopicPartition(query.topic, $0.partition) }, timestamp: time)
        }
        for p in chosen where p.high > p.low {
            let tp = TopicPartition(query.topic, p.partition)
            let start: Int64
            if let offset = query.offset { start = max(p.low, offset) }
            else if query.fromTime != nil {
                guard let found = timed[tp], let offset = found else { continue }
                start = max(p.low, offset)
            }
            else if query.keyContains != nil { start = p.low }
            else { start = max(p.low, p.high - Int64(limit)) }
            starts[tp] = start
            ends[tp] = p.high
        }
        if starts.isEmpty { return [] }
        let consumer = try KafkaConsumer(configuration: configuration)
        try consumer.assign(starts)
        var found: [BrowsedMessage] = []
        var scanned = 0
        // Position before the first wanted message: a start at or past the end is "done".
        var lastSeen = starts.compactMapValues { $0.map { $0 - 1 } }
        let deadline = ContinuousClock.now + browseTimeout
        // "Newest" reads each partition to its end and keeps the last `limit`; a start
        // offset or a key search stops after `limit` matches.
        let newest = query.offset == nil && query.keyContains == nil && query.fromTime == nil
        while (newest || found.count < limit) && scanned < maxScanned && ContinuousClock.now < deadline {
            let result = try await consumer.poll(maxMessages: 500, timeout: .milliseconds(200))
            if result.messages.isEmpty {
                // Watermarks never overstate what exists, so until every partition reached
                // its end there is more to read (a slow first fetch is not the end).
                if ends.allSatisfy({ tp, end in (lastSeen[tp] ?? -1) + 1 >= end }) { break }
                continue
            }
            // Fetch responses carry the true high watermark (Tansu answers ListOffsets
            // LATEST wrongly, see tools.md): read on to it.
            for tp in ends.keys {
                if let cached = consumer.cachedWatermarks(tp), let end = ends[tp], cached.high > end { ends[tp] = cached.high }
            }
            for message in result.messages {
                scanned += 1
                lastSeen[message.topicPartition] = message.offset
                if let search = query.keyContains, !search.isEmpty {
                    guard let key = message.keyString, key.localizedCaseInsensitiveContains(search) else { continue }
                }
                // Brokers may answer a time after the last message with an earlier offset
                // (Tansu: 0): keep only messages at or after the time.
                if query.offset == nil, let time = query.fromTime, message.timestamp < time { continue }
                found.append(Self.browsed(message))
            }
            if ends.allSatisfy({ tp, end in (lastSeen[tp] ?? -1) + 1 >= end }) { break }
        }
        found.sort { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
        if newest {
            return Dictionary(grouping: found, by: \.partition).sorted { $0.key < $1.key }.flatMap { $0.value.suffix(limit) }
        }
        return Array(found.prefix(limit))
    }

    static func browsed(_ message: ConsumedMessage) -> BrowsedMessage {
        let (text, isJSON) = JSONText.pretty(message.value)
        return BrowsedMessage(
            topic: message.topic, partition: message.partition, offset: message.offset, timestamp: message.timestamp,
            key: message.keyString, value: text, isJSON: isJSON,
            headers: message.headers.map { BrowsedMessage.Header(name: $0.name, value: $0.stringValue) },
            errorStage: message.header(DeadLetterHeader.stage), errorReason: message.header(DeadLetterHeader.reason))
    }

    public func groups() async throws -> [GroupSummary] {
        var result: [GroupSummary] = []
        for group in try await admin.listGroups() {
            let lags = (try? await admin.lag(group: group.name)) ?? []
            let rows = lags.map {
                GroupSummary.Lag(topic: $0.topicPartition.topic, partition: $0.topicPartition.partition,
                                 committed: $0.committed, high: $0.watermarks.high, lag: $0.lag)
            }
            result.append(GroupSummary(name: group.name, state: group.state, members: group.members,
                                       totalLag: rows.reduce(0) { $0 + $1.lag }, partitions: rows))
        }
        return result
    }
}

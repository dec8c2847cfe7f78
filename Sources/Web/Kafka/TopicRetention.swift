import KafkaClient

/// A topic's retention as the broker reports it (`retention.ms` of DescribeConfigs).
public struct TopicRetention: Sendable, Codable, Equatable {
    /// Milliseconds; nil when unknown, -1 for "forever".
    public var ms: Int64?
    /// For people: `7 days`, `forever`, `broker default (not reported)`, `unknown (…)`.
    public var text: String
    /// True when the broker answered DescribeConfigs.
    public var reported: Bool

    public init(ms: Int64?, text: String, reported: Bool) {
        self.ms = ms
        self.text = text
        self.reported = reported
    }

    /// From the broker's configuration entries of the topic.
    static func from(_ entries: [String: TopicConfigEntry]) -> TopicRetention {
        guard let value = entries["retention.ms"]?.value, let ms = Int64(value) else {
            // Brokers such as Tansu report only a topic's overrides.
            return TopicRetention(ms: nil, text: "broker default (not reported)", reported: true)
        }
        return TopicRetention(ms: ms, text: duration(ms), reported: true)
    }

    static let unknown = TopicRetention(ms: nil, text: "unknown (broker does not report)", reported: false)

    /// `604800000` → `7 days`.
    static func duration(_ ms: Int64) -> String {
        if ms < 0 { return "forever" }
        let units: [(Int64, String)] = [(86_400_000, "day"), (3_600_000, "hour"), (60_000, "minute"), (1000, "second")]
        for (size, name) in units where ms >= size && ms % size == 0 {
            let n = ms / size
            return "\(n) \(name)\(n == 1 ? "" : "s")"
        }
        if ms >= 3_600_000 { return String(format: "%.1f hours", Double(ms) / 3_600_000) }
        return "\(ms) ms"
    }
}

import ArgumentParser
import Pipeline

/// The five topics Tributary ingests, each with a dead-letter topic `{topic}.dlq`.
enum StandardTopics {
    /// Topic name → record key field (see shared/design/topics.md).
    static let recordKeys: [(topic: String, key: String)] = [
        ("user_events", "event_id"),
        ("transactions", "transaction_id"),
        ("sensor_data", "reading_id"),
        ("log_events", "log_id"),
        ("bulk_upload", "record_id"),
    ]

    static var names: [String] { recordKeys.map(\.topic) }
    static var namesWithDeadLetters: [String] { names.flatMap { [$0, "\($0).dlq"] } }

    static func recordKey(of topic: String) -> String? {
        recordKeys.first { $0.topic == topic }?.key
    }
}

extension TopicSchema {
    /// The schema of a topic named on the command line, or a usage error listing the five.
    static func chosen(_ name: String) throws -> TopicSchema {
        guard let schema = named(name) else {
            throw ValidationError("unknown topic '\(name)'; one of \(all.map(\.topic).joined(separator: ", "))")
        }
        return schema
    }

    /// The schemas of `--topic` options: all five when none is given.
    static func chosen(_ names: [String]) throws -> [TopicSchema] {
        try names.isEmpty ? all : names.map { try chosen($0) }
    }
}

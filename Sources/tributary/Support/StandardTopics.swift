import ArgumentParser
import Pipeline
import TributaryConfig

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
    /// The stream named on the command line (by stream name or topic), or a usage error listing them.
    static func chosen(from streams: [TopicSchema], _ name: String) throws -> TopicSchema {
        guard let schema = streams.first(where: { $0.name == name || $0.topic == name }) else {
            throw ValidationError("unknown stream '\(name)'; one of \(streams.map(\.name).joined(separator: ", "))")
        }
        return schema
    }

    /// The streams of `--topic` options: all configured streams when none is given.
    static func chosen(_ names: [String], from streams: [TopicSchema]) throws -> [TopicSchema] {
        try names.isEmpty ? streams : names.map { try chosen(from: streams, $0) }
    }
}

extension TributaryConfig {
    /// The configured streams (`[streams.*]`), or the five seed streams when none is declared.
    func streams() throws -> [TopicSchema] {
        do { return try StreamCatalog.load(configFile: file) } catch let error as SchemaRefusal {
            throw ValidationError("\(error)")
        } catch let error as StreamDefinitionError {
            throw ValidationError("\(error)")
        }
    }
}

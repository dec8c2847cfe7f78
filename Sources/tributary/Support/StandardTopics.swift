import ArgumentParser
import Pipeline
import TributaryConfig

/// The Kafka topics of the configured streams, each with a dead-letter topic `{topic}.dlq`.
enum StreamTopics {
    static func names(_ streams: [TopicSchema]) -> [String] { streams.map(\.topic) }
    static func namesWithDeadLetters(_ streams: [TopicSchema]) -> [String] { streams.flatMap { [$0.topic, $0.deadLetterTopic] } }
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

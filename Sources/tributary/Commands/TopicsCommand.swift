import ArgumentParser
import Foundation
import KafkaClient
import TributaryConfig

struct TopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics", abstract: "Create and list Kafka topics.",
        subcommands: [Setup.self, List.self])

    struct Setup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create the configured streams' topics and their .dlq topics (idempotent).")
        @OptionGroup var kafka: KafkaOptions
        @Option(help: "Partitions per topic (default: kafka.partitions, 1).") var partitions: Int32?
        @Option(help: "Replication factor (default: kafka.replication, 1).") var replication: Int32?
        @Option(help: "Retention, e.g. 7d, 12h, 30m (default: kafka.retention, 7d).") var retention: String?

        func run() async throws {
            let config = try kafka.loadConfig()
            let admin = try KafkaAdmin(configuration: try kafka.configuration(config))
            let names = StreamTopics.namesWithDeadLetters(try config.streams())
            let outcome = try await TopicSetup.ensure(
                admin: admin, topics: names, partitions: partitions ?? Int32(config.int("kafka.partitions")),
                replication: replication ?? Int32(config.int("kafka.replication")),
                retention: retention ?? config.string("kafka.retention"))
            for name in names {
                print("\(name)\t\(outcome[name] == .created ? "created" : "exists")")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List topics with partitions and watermarks.")
        @OptionGroup var kafka: KafkaOptions
        @Flag(help: "Include internal topics (names starting with __).") var all = false

        func run() async throws {
            let admin = try KafkaAdmin(configuration: try kafka.configuration())
            let md = try await admin.metadata()
            print(["TOPIC", "PARTITIONS", "MESSAGES", "WATERMARKS (partition:low-high)"].joined(separator: "\t"))
            for topic in md.topics where all || !topic.name.hasPrefix("__") {
                var marks: [String] = []
                var total: Int64 = 0
                for p in topic.partitions {
                    let w = try await admin.watermarks(TopicPartition(topic.name, p.id))
                    marks.append("\(p.id):\(w.low)-\(w.high)")
                    total += max(0, w.high - w.low)
                }
                print([topic.name, "\(topic.partitions.count)", "\(total)", marks.joined(separator: " ")].joined(separator: "\t"))
            }
        }
    }
}

enum TopicSetup {
    /// Retention text (`7d`, `12h`, ...) in milliseconds.
    static func milliseconds(_ text: String) throws -> Int64 {
        let duration = try TributaryConfig.parseDuration(text)
        let (seconds, attos) = duration.components
        let ms = seconds * 1000 + attos / 1_000_000_000_000_000
        guard ms > 0 else { throw ValidationError("retention '\(text)' must be positive") }
        return ms
    }

    static func ensure(admin: KafkaAdmin, topics: [String], partitions: Int32, replication: Int32, retention: String) async throws -> [String: TopicCreation] {
        try requireAtLeastOne(partitions, option: "--partitions")
        try requireAtLeastOne(replication, option: "--replication")
        let retentionMs = try milliseconds(retention)
        let specs = topics.map {
            TopicSpec(name: $0, partitions: partitions, replicationFactor: replication,
                      configs: ["retention.ms": String(retentionMs),
                               "max.message.bytes": String(KafkaConfiguration.maxMessageBytes)])
        }
        return try await admin.createTopics(specs)
    }
}

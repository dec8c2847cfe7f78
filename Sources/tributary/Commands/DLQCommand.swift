import ArgumentParser
import Foundation
import KafkaClient
import Pipeline

struct DLQCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq", abstract: "Inspect the dead-letter topics ({topic}.dlq).",
        subcommands: [Show.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List rejected records of a topic: where they came from, the stage and the reason, and the original value.")
        @OptionGroup var kafka: KafkaOptions
        @Argument(help: "The source topic (its .dlq topic is read).") var topic: String
        @Option(help: "Show at most N records.") var max: Int = 100
        @Flag(help: "One JSON object per record instead of text.") var json = false

        func run() async throws {
            let config = try kafka.configuration()
            let dlq = topic.hasSuffix(".dlq") ? topic : "\(topic).dlq"
            let admin = try KafkaAdmin(configuration: config)
            guard let info = try await admin.metadata().topic(dlq), info.error == nil else {
                throw ValidationError("topic '\(dlq)' does not exist")
            }
            let consumer = try KafkaConsumer(configuration: config)
            try consumer.assign(Dictionary(uniqueKeysWithValues: info.partitions.map { (TopicPartition(dlq, $0.id), Int64?(0)) }))
            var shown = 0, idle = 0
            while shown < max && idle < 5 {
                let result = try await consumer.poll(maxMessages: Swift.min(1000, max - shown), timeout: .milliseconds(200))
                if result.messages.isEmpty { idle += 1; continue }
                idle = 0
                for m in result.messages where shown < max {
                    shown += 1
                    let value = String(decoding: m.value, as: UTF8.self)
                    let source = "\(m.header(DeadLetterHeader.sourceTopic) ?? "?")[\(m.header(DeadLetterHeader.sourcePartition) ?? "?")]@\(m.header(DeadLetterHeader.sourceOffset) ?? "?")"
                    if json {
                        let object: [String: Any] = [
                            "source": source, "stage": m.header(DeadLetterHeader.stage) ?? "",
                            "reason": m.header(DeadLetterHeader.reason) ?? "", "key": m.keyString ?? NSNull(), "value": value,
                        ]
                        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                        print(String(decoding: data, as: UTF8.self))
                    } else {
                        print("\(source)  \(m.header(DeadLetterHeader.stage) ?? "?"): \(m.header(DeadLetterHeader.reason) ?? "?")\n    \(value.prefix(300))")
                    }
                }
            }
            if shown == 0 { FileHandle.standardError.write(Data("no dead letters in \(dlq)\n".utf8)) }
        }
    }
}

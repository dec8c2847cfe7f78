import ArgumentParser
import Foundation
import KafkaClient
import Pipeline
import TributaryCore

struct DLQCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq", abstract: "Inspect the dead-letter topics ({topic}.dlq) and send fixed records back.",
        discussion: """
            A dead letter is the rejected record's original key and value, with headers that name the \
            stage that rejected it (\(DeadLetterHeader.stage)), the reason (\(DeadLetterHeader.reason)) and \
            where it was read (\(DeadLetterHeader.sourceTopic), \(DeadLetterHeader.sourcePartition), \(DeadLetterHeader.sourceOffset)).
            """,
        subcommands: [Show.self, Replay.self])

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
                        let letter = JSONValue.object([
                            ("dlq", .string("\(dlq)[\(m.partition)]@\(m.offset)")), ("key", m.keyString.map(JSONValue.string) ?? .null),
                            ("reason", .string(m.header(DeadLetterHeader.reason) ?? "")), ("source", .string(source)),
                            ("stage", .string(m.header(DeadLetterHeader.stage) ?? "")), ("value", .string(value)),
                        ])
                        print(letter.json)
                    } else {
                        print("\(source)  \(m.header(DeadLetterHeader.stage) ?? "?"): \(m.header(DeadLetterHeader.reason) ?? "?")\n    \(value.prefix(300))")
                    }
                }
            }
            if shown == 0 { FileHandle.standardError.write(Data("no dead letters in \(dlq)\n".utf8)) }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send dead-lettered records back to their topic once they pass validation.",
            discussion: """
                Without --file: reads TOPIC.dlq from where the last replay stopped (consumer group \
                --group), validates each original record with the topic's current rules, and sends \
                the ones that pass back to TOPIC; the others are listed with their reason and stay \
                in the DLQ. With --file: sends fixed records from a file — JSON lines, either plain \
                records or the objects `tributary dlq show TOPIC --json` prints with a corrected \
                "value". Records that still fail are listed and not sent (exit status 1). \
                Replaying twice is harmless: tables upsert by record key and keep the newest version.
                """)
        @OptionGroup var kafka: KafkaOptions
        @Argument(help: "The source topic (user_events, transactions, sensor_data, log_events, bulk_upload).") var topic: String
        @Option(help: "Fixed records to send (JSON lines) instead of re-validating the DLQ.") var file: String?
        @Option(help: "Consumer group remembering how far the DLQ was replayed.") var group = "tributary-dlq-replay"
        @Flag(help: "Look at every dead letter again, not only those after the last replay.") var fromBeginning = false
        @Flag(help: "Validate and report, send nothing.") var dryRun = false

        func run() async throws {
            let schema = try TopicSchema.chosen(from: try kafka.loadConfig().streams(), topic.hasSuffix(".dlq") ? String(topic.dropLast(4)) : topic)
            let replay = DeadLetterReplay(schema: schema, configuration: try kafka.configuration(), dryRun: dryRun)
            let outcome: DeadLetterReplay.Outcome
            if let file {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw ValidationError("cannot read \(file)")
                }
                outcome = try await replay.replayFixed(lines: data.split(separator: 10, omittingEmptySubsequences: false).map(Array.init))
            } else {
                outcome = try await replay.replayDeadLetters(group: group, fromBeginning: fromBeginning)
            }
            for f in outcome.failures {
                FileHandle.standardError.write(Data("\(f.origin): still invalid (\(f.stage)): \(f.reason)\n".utf8))
            }
            let verb = dryRun ? "would send" : "sent"
            print("examined \(outcome.examined), \(verb) \(outcome.sent) to \(schema.topic), \(outcome.failures.count) still invalid")
            if !outcome.failures.isEmpty && file != nil { throw ExitCode(1) }
        }
    }
}

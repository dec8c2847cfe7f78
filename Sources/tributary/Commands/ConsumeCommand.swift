import ArgumentParser
import Foundation
import KafkaClient
import TributaryCore

struct ConsumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Print messages of a topic, one per line.")
    @OptionGroup var kafka: KafkaOptions
    @Argument(help: "The topic to read.") var topic: String
    @Option(help: "Consume as this consumer group (commits what it printed).") var group: String?
    @Flag(help: "Start at the beginning of the topic (without a group: else only new messages).") var fromBeginning = false
    @Option(help: "Stop after this many messages.") var max: Int?
    @Option(help: "Stop after this many seconds without a message.") var idleExit: Double?
    @Flag(help: "Print an envelope per message: topic, partition, offset, key, headers, value.") var envelope = false

    func run() async throws {
        var config = try kafka.configuration()
        config["auto.offset.reset"] = fromBeginning ? "earliest" : "latest"
        let consumer = try KafkaConsumer(configuration: config, groupID: group)
        if group != nil {
            try consumer.subscribe([topic])
        } else {
            let admin = try KafkaAdmin(configuration: try kafka.configuration())
            guard let info = try await admin.metadata().topic(topic), info.error == nil else {
                throw ValidationError("topic '\(topic)' does not exist")
            }
            let start = fromBeginning ? Int64(-2) : Int64(-1)  // librdkafka's logical BEGINNING / END
            try consumer.assign(Dictionary(uniqueKeysWithValues: info.partitions.map { (TopicPartition(topic, $0.id), Int64?(start)) }))
        }
        var printed = 0
        var lastMessage = ContinuousClock.now
        let limit = max ?? Int.max
        while printed < limit {
            let result = try await consumer.poll(maxMessages: Swift.min(1000, limit - printed), timeout: .milliseconds(200))
            for error in result.errors { FileHandle.standardError.write(Data("\(error)\n".utf8)) }
            var out = ""
            for m in result.messages {
                out += envelope ? Self.envelope(m) : String(decoding: m.value, as: UTF8.self)
                out += "\n"
            }
            if !out.isEmpty { FileHandle.standardOutput.write(Data(out.utf8)) }
            printed += result.messages.count
            if group != nil, !result.messages.isEmpty {
                try await consumer.commit(result.messages.nextOffsets)
            }
            if !result.messages.isEmpty { lastMessage = .now }
            if let idleExit, ContinuousClock.now - lastMessage > .milliseconds(Int64(idleExit * 1000)) { break }
        }
        if group != nil { try await consumer.close() }
    }

    static func envelope(_ m: ConsumedMessage) -> String {
        var headers: [(String, JSONValue)] = []
        for h in m.headers where !headers.contains(where: { $0.0 == h.name }) { headers.append((h.name, .string(h.stringValue ?? ""))) }
        let value = (try? JSONValue.parse(bytes: Array(m.value))) ?? .string(String(decoding: m.value, as: UTF8.self))
        let envelope = JSONValue.object([
            ("headers", .object(headers)), ("key", m.keyString.map(JSONValue.string) ?? .null), ("offset", .int(m.offset)),
            ("partition", .int(Int64(m.partition))), ("timestamp", .int(m.timestamp)), ("topic", .string(m.topic)), ("value", value),
        ])
        return envelope.sortingKeys().json
    }
}

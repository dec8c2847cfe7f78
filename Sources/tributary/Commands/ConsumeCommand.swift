import ArgumentParser
import Foundation
import KafkaClient

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
        var object: [String: Any] = ["topic": m.topic, "partition": m.partition, "offset": m.offset, "timestamp": m.timestamp]
        object["key"] = m.keyString ?? NSNull()
        let value = Data(m.value)
        object["value"] = (try? JSONSerialization.jsonObject(with: value)) ?? String(decoding: value, as: UTF8.self)
        object["headers"] = Dictionary(m.headers.map { ($0.name, $0.stringValue ?? "") }) { a, _ in a }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

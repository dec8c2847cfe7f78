import ArgumentParser
import Foundation
import KafkaClient
import Pipeline
import Web

struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Produce records of the configured streams (realistic for the seeds, schema-driven for others, Debezium change events for format = \"debezium\"; with updates, deletes, late and invalid ones) at a steady rate.")
    @OptionGroup var kafka: KafkaOptions
    @Option(name: [.customLong("stream"), .customLong("topic")],
            help: "A stream (or its topic) to generate for (repeatable; default: every configured stream).") var topics: [String] = []
    @Option(help: "Records per second, over all topics.") var rate: Double = 100
    @Option(help: "How long to run, e.g. 30s, 5m (default: until Ctrl-C).") var duration: String?
    @Option(help: "Stop after this many records.") var count: Int?
    @Option(help: "Share of updates of earlier keys.") var updateRatio: Double = 0.1
    @Option(help: "Share of deletes of earlier keys.") var deleteRatio: Double = 0.02
    @Option(help: "Share of late updates (older timestamps, which must lose).") var lateRatio: Double = 0.02
    @Option(help: "Share of deliberately invalid records (they go to the .dlq topics).") var invalidRatio: Double = 0.01
    @Option(help: "Random seed (same seed, same records).") var seed: UInt64 = 42
    @Flag(help: "Debezium streams: write each change event (and key) with Kafka Connect's schema beside the payload, as the JSON converter does with schemas.enable=true.")
    var schemaEnvelope = false

    func validate() throws {
        if let problem = GeneratorSettings.mixProblem([("--update-ratio", updateRatio), ("--delete-ratio", deleteRatio),
                                                        ("--late-ratio", lateRatio), ("--invalid-ratio", invalidRatio)]) {
            throw ValidationError(problem)
        }
        guard rate > 0 else { throw ValidationError("--rate must be positive") }
        _ = try TopicSchema.chosen(topics, from: try kafka.loadConfig().streams())
    }

    func run() async throws {
        let producer = try KafkaProducer(configuration: try kafka.configuration())
        let mix = RecordGenerator.Mix(updateRatio: updateRatio, deleteRatio: deleteRatio, lateRatio: lateRatio, invalidRatio: invalidRatio)
        let schemas = try TopicSchema.chosen(topics, from: try kafka.loadConfig().streams())
        var generators = schemas.map { RecordGenerator(schema: $0, mix: mix, seed: seed, schemaEnvelope: schemaEnvelope) }
        let limit = try duration.map { try TopicSetup.milliseconds($0) }
        let start = ContinuousClock.now
        var sent = 0
        let total = count ?? Int.max
        while sent < total {
            let elapsed = ContinuousClock.now - start
            if let limit, elapsed >= .milliseconds(limit) { break }
            // Send what the rate allows by now, then sleep a tick.
            let due = min(total, Int(Double(elapsed.components.seconds) * rate + Double(elapsed.components.attoseconds) / 1e18 * rate) + 1)
            while sent < due {
                let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
                let record = generators[sent % generators.count].next(nowMicros: now)
                try await producer.enqueue(topic: record.topic, key: Array(record.key.utf8), value: record.value)
                sent += 1
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        try await producer.flush(timeout: .seconds(60))
        FileHandle.standardError.write(Data("generated \(sent) record(s) over \(schemas.map(\.topic).joined(separator: ", "))\n".utf8))
    }
}

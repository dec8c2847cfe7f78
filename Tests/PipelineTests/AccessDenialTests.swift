import Foundation
import Hudi
import KafkaClient
import Logging
import ObjectStore
import Synchronization
import Testing
@testable import Pipeline

/// Kafka ACLs (issue 20 item 5), on librdkafka's mock cluster answering "topic authorization
/// failed" as a broker enforcing ACLs does: a processor refused one source topic, and the
/// dead-letter topic of another, logs one clear error for each and keeps the other topics
/// flowing; once the permission is granted, the waiting records land, none skipped.
@Suite(.serialized) struct AccessDenialTests {
    /// Log lines kept for the test to read.
    final class LogLines: Sendable {
        let lines = Mutex<[(Logger.Level, String)]>([])
        func errors(containing text: String) -> Int {
            lines.withLock { $0.filter { $0.0 >= .error && $0.1.contains(text) }.count }
        }
    }

    struct Capture: LogHandler {
        let sink: LogLines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { sink.lines.withLock { $0.append((event.level, "\(event.message)")) } }
    }

    @Test func refusedTopicsAreLoggedOnceAndTheOthersFlow() async throws {
        let cluster = try MockCluster()
        let schemas: [TopicSchema] = [.seed("user_events")!, .seed("sensor_data")!, .seed("log_events")!]
        for schema in schemas {
            try cluster.createTopic(schema.topic, partitions: 1)
            try cluster.createTopic(schema.deadLetterTopic, partitions: 1)
        }
        // Metadata is looked at again every second, so a granted permission is seen quickly;
        // the group rebalances (a topic appears) within a short session timeout.
        let kafka = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers, properties: [
            "topic.metadata.refresh.interval.ms": "1000", "session.timeout.ms": "3000", "heartbeat.interval.ms": "300",
        ])
        var valid: [String: Int] = [:], invalid: [String: Int] = [:]
        let producer = try KafkaProducer(configuration: kafka)
        for schema in schemas {
            var generator = RecordGenerator(schema: schema, mix: .init(invalidRatio: 0.2), seed: 7)
            for _ in 0..<40 {
                let record = generator.next(nowMicros: Int64(Date().timeIntervalSince1970 * 1_000_000) - 60_000_000)
                if case .invalid = record.kind { invalid[schema.topic, default: 0] += 1 } else { valid[schema.topic, default: 0] += 1 }
                try await producer.enqueue(topic: schema.topic, key: Array(record.key.utf8), value: record.value)
            }
        }
        try await producer.flush()
        #expect(invalid["log_events", default: 0] > 0, "the generator made no invalid log_events to dead-letter")

        cluster.denyTopic("sensor_data")
        cluster.denyTopic("log_events.dlq")
        let store = MemoryObjectStore()
        var configuration = ProcessorConfiguration(kafka: kafka)
        configuration.topics = schemas
        configuration.groupID = "acl-test"
        configuration.interval = .milliseconds(200)
        configuration.timings.pauseAfterFailedBatch = .milliseconds(100)
        let lines = LogLines()
        let logger = Logger(label: "tributary.processor") { _ in Capture(sink: lines) }
        let processor = StreamProcessor(configuration: configuration, kafka: LibrdkafkaClients(configuration: kafka),
                                        sink: HudiTableSink(root: store, schemas: schemas), logger: logger)
        let running = Task { try await processor.run() }
        defer { running.cancel() }
        func committed(_ topic: String) async throws -> Int64 {
            try await HudiTableSink(root: store, schemas: schemas).checkpoint(topic: topic).offsets.values.reduce(0, +)
        }
        func waitFor(_ what: String, _ condition: () async throws -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(120)
            while try await !condition() {
                guard ContinuousClock.now < deadline else { Issue.record("timed out waiting for \(what)"); return }
                try await Task.sleep(for: .milliseconds(100))
            }
        }

        try await waitFor("user_events committed") { try await committed("user_events") == 40 }
        try await waitFor("the refused dead letters logged") { lines.errors(containing: "log_events.dlq") > 0 }
        // Several more batches: each tries the refused topics again, none logs again.
        try await Task.sleep(for: .seconds(2))
        #expect(lines.errors(containing: "not authorized to read topic sensor_data") == 1)
        #expect(lines.errors(containing: "not authorized to write dead letters to log_events.dlq") == 1)
        #expect(lines.errors(containing: "batch failed") == 0, "a refused topic must not fail the others' batches")
        #expect(try await committed("sensor_data") == 0)
        #expect(try await committed("log_events") == 0, "log_events committed without its dead letters")

        // Granted: the waiting records land, every dead letter once.
        cluster.denyTopic("log_events.dlq", false)
        cluster.denyTopic("sensor_data", false)
        try await waitFor("log_events committed") { try await committed("log_events") == 40 }
        try await waitFor("sensor_data committed") { try await committed("sensor_data") == 40 }
        running.cancel()
        _ = try? await running.value
        #expect(processor.stats.deadLettered["log_events"] == invalid["log_events"])
        #expect(processor.stats.written["sensor_data"] == valid["sensor_data"])
        let reader = try KafkaConsumer(configuration: kafka)
        try reader.assign([TopicPartition("log_events.dlq", 0): 0])
        var letters = 0
        for _ in 0..<20 where letters < invalid["log_events", default: 0] {
            letters += try await reader.poll(maxMessages: 1000, timeout: .milliseconds(200)).messages.count
        }
        #expect(letters == invalid["log_events"], "dead letters of log_events: \(letters)")
    }
}

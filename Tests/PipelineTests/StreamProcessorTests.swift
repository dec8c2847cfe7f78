import Foundation
import KafkaClient
import KafkaTesting
import Logging
import Testing
@testable import Pipeline

/// The processor against a real broker with the in-memory sink: every valid record lands
/// once, every invalid one is dead-lettered once with its reason, across restarts and
/// storage failures.
final class Finished: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    func set() { lock.lock(); done = true; lock.unlock() }
    var value: Bool { lock.lock(); defer { lock.unlock() }; return done }
}

@Suite(.serialized) struct StreamProcessorTests {
    struct Produced {
        var keys = Set<String>()
        var invalid: [String: Rejection.Stage] = [:]  // key → stage
        var count = 0
    }

    /// Produces `n` generated records per topic; returns the model.
    func produce(_ schemas: [TopicSchema], n: Int, seed: UInt64, config: KafkaConfiguration) async throws -> [String: Produced] {
        let producer = try KafkaProducer(configuration: config)
        var model: [String: Produced] = [:]
        for schema in schemas {
            var generator = RecordGenerator(
                schema: schema, mix: .init(updateRatio: 0.2, deleteRatio: 0.05, lateRatio: 0.05, invalidRatio: 0.1), seed: seed)
            var m = Produced()
            for _ in 0..<n {
                let r = generator.next(nowMicros: Int64(Date().timeIntervalSince1970 * 1_000_000) - 60_000_000)
                switch r.kind {
                case .insert: m.keys.insert(r.key)
                case .delete: m.keys.remove(r.key)
                case .invalid(let stage): m.invalid[r.key] = stage
                default: break
                }
                m.count += 1
                try await producer.enqueue(topic: schema.topic, key: Array(r.key.utf8), value: r.value)
            }
            model[schema.topic] = m
        }
        try await producer.flush()
        return model
    }

    func processorConfig(_ topics: [TopicSchema], group: String) async throws -> ProcessorConfiguration {
        var config = ProcessorConfiguration(kafka: try await TestBroker.consumerConfiguration())
        config.topics = topics
        config.groupID = group
        config.interval = .milliseconds(400)
        config.initialBackoff = .milliseconds(20)
        return config
    }

    /// Runs a processor until `done` holds (or a timeout), then stops it gracefully.
    func runProcessor(_ processor: StreamProcessor, until done: @escaping @Sendable () -> Bool) async throws {
        let finished = Finished()
        let task = Task {
            defer { finished.set() }
            try await processor.run()
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while !done() && ContinuousClock.now < deadline && !finished.value { try await Task.sleep(for: .milliseconds(100)) }
        if finished.value {
            try await task.value  // surfaces a processor that stopped by itself with an error
            Issue.record("the processor stopped before the work was done")
        }
        task.cancel()
        _ = try? await task.value
    }

    func deadLetters(_ topic: String) async throws -> [ConsumedMessage] {
        let consumer = try KafkaConsumer(configuration: try await TestBroker.consumerConfiguration())
        try consumer.assign([TopicPartition(topic, 0): 0])
        var all: [ConsumedMessage] = []
        var idle = 0
        while idle < 4 {
            let r = try await consumer.poll(maxMessages: 10_000, timeout: .milliseconds(200))
            if r.messages.isEmpty { idle += 1 } else { idle = 0; all.append(contentsOf: r.messages) }
        }
        return all
    }

    func uniqueSchemas(_ base: [TopicSchema]) -> [TopicSchema] {
        base.map { $0.onTopic(TestBroker.uniqueName($0.topic)) }
    }

    @Test func everyValidRecordOnceEveryInvalidOneDeadLetteredOnce() async throws {
        let schemas = uniqueSchemas([.seed("user_events")!, .seed("transactions")!, .seed("sensor_data")!])
        let config = try await TestBroker.configuration()
        let admin = try KafkaAdmin(configuration: config)
        _ = try await admin.createTopics(schemas.flatMap { [TopicSpec(name: $0.topic, partitions: 2), TopicSpec(name: $0.deadLetterTopic)] })
        let model = try await produce(schemas, n: 600, seed: 11, config: config)

        let sink = InMemoryTableSink()
        sink.failNextCommits(2)  // storage trouble: retried without re-reading Kafka
        let group = TestBroker.uniqueName("proc")
        let first = StreamProcessor(configuration: try await processorConfig(schemas, group: group), sink: sink)
        try await runProcessor(first) {
            let s = first.stats
            return schemas.allSatisfy { (s.committed[$0.topic] ?? 0) >= 600 }
        }
        let stats = first.stats
        #expect(stats.commitRetries >= 2)
        for schema in schemas {
            let m = try #require(model[schema.topic])
            #expect(sink.keys(topic: schema.topic) == m.keys, "\(schema.topic)")
            #expect(stats.consumed[schema.topic] == 600)
            #expect(stats.deadLettered[schema.topic] == m.invalid.count)
            let letters = try await deadLetters(schema.deadLetterTopic)
            #expect(letters.count == m.invalid.count, "\(schema.deadLetterTopic)")
            for letter in letters {
                let key = letter.keyString ?? ""
                #expect(letter.header(DeadLetterHeader.stage) == m.invalid[key]?.rawValue, "\(key): \(letter.header(DeadLetterHeader.reason) ?? "")")
                #expect(letter.header(DeadLetterHeader.sourceTopic) == schema.topic)
                #expect((letter.header(DeadLetterHeader.reason) ?? "").count > 5)
                #expect(letter.header(DeadLetterHeader.sourceOffset).flatMap(Int64.init) != nil)
            }
        }

        // A second processor in the same group resumes from the tables' checkpoints:
        // nothing is committed or dead-lettered again.
        let commitsBefore = schemas.map { sink.commitCount(topic: $0.topic) }
        let more = try await produce([schemas[0]], n: 100, seed: 12, config: config)
        let second = StreamProcessor(configuration: try await processorConfig(schemas, group: group), sink: sink)
        try await runProcessor(second) { (second.stats.committed[schemas[0].topic] ?? 0) >= 100 }
        #expect(second.stats.consumed[schemas[0].topic] == 100)
        #expect(second.stats.consumed[schemas[1].topic] == nil)
        #expect(schemas.dropFirst().map { sink.commitCount(topic: $0.topic) } == Array(commitsBefore.dropFirst()))
        let expectedKeys = try #require(model[schemas[0].topic]).keys.union(try #require(more[schemas[0].topic]).keys)
        // Each feed deletes only its own keys (separate seeds), so the union is exact.
        #expect(sink.keys(topic: schemas[0].topic) == expectedKeys)
        let letters = try await deadLetters(schemas[0].deadLetterTopic)
        #expect(letters.count == model[schemas[0].topic]!.invalid.count + more[schemas[0].topic]!.invalid.count)
    }
}

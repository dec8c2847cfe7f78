import Foundation
import Hudi
import KafkaClient
import KafkaTesting
import ObjectStore
import Testing
import TributaryTesting
@testable import Pipeline

/// The broker goes away mid-stream and comes back: the processor pauses (no crash, no
/// lost batch), resumes when the broker returns, and — the embedded broker is in-memory,
/// so it returns empty — notices that its checkpoint is past the new log end, records the
/// gap in the commit metadata and goes on from the earliest offset.
@Suite(.serialized) struct BrokerRestartTests {
    func startBroker(port: Int = 0) async throws -> EmbeddedBroker {
        var options = EmbeddedBroker.Options()
        options.port = port
        return try await EmbeddedBroker.start(options)
    }

    func configuration(_ broker: EmbeddedBroker) -> KafkaConfiguration {
        KafkaConfiguration(bootstrapServers: broker.bootstrapServers,
                           properties: ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"].merging(ProcessInfo.processInfo.environment["DEBUGK"].map { ["debug": $0] } ?? [:]) { $1 },
                           operationTimeout: .seconds(5))
    }

    @Test func brokerRestartPausesThenResumesAndRecordsTheGap() async throws {
        let helper = StreamProcessorTests()
        let schemas = [TopicSchema.seed("user_events")!, .seed("sensor_data")!]
        var broker = try await startBroker()
        let port = broker.port
        let config = configuration(broker)
        func createTopics() async throws {
            _ = try await KafkaAdmin(configuration: config).createTopics(
                schemas.flatMap { [TopicSpec(name: $0.topic, partitions: 2), TopicSpec(name: $0.deadLetterTopic)] })
        }
        try await createTopics()
        var model = try await helper.produce(schemas, n: 200, seed: 31, config: config)

        let lake = try TestEnvironment.temporaryDirectory("lake")
        let store = try LocalObjectStore(root: lake)
        var processorConfig = ProcessorConfiguration(kafka: config)
        processorConfig.topics = schemas
        processorConfig.interval = .milliseconds(400)
        processorConfig.initialBackoff = .milliseconds(20)
        let processor = StreamProcessor(configuration: processorConfig, sink: HudiTableSink(root: store, schemas: schemas))
        let finished = Finished()
        let task = Task {
            defer { finished.set() }
            try await processor.run()
        }
        defer { task.cancel() }
        func wait(_ what: String, seconds: Int = 60, _ condition: () -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while !condition() {
                if finished.value { Issue.record("processor stopped while waiting for \(what)"); return }
                guard ContinuousClock.now < deadline else { Issue.record("timed out waiting for \(what): \(processor.stats)"); return }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        try await wait("the first records") { schemas.allSatisfy { (processor.stats.committed[$0.topic] ?? 0) >= 200 } }

        // The broker dies: the processor pauses and keeps running.
        broker.stop()
        try await wait("the processor to notice the outage", seconds: 30) { processor.stats.brokerOutages >= 1 }
        #expect(processor.stats.paused)
        try await Task.sleep(for: .seconds(2))
        #expect(!finished.value, "the processor must survive a broker outage")

        // It comes back on the same address, empty (in-memory storage).
        broker = try await startBroker(port: port)
        defer { broker.stop() }
        try await createTopics()
        let more = try await helper.produce(schemas, n: 150, seed: 32, config: config)
        for schema in schemas { model[schema.topic]?.keys.formUnion(more[schema.topic]?.keys ?? []) }
        try await wait("records produced after the restart", seconds: 90) {
            schemas.allSatisfy { (processor.stats.committed[$0.topic] ?? 0) >= 350 }
        }
        #expect(!processor.stats.paused)
        #expect(processor.stats.checkpointGaps >= 1)
        task.cancel()
        _ = try? await task.value

        for schema in schemas {
            let rows = try HudiPipelineTests().hudiRows(lake.appendingPathComponent(schema.topic))
            let keys = rows.compactMap { $0[schema.recordKey] as? String }
            #expect(keys.count == Set(keys).count, "duplicate keys in \(schema.tableName)")
            #expect(Set(keys) == model[schema.topic]?.keys ?? [], "\(schema.topic)")
            // The restart's gap is in the commit metadata, never silent.
            let table = try await HudiTable.open(store: try store.scoped(to: schema.topic))
            let tl = try await table.timeline()
            var gaps: [String] = []
            for instant in tl.completedDataCommits {
                if let g = try await table.commitMetadata(instant).extraMetadata[checkpointGapKey] { gaps.append(g) }
            }
            #expect(!gaps.isEmpty, "no gap recorded in \(schema.tableName)")
        }
    }
}

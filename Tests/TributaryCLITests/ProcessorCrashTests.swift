import Foundation
import Hudi
import KafkaClient
import ObjectStore
import Pipeline
import Testing
import TributaryTesting

/// kill -9 of `tributary process` at random moments while records keep arriving: after
/// recovery every valid record is in the tables exactly once (judged by hudi-rs) and
/// every invalid one is in the dead-letter topic exactly once.
@Suite(.serialized) struct ProcessorCrashTests {
    static let reader = TestEnvironment.packageRoot.appendingPathComponent("Tests/HudiTests/oracle/read_table.py").path

    @Test func killNineAtRandomMomentsLosesAndDuplicatesNothing() async throws {
        let kills = TestEnvironment.soak ? 40 : 10
        let broker = try await EmbeddedBroker.start()
        defer { broker.stop() }
        let kafka = KafkaConfiguration(bootstrapServers: broker.bootstrapServers)
        let schemas: [TopicSchema] = [.userEvents, .sensorData]
        _ = try await KafkaAdmin(configuration: kafka).createTopics(
            schemas.flatMap { [TopicSpec(name: $0.topic, partitions: 2), TopicSpec(name: $0.deadLetterTopic)] })
        let lake = try TestEnvironment.temporaryDirectory("crash-lake")
        FileHandle.standardError.write(Data("crash test lake: \(lake.path)\n".utf8))

        // A feeder produces generated records continuously (so kills land inside batches)
        // and keeps the model: keys alive after all operations, invalid records, totals.
        struct Model: Sendable {
            var alive: [String: Set<String>] = [:], invalid: [String: Int] = [:], produced: [String: Int] = [:]
        }
        let producer = try KafkaProducer(configuration: kafka)
        @Sendable func feed(_ rounds: Int?, seed: UInt64) async throws -> Model {
            var generators = schemas.map {
                RecordGenerator(schema: $0, mix: .init(updateRatio: 0.2, deleteRatio: 0.05, lateRatio: 0.05, invalidRatio: 0.05), seed: seed)
            }
            var model = Model()
            var round = 0
            while rounds.map({ round < $0 }) ?? !Task.isCancelled {
                for i in 0..<40 {
                    let g = i % generators.count
                    let record = generators[g].next(nowMicros: Int64(Date().timeIntervalSince1970 * 1_000_000) - 60_000_000)
                    switch record.kind {
                    case .insert: model.alive[record.topic, default: []].insert(record.key)
                    case .delete: model.alive[record.topic, default: []].remove(record.key)
                    case .invalid: model.invalid[record.topic, default: 0] += 1
                    default: break
                    }
                    model.produced[record.topic, default: 0] += 1
                    try await producer.enqueue(topic: record.topic, key: Array(record.key.utf8), value: record.value)
                }
                try await producer.flush()
                round += 1
                if rounds == nil { try? await Task.sleep(for: .milliseconds(100)) }
            }
            return model
        }

        func startProcessor() throws -> Process {
            let p = Process()
            p.executableURL = CLI.binary
            p.arguments = ["process", "--bootstrap-servers", broker.bootstrapServers,
                           "--set", "storage.uri=file://\(lake.path)", "--set", "processing.interval=300ms",
                           "-X", "session.timeout.ms=3000", "-X", "heartbeat.interval.ms=300"]
                + schemas.flatMap { ["--topic", $0.topic] }
            // Pauses inside the windows that matter: dead letters sent but not committed yet.
            p.environment = ProcessInfo.processInfo.environment.merging(["TRIBUTARY_FAILPOINTS": "after-dead-letters=300,before-commit=100"]) { $1 }
            let log = lake.appendingPathComponent("process-\(UUID().uuidString.prefix(6)).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            p.standardOutput = handle
            p.standardError = handle
            try p.run()
            return p
        }

        let initial = try await feed(25, seed: 98)
        let feeder = Task { try await feed(nil, seed: 99) }
        var random = SeededRandom(seed: 5)
        /// Completed commits in the lake so far.
        func commits() -> Int {
            schemas.reduce(0) { n, schema in
                let timeline = lake.appendingPathComponent("\(schema.topic)/.hoodie")
                let names = (try? FileManager.default.contentsOfDirectory(atPath: timeline.path)) ?? []
                return n + names.filter { $0.hasSuffix(".commit") }.count
            }
        }
        var killedMidWork = 0
        for _ in 0..<kills {
            let before = commits()
            let p = try startProcessor()
            // Kill once it is working (a commit of this run landed), at a random moment.
            let working = ContinuousClock.now + .seconds(30)
            while commits() == before && ContinuousClock.now < working { try await Task.sleep(for: .milliseconds(50)) }
            if commits() > before { killedMidWork += 1 }
            try await Task.sleep(for: .milliseconds(Int64.random(in: 0...900, using: &random)))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        #expect(killedMidWork == kills, "only \(killedMidWork) of \(kills) kills hit a working processor")
        feeder.cancel()
        let fed = try await feeder.value
        var alive = initial.alive, invalid = initial.invalid, produced = initial.produced
        for (topic, keys) in fed.alive { alive[topic, default: []].formUnion(keys) }
        for (topic, n) in fed.invalid { invalid[topic, default: 0] += n }
        for (topic, n) in fed.produced { produced[topic, default: 0] += n }

        // Recovery: a last run until every table's checkpoint covers everything produced.
        let final = try startProcessor()
        defer { if final.isRunning { kill(final.processIdentifier, SIGKILL) } }
        let store = try LocalObjectStore(root: lake)
        let deadline = ContinuousClock.now + .seconds(120)
        var covered = false
        while !covered && ContinuousClock.now < deadline {
            try await Task.sleep(for: .seconds(1))
            covered = true
            for schema in schemas {
                let table = try? await HudiTable.open(store: try store.scoped(to: schema.topic))
                let text = try await table?.latestExtraMetadataValue(KafkaCheckpoint.metadataKey)
                let checkpoint = text.flatMap { KafkaCheckpoint(decoding: $0, topic: schema.topic) }
                let total = checkpoint?.offsets.values.reduce(0, +) ?? 0
                if total < Int64(produced[schema.topic] ?? 0) { covered = false }
            }
        }
        kill(final.processIdentifier, SIGTERM)
        final.waitUntilExit()
        #expect(covered, "the processor did not catch up after \(kills) kills")

        for schema in schemas {
            let out = try runPython([Self.reader, lake.appendingPathComponent(schema.topic).path])
            let keys = out.stdoutText.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?[schema.recordKey] as? String
            }
            #expect(keys.count == Set(keys).count, "\(schema.topic): duplicate rows")
            #expect(Set(keys) == alive[schema.topic] ?? [], "\(schema.topic): table differs from the model")

            // The dead-letter topic: each invalid record exactly once.
            let reader = try KafkaConsumer(configuration: kafka)
            try reader.assign([TopicPartition(schema.deadLetterTopic, 0): 0])
            var letters: [String] = []
            var idle = 0
            while idle < 5 {
                let r = try await reader.poll(maxMessages: 10_000, timeout: .milliseconds(200))
                if r.messages.isEmpty { idle += 1 } else { idle = 0 }
                letters += r.messages.map { "\($0.header(DeadLetterHeader.sourcePartition) ?? "?"):\($0.header(DeadLetterHeader.sourceOffset) ?? "?")" }
            }
            #expect(letters.count == Set(letters).count, "\(schema.topic): a dead letter was sent twice")
            #expect(letters.count == invalid[schema.topic] ?? 0, "\(schema.topic): dead letters \(letters.count) of \(invalid[schema.topic] ?? 0)")
        }
    }
}

import Foundation
import Hudi
import KafkaClient
import ObjectStore
import Pipeline
import Testing
import TributaryCore
import TributaryTesting

/// kill -9 of `tributary process` at random moments while records keep arriving: after
/// recovery every valid record is in the tables exactly once (judged by hudi-rs) and
/// every invalid one is in the dead-letter topic exactly once — on copy-on-write and on
/// merge-on-read tables (delta commits, and compactions in the background every third).
@Suite(.ownThread, .serialized) struct ProcessorCrashTests {
    static let reader = TestEnvironment.packageRoot.appendingPathComponent("Tests/HudiTests/oracle/read_table.py").path

    /// What the feeder produced: keys alive after all operations, invalid records, totals.
    struct Model: Sendable {
        var alive: [String: Set<String>] = [:], invalid: [String: Int] = [:], produced: [String: Int] = [:]

        mutating func add(_ other: Model) {
            for (topic, keys) in other.alive { alive[topic, default: []].formUnion(keys) }
            for (topic, n) in other.invalid { invalid[topic, default: 0] += n }
            for (topic, n) in other.produced { produced[topic, default: 0] += n }
        }
    }

    /// A broker, the topics, a lake, and `tributary process` runs against them.
    struct Rig: Sendable {
        let broker: EmbeddedBroker
        let kafka: KafkaConfiguration
        let schemas: [TopicSchema]
        /// The configuration file declaring `schemas` (nil: the seed streams).
        let configFile: String?
        let lake: URL
        let producer: KafkaProducer
        var tableType: TableType = .copyOnWrite

        static func make(partitions: Int32 = 2, tableType: TableType = .copyOnWrite,
                         schemas: [TopicSchema] = [.seed("user_events")!, .seed("sensor_data")!],
                         configFile: String? = nil) async throws -> Rig {
            let broker = try await EmbeddedBroker.start()
            let kafka = KafkaConfiguration(bootstrapServers: broker.bootstrapServers)
            let lake = try TestEnvironment.temporaryDirectory("crash-lake")
            FileHandle.standardError.write(Data("crash test lake: \(lake.path)\n".utf8))
            let rig = Rig(broker: broker, kafka: kafka, schemas: schemas, configFile: configFile, lake: lake,
                          producer: try KafkaProducer(configuration: kafka), tableType: tableType)
            _ = try await KafkaAdmin(configuration: kafka).createTopics(
                rig.schemas.flatMap { [TopicSpec(name: $0.topic, partitions: partitions), TopicSpec(name: $0.deadLetterTopic)] })
            return rig
        }

        /// Produces generated records in rounds of 40 (forever when `rounds` is nil, until
        /// cancelled), so kills land inside batches; returns the model.
        func feed(_ rounds: Int?, seed: UInt64) async throws -> Model {
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

        /// A `tributary process`; with `metricsPort`, it serves `/readyz` there.
        func startProcessor(metricsPort: Int? = nil) throws -> Process {
            let p = Process()
            p.executableURL = CLI.binary
            // max.poll.interval.ms is also the rebalance timeout of JoinGroup: under load, Tansu
            // 0.6 kept the group of the scale-out test in a rebalance for over 5 minutes (no member
            // assigned anything) after two members left within 2 s of a third joining, at the
            // 300 s default (2 of 2 runs beside the kill -9 suite); with 20 s, 2 of 2 such runs
            // passed with no stall over 4.6 s. (That the rebalance timeout is what Tansu waits
            // for is inferred from this, not read in its code.)
            p.arguments = ["process", "--bootstrap-servers", broker.bootstrapServers] + (configFile.map { ["--config", $0] } ?? []) + [
                           "--set", "storage.uri=file://\(lake.path)", "--set", "processing.interval=300ms",
                           "--set", "metrics.listen=\(metricsPort.map { "127.0.0.1:\($0)" } ?? "")", "--set", "hudi.table_type=\(tableType.rawValue)",
                           "--set", "hudi.compaction.max_delta_commits=3",
                           "-X", "session.timeout.ms=3000", "-X", "heartbeat.interval.ms=300", "-X", "max.poll.interval.ms=20000"]
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

        /// Completed commits in the lake so far.
        func commits() -> Int { commitInstants().count }

        /// Instant times (`yyyyMMddHHmmssSSS`) of the completed commits (delta commits on
        /// merge-on-read) of every table, sorted.
        func commitInstants() -> [String] {
            schemas.flatMap { schema in
                let timeline = lake.appendingPathComponent("\(schema.table)/.hoodie")
                let names = (try? FileManager.default.contentsOfDirectory(atPath: timeline.path)) ?? []
                return names.filter { $0.hasSuffix(".commit") || $0.hasSuffix(".deltacommit") }.map { String($0.prefix { $0 != "." }) }
            }.sorted()
        }

        /// Waits until `count` more commits landed than `before` (or `timeout` passed).
        func waitForCommits(after before: Int, count: Int, timeout: Duration = .seconds(60)) async throws -> Bool {
            let deadline = ContinuousClock.now + timeout
            while commits() < before + count {
                guard ContinuousClock.now < deadline else { return false }
                try await Task.sleep(for: .milliseconds(50))
            }
            return true
        }

        /// Waits until every table's checkpoint covers everything produced.
        func waitCovered(_ produced: [String: Int], timeout: Duration = .seconds(120)) async throws -> Bool {
            let store = try LocalObjectStore(root: lake)
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                try await Task.sleep(for: .seconds(1))
                var covered = true
                for schema in schemas {
                    let table = try? await HudiTable.open(store: try store.scoped(to: schema.table))
                    let text = try await table?.latestExtraMetadataValue(KafkaCheckpoint.metadataKey)
                    let checkpoint = text.flatMap { KafkaCheckpoint(decoding: $0, topic: schema.topic) }
                    let total = checkpoint?.offsets.values.reduce(0, +) ?? 0
                    if total < Int64(produced[schema.topic] ?? 0) { covered = false }
                }
                if covered { return true }
            }
            return false
        }

        /// Tables (read by hudi-rs) equal the model; each invalid record is dead-lettered once.
        func verify(_ model: Model) async throws {
            for schema in schemas {
                let keys = try rows(schema).compactMap { $0[schema.recordKey] as? String }
                #expect(keys.count == Set(keys).count, "\(schema.topic): duplicate rows")
                #expect(Set(keys) == model.alive[schema.topic] ?? [], "\(schema.topic): table differs from the model")
                let letters = try await deadLetters(schema)
                #expect(letters.count == model.invalid[schema.topic] ?? 0, "\(schema.topic): dead letters \(letters.count) of \(model.invalid[schema.topic] ?? 0)")
                if tableType == .mergeOnRead { try await verifyMergeOnReadReads(schema) }
            }
        }

        /// A table's rows as hudi-rs reads them.
        func rows(_ schema: TopicSchema) throws -> [[String: Any]] {
            let out = try runPython([ProcessorCrashTests.reader, lake.appendingPathComponent(schema.table).path])
            return out.stdoutText.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }

        /// The dead letters of a stream; each source record at most once.
        func deadLetters(_ schema: TopicSchema) async throws -> [ConsumedMessage] {
            let reader = try KafkaConsumer(configuration: kafka)
            try reader.assign([TopicPartition(schema.deadLetterTopic, 0): 0])
            var letters: [ConsumedMessage] = []
            var idle = 0
            while idle < 5 {
                let r = try await reader.poll(maxMessages: 10_000, timeout: .milliseconds(200))
                if r.messages.isEmpty { idle += 1 } else { idle = 0 }
                letters += r.messages
            }
            let sources = letters.map { "\($0.header(DeadLetterHeader.sourcePartition) ?? "?"):\($0.header(DeadLetterHeader.sourceOffset) ?? "?")" }
            #expect(sources.count == Set(sources).count, "\(schema.topic): a dead letter was sent twice")
            return letters
        }

        /// Merge-on-read: hudi-rs and our reader agree on every read still served (snapshot
        /// and read-optimized as of each instant the cleaner kept, incremental between them),
        /// and the table has delta commits, logs and compactions to show for it.
        func verifyMergeOnReadReads(_ schema: TopicSchema) async throws {
            let table = try await HudiTable.open(store: try LocalObjectStore(root: lake).scoped(to: schema.table))
            let timeline = try await table.timeline()
            #expect(timeline.completedDataCommits.contains { $0.action == "deltacommit" }, "\(schema.topic): no delta commit")
            #expect(timeline.completedDataCommits.contains { $0.action == "commit" }, "\(schema.topic): no compaction completed")
            let earliest = try await table.earliestQueryableInstant() ?? ""
            let instants = timeline.completedDataCommits.map(\.timestamp).filter { $0 >= earliest }
            let mismatches = try await HudiReadComparison.mismatches(
                tablePath: lake.appendingPathComponent(schema.table).path, keyField: "_hoodie_record_key", reads: HudiRead.all(instants: instants)
            ) { read in try await ProcessorCrashTests.recordKeys(table, read) }
            #expect(mismatches.isEmpty, "\(schema.topic): \(mismatches.prefix(5))")
        }
    }

    /// Our reader's record keys for `read`.
    static func recordKeys(_ table: HudiTable, _ read: HudiRead) async throws -> [String] {
        let key = ["_hoodie_record_key"]
        let rows = switch read {
        case .snapshot(let t): try await table.readSnapshot(asOf: t, columns: key)
        case .readOptimized(let t): try await table.readSnapshot(asOf: t, columns: key, readOptimized: true)
        case .incremental(let after, let upTo): try await table.readIncremental(since: after, until: upTo, columns: key)
        }
        return rows.rows.map { row in if case .string(let k)? = row.first { k } else { "<\(String(describing: row.first))>" } }
    }

    @Test(arguments: [TableType.copyOnWrite, .mergeOnRead])
    func killNineAtRandomMomentsLosesAndDuplicatesNothing(tableType: TableType) async throws {
        let kills = TestEnvironment.soak ? 40 : 10
        let rig = try await Rig.make(tableType: tableType)
        defer { rig.broker.stop() }
        var model = try await rig.feed(25, seed: 98)
        let feeder = Task { try await rig.feed(nil, seed: 99) }
        var random = SeededRandom(seed: 5)
        var killedMidWork = 0
        for _ in 0..<kills {
            let before = rig.commits()
            let p = try rig.startProcessor()
            // Kill once it is working (a commit of this run landed), at a random moment.
            let working = ContinuousClock.now + .seconds(30)
            while rig.commits() == before && ContinuousClock.now < working { try await Task.sleep(for: .milliseconds(50)) }
            if rig.commits() > before { killedMidWork += 1 }
            try await Task.sleep(for: .milliseconds(Int64.random(in: 0...900, using: &random)))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        #expect(killedMidWork == kills, "only \(killedMidWork) of \(kills) kills hit a working processor")
        feeder.cancel()
        model.add(try await feeder.value)

        // Recovery: a last run until every table's checkpoint covers everything produced.
        let final = try rig.startProcessor()
        defer { if final.isRunning { kill(final.processIdentifier, SIGKILL) } }
        let covered = try await rig.waitCovered(model.produced)
        kill(final.processIdentifier, SIGTERM)
        final.waitUntilExit()
        #expect(covered, "the processor did not catch up after \(kills) kills")
        try await rig.verify(model)
    }

    /// Two processors share the group (and the tables): each commits its partitions; one
    /// is killed -9 mid-way, the other takes its partitions over from the tables'
    /// checkpoints. Nothing is lost or duplicated.
    @Test func twoProcessorsOneKilledStillExactlyOnce() async throws {
        let rig = try await Rig.make()
        defer { rig.broker.stop() }
        var model = try await rig.feed(10, seed: 71)
        let feeder = Task { try await rig.feed(nil, seed: 72) }
        let a = try rig.startProcessor()
        let b = try rig.startProcessor()
        defer { for p in [a, b] where p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        // Both work for a while (several commits), then one dies at a random moment.
        let before = rig.commits()
        let working = ContinuousClock.now + .seconds(60)
        while rig.commits() < before + 8 && ContinuousClock.now < working { try await Task.sleep(for: .milliseconds(50)) }
        try await Task.sleep(for: .milliseconds(Int64.random(in: 0...700)))
        kill(a.processIdentifier, SIGKILL)
        a.waitUntilExit()
        // The survivor goes on alone while records keep coming.
        let afterKill = rig.commits()
        let alone = ContinuousClock.now + .seconds(60)
        while rig.commits() < afterKill + 4 && ContinuousClock.now < alone { try await Task.sleep(for: .milliseconds(50)) }
        feeder.cancel()
        model.add(try await feeder.value)
        let covered = try await rig.waitCovered(model.produced)
        kill(b.processIdentifier, SIGTERM)
        b.waitUntilExit()
        #expect(covered, "the surviving processor did not take over")
        try await rig.verify(model)
    }
}

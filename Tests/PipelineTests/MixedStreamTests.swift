import Foundation
import Hudi
import KafkaClient
import KafkaTesting
import ObjectStore
import ObjectStoreTesting
import Testing
import TributaryTesting
@testable import Pipeline

/// All five topics at once, on a local folder and on S3 (moto): generated upserts, deletes
/// and late updates, plus hand-made edge cases — a 2 MiB valid record, a 2 MiB invalid one,
/// an update that moves a row to another date, a late update that must lose, malformed
/// JSON, a wrong type, an out-of-range value. hudi-rs must read exactly the model; the DLQ
/// must hold exactly the invalid records, each with the right stage. On merge-on-read
/// tables (compacted every second delta commit) hudi-rs and our reader also agree on the
/// snapshot and read-optimized reads as of every instant and the incremental reads between.
@Suite(.serialized) struct MixedStreamTests {
    enum Storage: String, CaseIterable, CustomTestStringConvertible {
        case local, s3
        var testDescription: String { self == .s3 ? "s3 (moto)" : "local folder" }
    }

    /// A hand-made record: its topic, key, JSON, and the stage it must be rejected at (nil: valid).
    struct Special {
        var topic: TopicSchema
        var key: String
        var json: String
        var rejectedAt: Rejection.Stage?
    }

    static func specials(_ s: [String: TopicSchema]) -> [Special] {
        let users = s["user_events"]!, logs = s["log_events"]!, tx = s["transactions"]!, sensors = s["sensor_data"]!
        let big = String(repeating: "x", count: 2 << 20)
        return [
            Special(topic: users, key: "big-valid",
                    json: #"{"event_id":"big-valid","user_id":"u","event_type":"click","properties":{"blob":"\#(big)"},"timestamp":"2026-11-20T10:00:00Z"}"#),
            Special(topic: logs, key: "big-invalid",
                    json: #"{"log_id":"big-invalid","service":"s","level":"INFO","message":"\#(big)","timestamp":"2026-11-20T10:00:00Z"}"#,
                    rejectedAt: .schema),
            // Moves from 2026-11-20 to 2026-11-21: one row, in the new partition only.
            Special(topic: users, key: "move-1",
                    json: #"{"event_id":"move-1","user_id":"u","event_type":"login","page":"/before","timestamp":"2026-11-20T23:59:00Z"}"#),
            Special(topic: users, key: "move-1",
                    json: #"{"event_id":"move-1","user_id":"u","event_type":"logout","page":"/after","timestamp":"2026-11-21T00:01:00Z"}"#),
            // A late (older) update arrives after the newer one: it must lose.
            Special(topic: users, key: "late-1",
                    json: #"{"event_id":"late-1","user_id":"u","event_type":"click","page":"/new","timestamp":"2026-11-22T10:00:00Z"}"#),
            Special(topic: users, key: "late-1",
                    json: #"{"event_id":"late-1","user_id":"u","event_type":"click","page":"/old","timestamp":"2026-11-22T09:00:00Z"}"#),
            Special(topic: users, key: "broken-json", json: #"{"event_id":"broken-json","user_id":"#, rejectedAt: .parse),
            Special(topic: tx, key: "wrong-type",
                    json: #"{"transaction_id":"wrong-type","user_id":"u","amount":"lots","currency":"EUR","status":"completed","timestamp":"2026-11-20T10:00:00Z"}"#,
                    rejectedAt: .schema),
            Special(topic: sensors, key: "too-hot",
                    json: #"{"reading_id":"too-hot","sensor_id":"s","sensor_type":"temperature","value":500,"timestamp":"2026-11-20T10:00:00Z"}"#,
                    rejectedAt: .quality),
        ]
    }

    /// Copy-on-write on both storages, merge-on-read on the local folder (and on S3 in soak runs).
    static let cases: [(Storage, TableType)] = [(.local, .copyOnWrite), (.s3, .copyOnWrite), (.local, .mergeOnRead)]
        + (TestEnvironment.soak ? [(.s3, .mergeOnRead)] : [])

    @Test(arguments: cases)
    func everyTopicEveryEdgeCase(storage: Storage, tableType: TableType) async throws {
        let helper = StreamProcessorTests()
        let schemas = helper.uniqueSchemas(TopicSchema.seeds)
        let byName = Dictionary(uniqueKeysWithValues: schemas.map { ($0.name, $0) })
        let config = try await TestBroker.configuration()
        _ = try await KafkaAdmin(configuration: config).createTopics(
            schemas.flatMap { [TopicSpec(name: $0.topic, partitions: 2), TopicSpec(name: $0.deadLetterTopic)] })
        var model = try await helper.produce(schemas, n: 150, seed: 41, config: config)
        let specials = Self.specials(byName)
        let producer = try KafkaProducer(configuration: config)
        for special in specials {
            // Same key → same partition, so the late update really arrives after the newer one.
            try await producer.send(topic: special.topic.topic, key: Array(special.key.utf8), value: Array(special.json.utf8))
            if let stage = special.rejectedAt {
                model[special.topic.topic]?.invalid[special.key] = stage
            } else {
                model[special.topic.topic]?.keys.insert(special.key)
            }
            model[special.topic.topic]?.count += 1
        }

        let (store, tablePath, environment) = try await makeStore(storage)
        let expectedCounts = model.mapValues(\.count)
        var options = WriteOptions()
        options.compactionMaxDeltaCommits = 2
        var configuration = try await helper.processorConfig(schemas, group: TestBroker.uniqueName("mixed"))
        // Merge-on-read: small batches, so updates land in logs over many delta commits.
        if tableType == .mergeOnRead { configuration.maxBatchRecords = 60 }
        let processor = StreamProcessor(
            configuration: configuration, sink: HudiTableSink(root: store, schemas: schemas, options: options, tableType: tableType))
        try await helper.runProcessor(processor) {
            schemas.allSatisfy { (processor.stats.committed[$0.topic] ?? 0) >= (expectedCounts[$0.topic] ?? 0) }
        }

        for schema in schemas {
            let m = try #require(model[schema.topic])
            let rows = try hudiRows(tablePath(schema.topic), environment: environment)
            let keys = rows.compactMap { $0[schema.recordKey] as? String }
            #expect(keys.count == Set(keys).count, "duplicate keys in \(schema.tableName)")
            #expect(Set(keys) == m.keys, "\(schema.topic): missing \(m.keys.subtracting(keys).sorted().prefix(5)), extra \(Set(keys).subtracting(m.keys).sorted().prefix(5))")

            let letters = try await helper.deadLetters(schema.deadLetterTopic)
            #expect(letters.count == m.invalid.count, "\(schema.deadLetterTopic)")
            for letter in letters {
                let key = letter.keyString ?? ""
                #expect(letter.header(DeadLetterHeader.stage) == m.invalid[key]?.rawValue,
                        "\(key): \(letter.header(DeadLetterHeader.reason) ?? "")")
            }
            if schema.name == "user_events" {
                let byKey = Dictionary(rows.map { ($0["event_id"] as? String ?? "", $0) }) { a, _ in a }
                #expect(byKey["move-1"]?["event_date"] as? String == "2026-11-21")
                #expect(byKey["move-1"]?["page"] as? String == "/after")
                #expect(byKey["late-1"]?["page"] as? String == "/new")
                #expect((byKey["big-valid"]?["properties"] as? String)?.utf8.count ?? 0 > 2 << 20)
            }
            if tableType == .mergeOnRead {
                let table = try await HudiTable.open(store: try store.scoped(to: schema.table))
                let timeline = try await table.timeline()
                let actions = timeline.completedDataCommits.map(\.action)
                #expect(actions.filter { $0 == "deltacommit" }.count >= 3 && actions.contains("commit"), "\(schema.topic): \(actions)")
                #expect(try await table.fileGroups().contains { !$0.logFiles.isEmpty }, "\(schema.topic): no log file")
                let earliest = try await table.earliestQueryableInstant() ?? ""
                let instants = timeline.completedDataCommits.map(\.timestamp).filter { $0 >= earliest }
                let mismatches = try await HudiReadComparison.mismatches(
                    tablePath: tablePath(schema.topic), keyField: "_hoodie_record_key", reads: HudiRead.all(instants: instants),
                    environment: environment) { read in try await Self.recordKeys(table, read) }
                #expect(mismatches.isEmpty, "\(schema.topic): \(mismatches.prefix(5))")
            }
            if schema.name == "log_events" {
                let big = letters.first { $0.keyString == "big-invalid" }
                #expect(big?.value.count ?? 0 > 2 << 20, "the DLQ keeps the original bytes")
                #expect(big?.header(DeadLetterHeader.reason)?.contains("message") == true)
            }
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

    /// A lake root on the chosen storage, how hudi-rs addresses a table there, and the
    /// environment hudi-rs needs to reach it.
    func makeStore(_ storage: Storage) async throws -> (any ObjectStore, (String) -> String, [String: String]) {
        switch storage {
        case .local:
            let lake = try TestEnvironment.temporaryDirectory("lake")
            return (try LocalObjectStore(root: lake), { lake.appendingPathComponent($0).path }, [:])
        case .s3:
            let bucket = "mixed-\(UUID().uuidString.prefix(8).lowercased())"
            let store = try await MotoServer.shared.store(bucket: bucket)
            let endpoint = try await MotoServer.shared.endpoint()
            let root = try store.scoped(to: "hudi-tables")
            let environment = [
                "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                "AWS_REGION": "us-east-1", "AWS_ALLOW_HTTP": "true",
            ]
            return (root, { "s3://\(bucket)/hudi-tables/\($0)" }, environment)
        }
    }

    /// Rows of a table as hudi-rs reads them.
    func hudiRows(_ path: String, environment: [String: String]) throws -> [[String: Any]] {
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        let out = try runProcess(TestEnvironment.python, [HudiPipelineTests.reader, path], environment: env)
        return out.stdoutText.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }
}

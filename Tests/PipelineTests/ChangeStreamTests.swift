import Foundation
import Hudi
import KafkaClient
import KafkaTesting
import Monitoring
import ObjectStore
import Testing
import TributaryCore
import TributaryTesting
@testable import Pipeline

/// A debezium stream end to end: the recorded change events of a source table (snapshot,
/// inserts, updates across partitions, deletes with tombstones, re-deliveries after
/// connector restarts, malformed envelopes) through the processor on the real broker into
/// a table. hudi-rs and DuckDB read exactly the source table's final state; the DLQ holds
/// exactly the malformed events, each once, with its stage.
@Suite(.serialized) struct ChangeStreamTests {
    @Test func recordedChangeEventsLandAsTheSourceTablesFinalState() async throws {
        let fixture = try ChangeEventFixture()
        let helper = StreamProcessorTests()
        let customers = helper.uniqueSchemas([try customersStream()])[0]
        let config = try await TestBroker.configuration()
        _ = try await KafkaAdmin(configuration: config).createTopics([
            TopicSpec(name: customers.topic, partitions: 2), TopicSpec(name: customers.deadLetterTopic),
        ])
        let producer = try KafkaProducer(configuration: config)
        for m in fixture.messages { try await producer.enqueue(topic: customers.topic, key: m.key, value: m.value) }
        try await producer.flush()

        let lake = try TestEnvironment.temporaryDirectory("cdc-lake")
        defer { try? FileManager.default.removeItem(at: lake) }
        let processor = StreamProcessor(
            configuration: try await helper.processorConfig([customers], group: TestBroker.uniqueName("cdc")),
            sink: HudiTableSink(root: try LocalObjectStore(root: lake), schemas: [customers]))
        let total = fixture.messages.count
        try await helper.runProcessor(processor) { (processor.stats.committed[customers.topic] ?? 0) >= total }
        #expect(processor.stats.tombstonesSkipped[customers.topic] == fixture.messages.filter(\.isTombstone).count)

        let table = lake.appendingPathComponent(customers.table)
        let rows = try runPython([HudiPipelineTests.reader, table.path]).stdoutText.split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let lines = rows.map(ChangeEventFixture.line).sorted()
        #expect(lines.count == fixture.finalRows.count)
        #expect(lines == fixture.finalRows, "missing \(Set(fixture.finalRows).subtracting(lines).sorted().prefix(3)), extra \(Set(lines).subtracting(fixture.finalRows).sorted().prefix(3))")
        #expect(rows.allSatisfy { ($0["_hoodie_partition_path"] as? String) == "region=\($0["region"] as? String ?? "?")" })

        // DuckDB over the snapshot's files sees the same rows.
        let hudi = try await HudiTable.open(store: try LocalObjectStore(root: table))
        let files = try await hudi.planSnapshot().filePaths.map { "'" + table.appendingPathComponent($0).path + "'" }
        let sql = """
            COPY (SELECT id, name, email, region, balance::DOUBLE AS balance, strftime(updated_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ') AS updated_at
                  FROM read_parquet([\(files.joined(separator: ","))])) TO '/dev/stdout' (FORMAT json);
            """
        let duck = try runProcess(TestEnvironment.nativeTool("duckdb"), ["-c", "SET TimeZone='UTC';" + sql]).stdoutText
        let duckLines = try duck.split(separator: "\n").compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .map(ChangeEventFixture.line).sorted()
        #expect(duckLines == fixture.finalRows)

        let letters = try await helper.deadLetters(customers.deadLetterTopic)
        let expected = fixture.deadLetters
        #expect(letters.count == expected.count)
        for letter in letters {
            let key = letter.keyString ?? ""
            #expect(letter.header(DeadLetterHeader.stage) == expected[key], "\(key): \(letter.header(DeadLetterHeader.reason) ?? "")")
        }
    }

    /// `tributary generate` on the debezium stream (snapshot, inserts, updates, deletes with
    /// tombstones, re-delivered older events, broken envelopes), through the processor: the
    /// table is the generator's model (the last valid event of each key, unless a delete),
    /// and the tombstones are counted on `/metrics`.
    @Test func generatedChangeEventsLandAsTheGeneratorsModel() async throws {
        MetricsExport.bootstrap()
        let helper = StreamProcessorTests()
        let customers = helper.uniqueSchemas([try customersStream()])[0]
        let config = try await TestBroker.configuration()
        _ = try await KafkaAdmin(configuration: config).createTopics([
            TopicSpec(name: customers.topic, partitions: 2), TopicSpec(name: customers.deadLetterTopic),
        ])
        var generator = RecordGenerator(
            schema: customers, mix: .init(updateRatio: 0.3, deleteRatio: 0.1, lateRatio: 0.05, invalidRatio: 0.05), seed: 11,
            schemaEnvelope: true)
        let producer = try KafkaProducer(configuration: config)
        var model: [Int64: String] = [:]
        var tombstones = 0, invalid = 0, total = 0
        let start = Int64(Date().timeIntervalSince1970 * 1_000_000) - 3_600_000_000
        for i in 0..<400 {
            let record = generator.next(nowMicros: start + Int64(i) * 1000)
            try await producer.enqueue(topic: customers.topic, key: Array(record.key.utf8), value: record.value)
            total += 1
            switch record.kind {
            case .tombstone: tombstones += 1
            case .invalid: invalid += 1
            case .lateUpdate: break
            default:
                let payload = try #require(try JSONValue.parse(bytes: record.value)["payload"])
                if record.kind == GeneratedKind.delete {
                    model[try #require(payload["before"]?["id"]?.int)] = nil
                } else {
                    let after = try #require(payload["after"])
                    let row = try #require(try JSONSerialization.jsonObject(with: Data(after.json.utf8)) as? [String: Any])
                    model[try #require(after["id"]?.int)] = ChangeEventFixture.line(row)
                }
            }
        }
        try await producer.flush()
        #expect(tombstones > 10 && invalid > 5)
        let produced = total

        let lake = try TestEnvironment.temporaryDirectory("cdc-generated")
        defer { try? FileManager.default.removeItem(at: lake) }
        let processor = StreamProcessor(
            configuration: try await helper.processorConfig([customers], group: TestBroker.uniqueName("cdc-gen")),
            sink: HudiTableSink(root: try LocalObjectStore(root: lake), schemas: [customers]))
        try await helper.runProcessor(processor) { (processor.stats.committed[customers.topic] ?? 0) >= produced }
        #expect(processor.stats.tombstonesSkipped[customers.topic] == tombstones)

        let rows = try runPython([HudiPipelineTests.reader, lake.appendingPathComponent(customers.table).path]).stdoutText
            .split(separator: "\n").compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let lines = rows.map(ChangeEventFixture.line).sorted()
        let expected = model.values.sorted()
        #expect(lines == expected, "missing \(Set(expected).subtracting(lines).sorted().prefix(3)), extra \(Set(lines).subtracting(expected).sorted().prefix(3))")
        #expect(try await helper.deadLetters(customers.deadLetterTopic).count == invalid)

        let samples = Exposition.parse(MetricsExport.render())
        let skipped = samples.first { $0.name == "tributary_tombstones_skipped_total" && $0.labels == ["topic": customers.topic] }?.value
        #expect(skipped == Double(tombstones))
    }
}

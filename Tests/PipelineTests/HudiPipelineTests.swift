import Foundation
import Hudi
import KafkaClient
import KafkaTesting
import ObjectStore
import Testing
import TributaryTesting
@testable import Pipeline

/// Kafka → processor → Hudi tables on a local folder, judged by hudi-rs: the tables hold
/// exactly the model's keys, each once, `_batch_id` equals the commit time, and a restart
/// neither duplicates nor loses anything.
@Suite(.serialized) struct HudiPipelineTests {
    static let reader = TestEnvironment.packageRoot.appendingPathComponent("Tests/HudiTests/oracle/read_table.py").path

    /// Rows of a table as hudi-rs reads them.
    func hudiRows(_ path: URL) throws -> [[String: Any]] {
        let out = try runPython([Self.reader, path.path])
        return out.stdoutText.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    @Test func processorWritesHudiTablesThatHudiRsReads() async throws {
        let helper = StreamProcessorTests()
        let schemas = helper.uniqueSchemas([.seed("user_events")!, .seed("transactions")!])
        let config = try await TestBroker.configuration()
        _ = try await KafkaAdmin(configuration: config).createTopics(
            schemas.flatMap { [TopicSpec(name: $0.topic, partitions: 2), TopicSpec(name: $0.deadLetterTopic)] })
        var model = try await helper.produce(schemas, n: 300, seed: 21, config: config)

        let lake = try TestEnvironment.temporaryDirectory("lake")
        let store = try LocalObjectStore(root: lake)
        let group = TestBroker.uniqueName("hudi-proc")
        let first = StreamProcessor(configuration: try await helper.processorConfig(schemas, group: group),
                                    sink: HudiTableSink(root: store, schemas: schemas))
        try await helper.runProcessor(first) { schemas.allSatisfy { (first.stats.committed[$0.topic] ?? 0) >= 300 } }
        // A stopped processor released its tables' writer leases.
        for schema in schemas {
            #expect(try await !store.exists("\(schema.topic)/\(WriterLease.defaultKey)"), "\(schema.topic) lease left behind")
        }

        // More records, a new processor: it resumes from the tables' checkpoints.
        let more = try await helper.produce([schemas[0]], n: 100, seed: 22, config: config)
        model[schemas[0].topic]?.keys.formUnion(more[schemas[0].topic]?.keys ?? [])
        let second = StreamProcessor(configuration: try await helper.processorConfig(schemas, group: group),
                                     sink: HudiTableSink(root: store, schemas: schemas))
        try await helper.runProcessor(second) { (second.stats.committed[schemas[0].topic] ?? 0) >= 100 }
        #expect(second.stats.consumed[schemas[1].topic] == nil)

        for schema in schemas {
            let rows = try hudiRows(lake.appendingPathComponent(schema.topic))
            let keys = rows.compactMap { $0[schema.recordKey] as? String }
            #expect(keys.count == Set(keys).count, "duplicate keys in \(schema.tableName)")
            // Each feed deletes only its own keys (separate seeds), so the union is exact.
            #expect(Set(keys) == model[schema.topic]?.keys ?? [], "\(schema.topic)")
            for row in rows {
                #expect(row["_batch_id"] as? String == row["_hoodie_commit_time"] as? String)
                #expect((row["_hoodie_partition_path"] as? String)?.hasPrefix("event_date=") == true)
                #expect(row["_hoodie_record_key"] as? String == row[schema.recordKey] as? String)
            }
            let table = try await HudiTable.open(store: try store.scoped(to: schema.topic))
            let checkpoint = try await table.latestExtraMetadataValue(KafkaCheckpoint.metadataKey)
            #expect(checkpoint?.hasPrefix(schema.topic + ",") == true)
        }
    }
}

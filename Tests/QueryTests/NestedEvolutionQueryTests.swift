import Foundation
import Hudi
import ObjectStore
import Pipeline
import Testing
import TributaryTesting
@testable import Query

/// The SQL views over a table whose nested columns gained members (the `orders` stream of
/// the pipeline fixtures, its schema file changed between two commits): rows written before
/// read null for the new members, in base files and in merge-on-read log blocks alike.
@Suite(.serialized) struct NestedEvolutionQueryTests {
    static let fixture = TestEnvironment.packageRoot.appendingPathComponent("Tests/PipelineTests/Fixtures/orders")
    static let now: Int64 = 1_795_687_200_000_000

    static func order(_ id: String, updated: String, address: String, items: String) -> String {
        #"{"order_id":"\#(id)","line_no":1,"created_at":"2026-11-26T09:15:00Z","updated_at":"\#(updated)","amount":"10.00","customer":{"name":"Ada","address":\#(address)},"items":\#(items)}"#
    }

    /// Decodes `messages` with `schema` and commits them through the sink.
    static func commit(_ sink: HudiTableSink, _ schema: TopicSchema, _ messages: [String], firstOffset: Int64) async throws {
        var decoder = RecordDecoder(schema: schema, nowMicros: now)
        for (i, m) in messages.enumerated() {
            var bytes = Array(m.utf8)
            let rejected = bytes.withUnsafeMutableBytes { decoder.append(UnsafeRawBufferPointer($0), partition: 0, offset: firstOffset + Int64(i)) }
            #expect(rejected == nil, "\(m)")
        }
        let expected = try await sink.checkpoint(topic: schema.topic)
        let id = try await sink.newBatchID(topic: schema.topic)
        try await sink.commit(CommitRequest(topic: schema.topic, records: decoder.finish(batchID: id, ingestedAtMicros: now), expected: expected,
                                            checkpoint: KafkaCheckpoint(topic: schema.topic, offsets: [0: firstOffset + Int64(messages.count)]),
                                            batchID: id))
    }

    @Test(arguments: [TableType.copyOnWrite, .mergeOnRead])
    func viewsReadNewNestedMembersNullInOlderFiles(_ type: TableType) async throws {
        let folder = try TestEnvironment.temporaryDirectory("orders-query-definition")
        let lake = try TestEnvironment.temporaryDirectory("orders-query-lake")
        defer {
            try? FileManager.default.removeItem(at: folder)
            try? FileManager.default.removeItem(at: lake)
        }
        for name in ["tributary.toml", "orders.schema.json", "orders.quality.json"] {
            try FileManager.default.copyItem(at: Self.fixture.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let config = folder.appendingPathComponent("tributary.toml").path
        let store = try LocalObjectStore(root: lake)
        let first = try StreamCatalog.load(configFile: config)[0]
        try await Self.commit(HudiTableSink(root: store, schemas: [first], tableType: type), first, [
            Self.order("A1", updated: "2026-11-26T09:20:00Z", address: #"{"city":"Paris"}"#, items: #"[{"sku":"k1","qty":1}]"#),
            Self.order("A2", updated: "2026-11-26T09:20:00Z", address: #"{"city":"Lyon"}"#, items: "[]"),
        ], firstOffset: 0)

        // The schema file gains customer.address.country and items[].note.
        let schemaFile = folder.appendingPathComponent("orders.schema.json")
        let text = try String(contentsOf: schemaFile, encoding: .utf8)
            .replacingOccurrences(of: #""zip": { "type": "string" } }"#, with: #""zip": { "type": "string" }, "country": { "type": "string" } }"#)
            .replacingOccurrences(of: #""price": { "type": "number" }"#, with: #""price": { "type": "number" }, "note": { "type": "string" }"#)
        try text.write(to: schemaFile, atomically: true, encoding: .utf8)
        let evolved = try StreamCatalog.load(configFile: config)[0]
        // A1 is updated (a log block on merge-on-read, a rewrite on copy-on-write), A3 is new, A2 stays as written.
        try await Self.commit(HudiTableSink(root: store, schemas: [evolved], tableType: type), evolved, [
            Self.order("A1", updated: "2026-11-26T09:40:00Z", address: #"{"city":"Nice","country":"FR"}"#, items: #"[{"sku":"k1","qty":2,"note":"gift"}]"#),
            Self.order("A3", updated: "2026-11-26T09:40:00Z", address: #"{"city":"Gent","country":"BE"}"#, items: #"[{"sku":"k9","qty":1}]"#),
        ], firstOffset: 2)

        let table = try await HudiTable.open(store: try LocalObjectStore(root: lake.appendingPathComponent("orders")))
        #expect(try await table.planSnapshot().hasLogFiles == (type == .mergeOnRead))
        let service = try QueryService(lake: store, configuration: testConfiguration())
        let result = try await service.query(
            "SELECT order_id, customer.address.city AS city, customer.address.country AS country, items[1].note AS note FROM orders")
        #expect(jsonLines(result) == [
            #"{"order_id":"A1","city":"Nice","country":"FR","note":"gift"}"#,
            #"{"order_id":"A2","city":"Lyon","country":null,"note":null}"#,
            #"{"order_id":"A3","city":"Gent","country":"BE","note":null}"#,
        ])
        await service.pool.shutdown()
    }
}

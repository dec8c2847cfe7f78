import Foundation
import Hudi
import ObjectStore
import Testing
import TributaryTesting
@testable import Pipeline

/// The user-defined `orders` stream end to end below Kafka: a mixed feed (inserts, updates,
/// late updates, deletes, a stale delete, invalid records at every level) decoded by its
/// compiled schema and committed by the Hudi sink; hudi-rs and DuckDB read exactly the model,
/// nested types included.
@Suite struct UserStreamTableTests {
    static let reader = TestEnvironment.packageRoot.appendingPathComponent("Tests/HudiTests/oracle/read_table.py").path

    static func order(_ id: String, line: Int, updated: String, amount: String = "10.00", city: String = "Paris",
                      items: String = #"[{"sku":"k1","qty":2,"price":1.5}]"#, op: String? = nil) -> String {
        let opText = op.map { #","_op":"\#($0)""# } ?? ""
        return #"{"order_id":"\#(id)","line_no":\#(line),"created_at":"2026-11-26T09:15:00Z","updated_at":"\#(updated)","ship_date":"2026-11-28","amount":"\#(amount)","customer":{"name":"Ada","address":{"city":"\#(city)"}},"items":\#(items),"tags":["x"]\#(opText)}"#
    }

    /// Decodes `messages` (offsets from `firstOffset`) and commits the valid ones.
    func commit(_ sink: HudiTableSink, _ schema: TopicSchema, _ messages: [String], firstOffset: Int64) async throws -> [Rejection?] {
        var decoder = RecordDecoder(schema: schema, nowMicros: now)
        var outcomes: [Rejection?] = []
        for (i, m) in messages.enumerated() {
            var bytes = Array(m.utf8)
            outcomes.append(bytes.withUnsafeMutableBytes { decoder.append(UnsafeRawBufferPointer($0), partition: 0, offset: firstOffset + Int64(i)) })
        }
        let expected = try await sink.checkpoint(topic: schema.topic)
        let id = try await sink.newBatchID(topic: schema.topic)
        let batch = decoder.finish(batchID: id, ingestedAtMicros: now)
        try await sink.commit(CommitRequest(topic: schema.topic, records: batch, expected: expected,
                                            checkpoint: KafkaCheckpoint(topic: schema.topic, offsets: [0: firstOffset + Int64(messages.count)]),
                                            batchID: id))
        return outcomes
    }

    @Test func mixedFeedLandsAsTheModelReadByHudiRsAndDuckDB() async throws {
        let orders = try ordersStream()
        let lake = try TestEnvironment.temporaryDirectory("orders-lake")
        defer { try? FileManager.default.removeItem(at: lake) }
        let sink = HudiTableSink(root: try LocalObjectStore(root: lake), schemas: [orders])

        let first = try await commit(sink, orders, [
            Self.order("A1", line: 1, updated: "2026-11-26T09:20:00Z"),
            Self.order("A1", line: 2, updated: "2026-11-26T09:20:00Z", items: "[]"),
            Self.order("A2", line: 1, updated: "2026-11-26T09:20:00Z", city: "Lyon"),
            Self.order("A3", line: 1, updated: "2026-11-26T09:20:00Z"),
            Self.order("A9", line: 1, updated: "2026-11-26T09:20:00Z", amount: "-1"),                          // quality
            Self.order("A9", line: 2, updated: "2026-11-26T09:20:00Z", items: #"[{"sku":"k","qty":"2"}]"#),   // schema, nested
        ], firstOffset: 0)
        #expect(first.prefix(4).allSatisfy { $0 == nil })
        #expect(first[4]?.stage == .quality)
        #expect(first[5]?.stage == .schema && first[5]?.reason.contains("items[0].qty") == true)

        let second = try await commit(sink, orders, [
            Self.order("A1", line: 1, updated: "2026-11-26T09:40:00Z", amount: "20.00", city: "Nice"),   // update: wins
            Self.order("A2", line: 1, updated: "2026-11-26T09:00:00Z", city: "Late"),                    // late update: loses
            #"{"order_id":"A3","line_no":1,"created_at":"2026-11-26T09:15:00Z","updated_at":"2026-11-26T09:30:00Z","_op":"delete"}"#,
            #"{"order_id":"A1","line_no":2,"created_at":"2026-11-26T09:15:00Z","updated_at":"2026-11-26T09:00:00Z","_op":"delete"}"#, // stale delete: loses
            Self.order("A4", line: 7, updated: "2026-11-26T09:50:00Z", items: #"[{"sku":"a","qty":1},{"sku":"b","qty":3,"price":2}]"#),
        ], firstOffset: 6)
        #expect(second.allSatisfy { $0 == nil })

        let table = lake.appendingPathComponent("orders")
        let rows = try runPython([Self.reader, table.path]).stdoutText.split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let byKey = Dictionary(rows.map { ($0["_hoodie_record_key"] as? String ?? "?", $0) }) { a, _ in a }
        #expect(Set(byKey.keys) == ["order_id:A1,line_no:1", "order_id:A1,line_no:2", "order_id:A2,line_no:1", "order_id:A4,line_no:7"])
        #expect(rows.count == 4)
        let a1 = try #require(byKey["order_id:A1,line_no:1"])
        #expect(a1["amount"] as? String == "20.00")
        #expect(a1["ship_date"] as? String == "2026-11-28")
        #expect(a1["event_hour"] as? String == "2026-11-26T09")
        #expect(a1["_hoodie_partition_path"] as? String == "event_hour=2026-11-26T09")
        #expect(((a1["customer"] as? [String: Any])?["address"] as? [String: Any])?["city"] as? String == "Nice")
        #expect(((byKey["order_id:A2,line_no:1"]?["customer"] as? [String: Any])?["address"] as? [String: Any])?["city"] as? String == "Lyon")
        #expect((byKey["order_id:A1,line_no:2"]?["items"] as? [Any])?.isEmpty == true)
        let a4items = try #require(byKey["order_id:A4,line_no:7"]?["items"] as? [[String: Any]])
        #expect(a4items.map { $0["sku"] as? String } == ["a", "b"])
        #expect(a4items.map { $0["qty"] as? Int } == [1, 3])
        #expect(a4items[0]["price"] is NSNull && a4items[1]["price"] as? Double == 2)

        // DuckDB reaches the nested fields of the same files.
        let table2 = try await HudiTable.open(store: try LocalObjectStore(root: table))
        let files = try await table2.planSnapshot().filePaths.map { "'" + table.appendingPathComponent($0).path + "'" }
        let sql = """
            SELECT order_id, line_no, customer.address.city, list_count(items), items[1].sku, tags[1], amount::VARCHAR
            FROM read_parquet([\(files.joined(separator: ","))]) ORDER BY order_id, line_no;
            """
        let out = try runProcess(TestEnvironment.nativeTool("duckdb"), ["-csv", "-noheader", "-c", sql])
        #expect(out.stdoutText.split(separator: "\n").map(String.init) == [
            "A1,1,Nice,1,k1,x,20.00", "A1,2,Paris,0,NULL,x,10.00", "A2,1,Lyon,1,k1,x,10.00", "A4,7,Paris,2,a,x,10.00",
        ])
    }

    @Test func changedDefinitionsAreCheckedAgainstTheTableAtStart() async throws {
        let orders = try ordersStream()
        let lake = try TestEnvironment.temporaryDirectory("orders-evolve")
        defer { try? FileManager.default.removeItem(at: lake) }
        let store = try LocalObjectStore(root: lake)
        #expect(try await commit(HudiTableSink(root: store, schemas: [orders]), orders, [Self.order("A1", line: 1, updated: "2026-11-26T09:20:00Z")], firstOffset: 0) == [nil])

        func refusal(_ changed: TopicSchema) async -> String? {
            do {
                _ = try await HudiTableSink(root: store, schemas: [changed]).checkpoint(topic: changed.topic)
                return nil
            } catch { return "\(error)" }
        }
        var key = orders
        key.recordKeyFields = ["order_id"]
        #expect(await refusal(key)?.contains("stream orders: record_key is [\"order_id\"]") == true)
        var ordering = orders
        ordering.precombineField = "created_at"
        #expect(await refusal(ordering)?.contains("precombine is created_at") == true)
        var partition = orders
        partition.partition = StreamPartition(field: "created_at", granularity: .day)
        #expect(await refusal(partition)?.contains("partition column is event_date but the table's is event_hour") == true)
        var typeChange = orders
        typeChange.fields[5] = TopicField("amount", .double, required: true)
        #expect(await refusal(typeChange)?.contains("column amount changes type") == true)
        var newRequired = orders
        newRequired.fields.append(TopicField("channel", .string, required: true))
        #expect(await refusal(newRequired)?.contains("new column channel") == true)
        var nestedRequired = orders
        guard case .group(var customer, let closed) = nestedRequired.fields[9].type else { Issue.record("customer"); return }
        customer.append(TopicField("vip", .boolean, required: true))
        nestedRequired.fields[9].type = .group(customer, closed: closed)
        #expect(await refusal(nestedRequired)?.contains("new member customer.vip") == true)

        // A new optional top-level field evolves the table: older rows read null (nested
        // members: StreamEvolutionTests).
        var evolved = orders
        evolved.fields.append(TopicField("channel", .string))
        let message = Self.order("A2", line: 1, updated: "2026-11-26T09:30:00Z")
            .replacingOccurrences(of: #""tags":["x"]"#, with: #""tags":["x"],"channel":"web""#)
        #expect(try await commit(HudiTableSink(root: store, schemas: [evolved]), evolved, [message], firstOffset: 1) == [nil])
        let rows = try runPython([Self.reader, lake.appendingPathComponent("orders").path]).stdoutText.split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let byKey = Dictionary(rows.map { ($0["order_id"] as? String ?? "?", $0) }) { a, _ in a }
        #expect(byKey["A1"]?["channel"] is NSNull)
        #expect(byKey["A2"]?["channel"] as? String == "web")
    }
}

import Foundation
import Hudi
import ObjectStore
import Testing
import TributaryTesting
@testable import Pipeline

/// A stream definition's JSON Schema file changed between two runs of the sink (as between
/// two processor runs): new optional members inside nested objects and inside the objects
/// of an array evolve the table, read by hudi-rs with the older rows null there; type
/// changes, removed members and new required members are refused at start naming the
/// stream and the member's path, and the table keeps its commits.
@Suite struct StreamEvolutionTests {
    /// The `orders` fixture copied to a folder of its own, so its schema file can change.
    func copyOfOrders() throws -> (folder: URL, config: String, schema: URL) {
        let fixture = try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures/orders")
        let folder = try TestEnvironment.temporaryDirectory("orders-definition")
        for name in ["tributary.toml", "orders.schema.json", "orders.quality.json"] {
            try FileManager.default.copyItem(at: fixture.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        return (folder, folder.appendingPathComponent("tributary.toml").path, folder.appendingPathComponent("orders.schema.json"))
    }

    /// The schema file with `replacements` applied (each must match).
    func edit(_ file: URL, _ replacements: [(String, String)]) throws {
        var text = try String(contentsOf: file, encoding: .utf8)
        for (old, new) in replacements {
            #expect(text.contains(old), "\(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        try text.write(to: file, atomically: true, encoding: .utf8)
    }

    @Test func changedSchemaFileEvolvesNestedMembersOrIsRefusedWithThePath() async throws {
        let (folder, config, schemaFile) = try copyOfOrders()
        let lake = try TestEnvironment.temporaryDirectory("orders-nested-evolve")
        defer {
            try? FileManager.default.removeItem(at: lake)
            try? FileManager.default.removeItem(at: folder)
        }
        let store = try LocalObjectStore(root: lake)
        let run = UserStreamTableTests()
        let first = try StreamCatalog.load(configFile: config)[0]
        #expect(try await run.commit(HudiTableSink(root: store, schemas: [first]), first,
                                     [UserStreamTableTests.order("A1", line: 1, updated: "2026-11-26T09:20:00Z")], firstOffset: 0) == [nil])
        let original = try String(contentsOf: schemaFile, encoding: .utf8)

        // Run 2: address gains `country`, the items' objects gain `note`.
        let optional: [(String, String)] = [
            (#""zip": { "type": "string" } }"#, #""zip": { "type": "string" }, "country": { "type": "string" } }"#),
            (#""price": { "type": "number" }"#, #""price": { "type": "number" }, "note": { "type": "string" }"#),
        ]
        try edit(schemaFile, optional)
        let evolved = try StreamCatalog.load(configFile: config)[0]
        let message = UserStreamTableTests.order("A2", line: 1, updated: "2026-11-26T09:30:00Z",
                                                 items: #"[{"sku":"k2","qty":1,"note":"gift"},{"sku":"k3","qty":2}]"#)
            .replacingOccurrences(of: #""city":"Paris""#, with: #""city":"Paris","country":"FR""#)
        #expect(try await run.commit(HudiTableSink(root: store, schemas: [evolved]), evolved, [message], firstOffset: 1) == [nil])
        let tablePath = lake.appendingPathComponent("orders").path
        let rows = try runPython([UserStreamTableTests.reader, tablePath]).stdoutText.split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let byKey = Dictionary(rows.map { ($0["order_id"] as? String ?? "?", $0) }) { a, _ in a }
        func address(_ key: String) -> [String: Any]? { (byKey[key]?["customer"] as? [String: Any])?["address"] as? [String: Any] }
        func items(_ key: String) -> [[String: Any]] { byKey[key]?["items"] as? [[String: Any]] ?? [] }
        #expect(address("A1")?["country"] is NSNull && address("A1")?["city"] as? String == "Paris")
        #expect(address("A2")?["country"] as? String == "FR")
        #expect(items("A1").count == 1 && items("A1")[0]["note"] is NSNull && items("A1")[0]["sku"] as? String == "k1")
        #expect(items("A2").map { $0["note"] as? String } == ["gift", nil] && items("A2")[1]["note"] is NSNull)
        let table = try await HudiTable.open(store: try LocalObjectStore(root: lake.appendingPathComponent("orders")))
        let commits = try await table.timeline().instants.count
        #expect(try await table.currentSchema()?.contains(#""name":"country""#) == true)

        // Run 3: incompatible edits of the (evolved) file, each refused naming the path.
        func refusal(_ replacements: [(String, String)]) async throws -> String {
            try original.write(to: schemaFile, atomically: true, encoding: .utf8)
            try edit(schemaFile, optional + replacements)
            let changed = try StreamCatalog.load(configFile: config)[0]
            do {
                _ = try await HudiTableSink(root: store, schemas: [changed]).checkpoint(topic: changed.topic)
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        let retyped = try await refusal([(#""city": { "type": "string" }"#, #""city": { "type": "integer" }"#)])
        #expect(retyped.contains("stream orders: member customer.address.city changes type"), "\(retyped)")
        let element = try await refusal([(#""price": { "type": "number" }"#, #""price": { "type": "string" }"#)])
        #expect(element.contains("stream orders: member items[].price changes type"), "\(element)")
        let removed = try await refusal([(#""email": { "type": "string", "format": "email" },"#, "")])
        #expect(removed.contains("member customer.email") && removed.contains("removed"), "\(removed)")
        let required = try await refusal([(#""required": ["sku", "qty"]"#, #""required": ["sku", "qty", "vat"]"#),
                                          (#""note": { "type": "string" }"#, #""note": { "type": "string" }, "vat": { "type": "number" }"#)])
        #expect(required.contains("stream orders: new member items[].vat") && required.contains("must be nullable"), "\(required)")
        let tags = try await refusal([(#""tags": { "type": "array", "items": { "type": "string" } }"#, #""tags": { "type": "array", "items": { "type": "integer" } }"#)])
        #expect(tags.contains("the elements of list tags change type"), "\(tags)")
        #expect(try await table.timeline().instants.count == commits)
        #expect(try runPython([UserStreamTableTests.reader, tablePath]).stdoutText.split(separator: "\n").count == 2)
    }
}

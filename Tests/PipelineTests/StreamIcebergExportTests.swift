import Catalog
import CatalogTesting
import Foundation
import Hudi
import ObjectStore
import Testing
import TributaryCore
import TributaryTesting
@testable import Pipeline

/// The user-defined `orders` stream — objects two levels deep, an array of objects, an array
/// of strings, an object without properties (JSON text), a decimal, a date — exported to
/// Iceberg and read by pyiceberg; its schema file gains nested members between two commits,
/// and the Iceberg table a new schema whose older field ids are unchanged.
@Suite struct StreamIcebergExportTests {
    static let first = [
        #"{"order_id":"A1","line_no":1,"created_at":"2026-11-26T09:15:00Z","updated_at":"2026-11-26T09:20:00Z","ship_date":"2026-11-28","amount":"10.00","customer":{"name":"Ada","address":{"city":"Paris","zip":"75001"}},"items":[{"sku":"k1","qty":2,"price":1.5},{"sku":"k2","qty":1}],"tags":["x","y"],"attributes":{"gift":true}}"#,
        #"{"order_id":"A2","line_no":1,"created_at":"2026-11-26T09:15:00Z","updated_at":"2026-11-26T09:20:00Z","amount":"5.50","customer":{"name":"Bo"},"items":[],"tags":[]}"#,
    ]
    /// After the schema file gained `customer.address.country` and `items[].note`.
    static let second = [
        #"{"order_id":"A1","line_no":1,"created_at":"2026-11-26T09:15:00Z","updated_at":"2026-11-26T09:40:00Z","ship_date":"2026-11-28","amount":"10.00","customer":{"name":"Ada","address":{"city":"Paris","country":"FR"}},"items":[{"sku":"k1","qty":3,"note":"gift"}],"tags":["x"]}"#,
        #"{"order_id":"A3","line_no":1,"created_at":"2026-11-26T10:05:00Z","updated_at":"2026-11-26T10:05:00Z","amount":"7.25","customer":{"name":"Cy","address":{"city":"Gent","country":"BE"}},"items":[{"sku":"k9","qty":1,"price":2.25}]}"#,
    ]

    /// The columns compared, keys sorted at every level as the oracle prints them.
    static func projected(_ row: JSONValue) -> JSONValue {
        let keys = ["amount", "customer", "items", "order_id", "ship_date", "tags"]
        return .object(keys.map { k in (k, row[k] ?? .null) })
    }

    static func rows(_ texts: [String]) throws -> [JSONValue] {
        try texts.map { try JSONValue.parse($0) }.sorted { ($0["order_id"]?.string ?? "") < ($1["order_id"]?.string ?? "") }
    }

    @Test func ordersExportToIcebergAndANewNestedMemberEvolvesIt() async throws {
        let evolution = StreamEvolutionTests()
        let (folder, config, schemaFile) = try evolution.copyOfOrders()
        let lake = try TestEnvironment.temporaryDirectory("orders-iceberg")
        defer {
            try? FileManager.default.removeItem(at: lake)
            try? FileManager.default.removeItem(at: folder)
        }
        let store = try LocalObjectStore(root: lake)
        let run = UserStreamTableTests()
        let v1 = try StreamCatalog.load(configFile: config)[0]
        #expect(try await run.commit(HudiTableSink(root: store, schemas: [v1]), v1, Self.first, firstOffset: 0) == [nil, nil])
        try evolution.edit(schemaFile, [
            (#""zip": { "type": "string" } }"#, #""zip": { "type": "string" }, "country": { "type": "string" } }"#),
            (#""price": { "type": "number" }"#, #""price": { "type": "number" }, "note": { "type": "string" }"#),
        ])
        let v2 = try StreamCatalog.load(configFile: config)[0]
        #expect(try await run.commit(HudiTableSink(root: store, schemas: [v2]), v2, Self.second, firstOffset: 2) == [nil, nil])

        let tableRoot = lake.appendingPathComponent("orders")
        let table = try await HudiTable.open(store: try LocalObjectStore(root: tableRoot))
        let export = try await HudiIcebergExporter(table: table, location: tableRoot.absoluteURL.absoluteString).export()
        let schemas = export.metadata.schemas
        try #require(schemas.count == 2 && export.metadata.snapshots.count == 2)
        let (old, new) = (schemas[0].idsByPath, schemas[1].idsByPath)
        #expect(new.filter { old[$0.key] != nil } == old)
        let added = new.filter { old[$0.key] == nil }
        #expect(Set(added.keys) == ["customer.address.country", "items.element.note"])
        #expect(added.values.allSatisfy { $0 > old.values.max() ?? 0 })
        #expect(schemas[1].field(named: "attributes")?.type == .string)  // an object without properties: JSON text

        let scans = try IcebergOracle.scan(metadata: tableRoot.appendingPathComponent(try #require(export.metadataKey)).path, [
            .object([("snapshot_id", .int(export.metadata.snapshots[0].snapshotID))]),
            .object([("snapshot_id", .null)]),
        ])
        try #require(scans.count == 2)
        #expect(scans.map(\.schemaID) == [0, 1])
        let before = try Self.rows([
            #"{"amount":"10.00","customer":{"address":{"city":"Paris","zip":"75001"},"email":null,"name":"Ada"},"items":[{"price":1.5,"qty":2,"sku":"k1"},{"price":null,"qty":1,"sku":"k2"}],"order_id":"A1","ship_date":"2026-11-28","tags":["x","y"]}"#,
            #"{"amount":"5.50","customer":{"address":null,"email":null,"name":"Bo"},"items":[],"order_id":"A2","ship_date":null,"tags":[]}"#,
        ])
        #expect(try Self.rows(scans[0].rows.map { Self.projected($0).json }) == before)
        let after = try Self.rows([
            #"{"amount":"10.00","customer":{"address":{"city":"Paris","country":"FR","zip":null},"email":null,"name":"Ada"},"items":[{"note":"gift","price":null,"qty":3,"sku":"k1"}],"order_id":"A1","ship_date":"2026-11-28","tags":["x"]}"#,
            #"{"amount":"5.50","customer":{"address":null,"email":null,"name":"Bo"},"items":[],"order_id":"A2","ship_date":null,"tags":[]}"#,
            #"{"amount":"7.25","customer":{"address":{"city":"Gent","country":"BE","zip":null},"email":null,"name":"Cy"},"items":[{"note":null,"price":2.25,"qty":1,"sku":"k9"}],"order_id":"A3","ship_date":null,"tags":null}"#,
        ])
        #expect(try Self.rows(scans[1].rows.map { Self.projected($0).json }) == after)
        #expect(scans[1].rows.first { $0["order_id"]?.string == "A1" }?["attributes"] == .null)
        #expect(scans[0].rows.first { $0["order_id"]?.string == "A1" }?["attributes"]?.string?.contains("gift") == true)
        for (path, id) in new { #expect(scans[1].ids[path] == id, "\(path)") }
    }
}

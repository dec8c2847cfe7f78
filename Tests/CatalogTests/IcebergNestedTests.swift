import Catalog
import CatalogTesting
import Foundation
import Hudi
import ObjectStore
import Parquet
import Testing
import TributaryCore
import TributaryTesting

/// A table with nested columns — shaped as a user-defined stream with nested objects and
/// arrays writes it — exported to Iceberg: structs, lists and maps with field ids of their
/// own, read by pyiceberg value for value; a new optional nested member evolves the Iceberg
/// schema (a new schema id, the old ids kept, new ones appended; older files read it as null).
@Suite(.serialized) struct IcebergNestedTests {
    /// `customer {name, address {city, zip, country (v2)}}`, `items [{sku, qty, note (v2)}]`,
    /// `tags [string]`, `attributes {string: string}`.
    static func fields(evolved: Bool) -> [Field] {
        let address = Field("address", .group([Field("city", .string), Field("zip", .string)] + (evolved ? [Field("country", .string)] : [])))
        let item = Field("element", .group([Field("sku", .string, nullable: false), Field("qty", .int64)] + (evolved ? [Field("note", .string)] : [])))
        return [
            Field("order_id", .string, nullable: false), Field("ts", .int64, nullable: false), Field("day", .string, nullable: false),
            Field("customer", .group([Field("name", .string), address])),
            Field("items", .list(item)),
            Field("tags", .list(of: .string)),
            Field("attributes", .map(.string, .string)),
        ]
    }

    /// A row; the nested columns as JSON (objects for groups and maps, arrays for lists;
    /// a member left out is null).
    struct Order {
        var id: String
        var ts: Int64
        var day: String
        var nested: [JSONValue]  // customer, items, tags, attributes
    }

    static func batch(_ orders: [Order], evolved: Bool) throws -> RecordBatch {
        let fields = fields(evolved: evolved)
        var nested: [String: NestedColumn] = [:]
        for (i, f) in fields.dropFirst(3).enumerated() {
            var builder = try NestedColumnBuilder(f)
            for o in orders { try append(o.nested[i], f.type, to: &builder) }
            nested[f.name] = try builder.finish()
        }
        let placeholders = fields.dropFirst(3).map { _ in Column.boolean(orders.map { _ in false }) }
        var b = RecordBatch(fields: fields, columns: [.strings(orders.map(\.id)), .int64(orders.map(\.ts)), .strings(orders.map(\.day))] + placeholders,
                            recordKeys: orders.map(\.id), partitionValues: orders.map(\.day), orderingValues: orders.map(\.ts))
        b.nestedColumns = nested
        return b
    }

    struct ModelError: Error { var message: String }

    static func append(_ v: JSONValue, _ type: FieldType, to b: inout NestedColumnBuilder) throws {
        switch (v, type) {
        case (.null, _):
            try b.appendNull()
        case (.object(let members), .group(let children)):
            try b.beginGroup()
            for (name, value) in members {
                guard let i = children.firstIndex(where: { $0.name == name }) else { throw ModelError(message: "no member \(name)") }
                try b.field(i)
                try append(value, children[i].type, to: &b)
            }
            try b.endGroup()
        case (.array(let elements), .list(let element)):
            try b.beginList()
            for e in elements { try append(e, element.type, to: &b) }
            try b.endList()
        case (.object(let entries), .map(_, let value)):
            try b.beginMap()
            for (k, x) in entries {
                try b.append(k)
                try append(x, value.type, to: &b)
            }
            try b.endMap()
        case (.string(let s), _): try b.append(s)
        case (.int(let n), _): try b.append(n)
        default: throw ModelError(message: "\(v.pretty()) for \(type)")
        }
    }

    /// A nested value as pyiceberg returns it under `type`: every member (null when not
    /// given), keys sorted; a map as its [key, value] entries.
    static func expected(_ v: JSONValue, _ type: FieldType) -> JSONValue {
        switch (v, type) {
        case (.null, .list(let element)):
            // pyiceberg 0.12 rebuilds a list of structs without its validity: a null one
            // reads as [] (apache/iceberg-python#3833; the base file holds the null).
            if case .group = element.type { return .array([]) }
            return .null
        case (.object(let members), .group(let children)):
            return .object(children.map { c in (c.name, expected(members.first { $0.0 == c.name }?.1 ?? .null, c.type)) }.sorted { $0.0 < $1.0 })
        case (.array(let elements), .list(let element)):
            return .array(elements.map { expected($0, element.type) })
        case (.object(let entries), .map(_, let value)):
            return .array(entries.map { .array([.string($0.0), expected($0.1, value.type)]) })
        default:
            return v
        }
    }

    /// The row pyiceberg must return (meta columns but the sequence number and file name).
    static func expected(_ o: Order, commit: String, evolved: Bool) -> JSONValue {
        let fields = fields(evolved: evolved)
        var row: [(String, JSONValue)] = [
            ("_hoodie_commit_time", .string(commit)), ("_hoodie_record_key", .string(o.id)),
            ("_hoodie_partition_path", .string("day=\(o.day)")), ("order_id", .string(o.id)), ("ts", .int(o.ts)), ("day", .string(o.day)),
        ]
        for (f, v) in zip(fields.dropFirst(3), o.nested) { row.append((f.name, expected(v, f.type))) }
        return .object(row.sorted { $0.0 < $1.0 })
    }

    /// Scanned rows without the sequence number and file name, in `.json` order.
    static func scanned(_ rows: [JSONValue]) -> [JSONValue] {
        rows.map { r in
            guard case .object(let pairs) = r else { return r }
            return .object(pairs.filter { $0.0 != "_hoodie_commit_seqno" && $0.0 != "_hoodie_file_name" })
        }.sorted { $0.json < $1.json }
    }

    static func s(_ v: String) -> JSONValue { .string(v) }

    /// The first commit's rows, nulls at each level: a null object, an object of nulls, a
    /// null member object, a null list and an empty one, a null list element, a null map
    /// value, an empty map.
    static let v1 = [
        Order(id: "A", ts: 1, day: "d1", nested: [
            .object([("name", s("Ada")), ("address", .object([("city", s("Delft")), ("zip", s("2611"))]))]),
            .array([.object([("sku", s("s1")), ("qty", .int(2))]), .object([("sku", s("s2"))])]),
            .array([s("x"), s("y")]), .object([("gift", s("yes"))]),
        ]),
        Order(id: "B", ts: 1, day: "d1", nested: [.object([]), .array([]), .array([]), .object([])]),
        Order(id: "C", ts: 1, day: "d2", nested: [.null, .null, .null, .null]),
        Order(id: "D", ts: 1, day: "d2", nested: [
            .object([("name", s("Di")), ("address", .object([]))]), .array([.object([("sku", s("s3")), ("qty", .int(1))])]),
            .array([s("z"), .null]), .object([("k", .null)]),
        ]),
    ]

    /// The second commit's (d1 only; d2's file stays in the old shape): address gains
    /// `country`, the items' objects gain `note`.
    static let v2 = [
        Order(id: "A", ts: 2, day: "d1", nested: [
            .object([("name", s("Ada")), ("address", .object([("city", s("Delft")), ("zip", s("2611")), ("country", s("NL"))]))]),
            .array([.object([("sku", s("s1")), ("qty", .int(3)), ("note", s("gift"))]), .object([("sku", s("s4"))])]),
            .array([s("x")]), .object([]),
        ]),
        Order(id: "E", ts: 2, day: "d1", nested: [
            .object([("name", s("Eve")), ("address", .object([("city", s("Breda"))]))]),
            .array([.object([("sku", s("s5")), ("qty", .int(1)), ("note", s("fragile"))])]), .null,
            .object([("a", s("1")), ("b", s("2"))]),
        ]),
    ]

    static func create(_ dir: URL) async throws -> HudiTable {
        try await HudiTable.create(store: try LocalObjectStore(root: dir), name: "orders_table", recordKeyField: "order_id",
                                   precombineField: "ts", partitionField: "day", fields: fields(evolved: false))
    }

    @Test func nestedColumnsExportAndANewNestedMemberEvolvesTheSchema() async throws {
        let dir = try TestEnvironment.temporaryDirectory("catalog-nested")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await Self.create(dir)
        let (v1, v2) = (Self.v1, Self.v2)
        let first = try await table.write(try Self.batch(v1, evolved: false)).instant
        let second = try await table.write(try Self.batch(v2, evolved: true)).instant
        await table.close()

        let export = try await HudiIcebergExporter(table: table, location: dir.absoluteURL.absoluteString).export()
        let metadata = export.metadata
        #expect(metadata.schemas.map(\.schemaID) == [0, 1] && metadata.snapshots.map(\.schemaID) == [0, 1])
        // Ids: a struct's fields before the fields below them; the evolved schema keeps
        // every id and appends the new members'.
        let old = metadata.schemas[0].idsByPath, new = metadata.schemas[1].idsByPath
        let top = ["order_id", "ts", "day", "customer", "items", "tags", "attributes"]
        let nestedPaths = ["customer.name", "customer.address", "customer.address.city", "customer.address.zip", "items.element",
                           "items.element.sku", "items.element.qty", "tags.element", "attributes.key", "attributes.value"]
        var expectedIDs = Dictionary(uniqueKeysWithValues: (AvroSchema.metaFieldNames + top + nestedPaths).enumerated().map { ($1, $0 + 1) })
        #expect(old == expectedIDs)
        expectedIDs["customer.address.country"] = 23
        expectedIDs["items.element.note"] = 24
        #expect(new == expectedIDs)
        #expect(metadata.json["last-column-id"]?.int == 24)
        #expect(metadata.schemas[1].field(named: "tags")?.type == .list(elementID: 20, element: .string, elementRequired: false))
        #expect(metadata.schemas[1].field(named: "attributes")?.type
            == .map(keyID: 21, key: .string, valueID: 22, value: .string, valueRequired: false))
        let itemsJSON = metadata.schemas[1].json["fields"]?.arrayValues?.first { $0["name"]?.string == "items" }?["type"]
        #expect(itemsJSON?["type"]?.string == "list" && itemsJSON?["element-id"]?.int == 17 && itemsJSON?["element-required"] == .bool(false))
        #expect(itemsJSON?["element"]?["type"]?.string == "struct" && itemsJSON?["element"]?["fields"]?.arrayValues?.count == 3)
        // The name mapping reaches the nested members (the base files carry no field ids).
        let mapping = try JSONValue.parse(Data(try #require(metadata.properties.first { $0.0 == "schema.name-mapping.default" }?.1).utf8))
        let customer = mapping.arrayValues?.first { $0["names"] == .array([.string("customer")]) }
        let address = customer?["fields"]?.arrayValues?.first { $0["names"] == .array([.string("address")]) }
        #expect(address?["fields"]?.arrayValues?.map { $0["field-id"]?.int } == [15, 16, 23])
        let files = try FileManager.default.subpathsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".parquet") }
        #expect(files.count == 3)
        for file in files {
            let footer = try ParquetFileReader(source: FileSource(path: dir.appendingPathComponent(file).path)).metadata
            #expect(footer.schema.allSatisfy { $0.fieldId == nil }, "\(file)")
        }

        let metadataPath = dir.appendingPathComponent(try #require(export.metadataKey)).path
        try Self.checkReads(try IcebergOracle.scan(metadata: metadataPath, try Self.queries(first: first)),
                            commits: (first, second), ids: (old, new))
    }

    /// What pyiceberg reads: the first snapshot, the current one, and three plans filtered
    /// on the leaves of a struct.
    static func queries(first: String) throws -> [JSONValue] {
        [
            .object([("snapshot_id", .int(try HudiIcebergExporter.snapshotID(ofInstant: first)))]),
            .object([("snapshot_id", .null)]),
            .object([("snapshot_id", .null), ("filter", .array([s("customer.name"), s("Ada")]))]),
            .object([("snapshot_id", .null), ("filter", .array([s("customer.address.city"), s("Zwolle")]))]),
            .object([("snapshot_id", .null), ("filter", .array([s("customer.address.city"), s("Breda")]))]),
        ]
    }

    /// Checks the answers to ``queries(first:)`` of the table after `v1` and `v2`, whose
    /// schemas 0 and 1 have `ids`.
    static func checkReads(_ scans: [IcebergOracle.Scan], commits: (first: String, second: String),
                           ids: (old: [String: Int], new: [String: Int])) throws {
        try #require(scans.count == 5)
        // The first snapshot reads with its own schema (no country, no note).
        #expect(scans[0].schemaID == 0)
        #expect(scanned(scans[0].rows) == v1.map { expected($0, commit: commits.first, evolved: false) }.sorted { $0.json < $1.json })
        // The current one: the rows of the older files (B was rewritten, C and D's file was
        // not) read null for the new members.
        #expect(scans[1].schemaID == 1)
        let current = v2.map { expected($0, commit: commits.second, evolved: true) }
            + v1.filter { $0.id != "A" }.map { expected($0, commit: commits.first, evolved: true) }
        #expect(scanned(scans[1].rows) == current.sorted { $0.json < $1.json })
        #expect(scans[1].rows.count == 5)
        for (path, id) in ids.new { #expect(scans[1].ids[path] == id, "\(path)") }
        for (path, id) in ids.old { #expect(scans[0].ids[path] == id, "\(path)") }
        #expect(scans[0].ids["customer.address.country"] == nil)
        // The bounds of a struct's leaf prune by its id: "Ada" is only within d1's file's
        // names (d2's: "Di"), "Zwolle" within no file's cities, "Breda" within d1's.
        #expect(scans.dropFirst(2).map(\.files) == [1, 0, 1])
    }

    /// Published to a REST catalog — SeaweedFS's numbers nested fields otherwise than we do
    /// (depth first), lakana's as we do — then evolved by new nested members: the export
    /// keeps the catalog's ids (its snapshot files, where they differ from the table root's
    /// export, in a folder of their own), the catalog's schema gets the new members with new
    /// ids, and pyiceberg reads through the catalog what it reads from our metadata file.
    @Test(arguments: CatalogServerKind.allCases)
    func publishedNestedTableEvolvesInTheCatalog(_ kind: CatalogServerKind) async throws {
        let dir = try TestEnvironment.temporaryDirectory("catalog-rest-nested")
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try await kind.start()
        let table = try await Self.create(dir)
        let first = try await table.write(try Self.batch(Self.v1, evolved: false)).instant
        let exporter = try HudiIcebergExporter(table: table, location: dir.absoluteURL.absoluteString)
        let name = "orders_\(UUID().uuidString.prefix(8).lowercased())"
        let publisher = IcebergPublisher(catalog: IcebergRESTCatalog(configuration: server.configuration()),
                                         namespace: server.namespace("lake"), tableName: name,
                                         placement: kind == .lakana ? .catalogLocation() : .tableRoot)
        #expect(try await publisher.publish(from: exporter).committed.count == 1)
        let second = try await table.write(try Self.batch(Self.v2, evolved: true)).instant
        await table.close()
        #expect(try await publisher.publish(from: exporter).committed == [try HudiIcebergExporter.snapshotID(ofInstant: second)])
        #expect(try await publisher.publish(from: exporter).committed.isEmpty)

        let loaded = try #require(try await publisher.catalog.loadTable(server.namespace("lake"), name))
        #expect(loaded.metadata["current-schema-id"]?.int == 1)
        func ids(_ schemaID: Int64) throws -> [String: Int] {
            IcebergSchema.idsByPath(schemaJSON: try #require(loaded.metadata["schemas"]?.arrayValues?.first { $0["schema-id"]?.int == schemaID }))
        }
        let (old, new) = (try ids(0), try ids(1))
        let own = try await exporter.tableMetadata().schemas.map(\.idsByPath)
        #expect(Set(old.keys) == Set(own[0].keys) && Set(new.keys) == Set(own[1].keys))
        #expect(new.filter { old[$0.key] != nil } == old)
        #expect(Set(new.values).count == new.count && new["customer.address.country"] ?? 0 > old.values.max() ?? 0)
        #expect((old == own[0]) == (kind == .lakana), "\(kind): \(old)")
        try Self.checkReads(try IcebergOracle.scan(server: server, identifier: server.identifier("lake", name), try Self.queries(first: first)),
                            commits: (first, second), ids: (old, new))
    }

    /// The cleaner trims the history's start past the evolution, so the first schema left
    /// is the evolved one: the export keeps the ids the earlier exports gave (the kept
    /// manifests' metrics are keyed by them) instead of numbering that schema afresh.
    @Test func idsSurviveTheCleanerTrimmingTheHistory() async throws {
        let dir = try TestEnvironment.temporaryDirectory("catalog-nested-clean")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = WriteOptions()
        options.cleanerCommitsRetained = 1
        let table = try await HudiTable.create(store: try LocalObjectStore(root: dir), name: "orders_table", recordKeyField: "order_id",
                                               precombineField: "ts", partitionField: "day", fields: Self.fields(evolved: false),
                                               options: options)
        let exporter = try HudiIcebergExporter(table: table, location: dir.absoluteURL.absoluteString)
        _ = try await table.write(try Self.batch(Self.v1, evolved: false))
        _ = try await exporter.export()
        let second = try await table.write(try Self.batch(Self.v2, evolved: true)).instant
        let before = try await exporter.export()
        // Every key again, twice, in the evolved shape.
        let all = Self.v2 + Self.v1.filter { $0.id != "A" }
        var last = ""
        for ts: Int64 in [3, 4] {
            last = try await table.write(try Self.batch(all.map { var o = $0; o.ts = ts; return o }, evolved: true)).instant
        }
        await table.close()
        let after = try await exporter.export()
        #expect(after.instants.first.map { $0 > second } == true, "\(after.instants)")
        #expect(after.metadata.schemas.count == 1 && after.metadata.schema.idsByPath == before.metadata.schema.idsByPath)
        let ids = after.metadata.schema.idsByPath
        #expect(ids["items.element"] == 17 && ids["customer.address.country"] == 23 && ids["items.element.note"] == 24)
        let scans = try IcebergOracle.scan(metadata: dir.appendingPathComponent(try #require(after.metadataKey)).path, [
            .object([("snapshot_id", .null)]),
            .object([("snapshot_id", .null), ("filter", .array([Self.s("customer.address.city"), Self.s("Zwolle")]))]),
        ])
        try #require(scans.count == 2)
        #expect(Self.scanned(scans[0].rows) == all.map { var o = $0; o.ts = 4; return Self.expected(o, commit: last, evolved: true) }.sorted { $0.json < $1.json })
        #expect(scans[0].ids["customer.address.country"] == 23 && scans[1].files == 0)
    }

    /// Ids by path through an evolution that adds a top-level column and members at three
    /// depths; a union that is not [null, T] is refused inside a list too.
    @Test func idsAreKeptByPathAndNewOnesAppended() throws {
        let before = try IcebergSchema.fromHudiAvro(AvroSchema.json(tableName: "t", fields: Self.fields(evolved: false)))
        var fields = Self.fields(evolved: true)
        fields.append(Field("channel", .string))
        let after = try IcebergSchema.fromHudiAvro(AvroSchema.json(tableName: "t", fields: fields), schemaID: 1, knownIDs: before.idsByPath)
        #expect(after.idsByPath.filter { before.idsByPath[$0.key] != nil } == before.idsByPath)
        #expect(after.idsByPath.filter { before.idsByPath[$0.key] == nil }
            == ["channel": 23, "customer.address.country": 24, "items.element.note": 25])
        #expect(after.lastColumnID == 25 && after.field(named: "channel")?.id == 23)
        let nestedUnion = #"{"type":"record","name":"r","fields":[{"name":"l","type":{"type":"array","items":["null","int","string"]}}]}"#
        #expect(throws: CatalogError.self) { try IcebergSchema.fromHudiAvro(nestedUnion) }
    }
}

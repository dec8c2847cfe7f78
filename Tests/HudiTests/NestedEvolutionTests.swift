import Foundation
import ObjectStore
import Parquet
import Testing
import TributaryCore
import TributaryTesting
@testable import Hudi

/// A new optional member inside a nested column (an object in an object, the object
/// element of a list) evolves the table: hudi-rs, our reader and DuckDB read the older
/// files with the member null; rewrites and compactions carry it; incompatible nested
/// changes are refused naming the member's path.
@Suite(.serialized) struct NestedEvolutionTests {
    /// An order: `customer {name, address {city, zip?}}` and `items [{sku, qty, note?}]`
    /// (zip and note exist from version 2 of the schema on).
    struct Order {
        var id: String
        var ts: Int64
        var day: String
        var name: String?
        var city: String??  // outer nil: no address
        var zip: String? = nil
        var items: [(sku: String, qty: Int64, note: String?)]?
    }

    static func fields(evolved: Bool) -> [Field] {
        let address = Field("address", .group([Field("city", .string)] + (evolved ? [Field("zip", .string)] : [])))
        let item = Field("element", .group([Field("sku", .string, nullable: false), Field("qty", .int64)]
                                           + (evolved ? [Field("note", .string)] : [])))
        return [
            Field("id", .string, nullable: false), Field("ts", .int64, nullable: false), Field("day", .string, nullable: false),
            Field("customer", .group([Field("name", .string), address])),
            Field("items", .list(item)),
        ]
    }

    static func batch(_ orders: [Order], evolved: Bool) throws -> RecordBatch {
        let fields = fields(evolved: evolved)
        var customer = try NestedColumnBuilder(fields[3]), items = try NestedColumnBuilder(fields[4])
        for o in orders {
            try customer.beginGroup()
            if let name = o.name { try customer.field(0); try customer.append(name) }
            if let address = o.city {
                try customer.field(1); try customer.beginGroup()
                if let city = address { try customer.field(0); try customer.append(city) }
                if evolved, let zip = o.zip { try customer.field(1); try customer.append(zip) }
                try customer.endGroup()
            }
            try customer.endGroup()
            guard let list = o.items else { try items.appendNull(); continue }
            try items.beginList()
            for i in list {
                try items.beginGroup()
                try items.field(0); try items.append(i.sku)
                try items.field(1); try items.append(i.qty)
                if evolved, let note = i.note { try items.field(2); try items.append(note) }
                try items.endGroup()
            }
            try items.endList()
        }
        var b = RecordBatch(fields: fields, columns: [.strings(orders.map(\.id)), .int64(orders.map(\.ts)), .strings(orders.map(\.day)),
                                                      .boolean(orders.map { _ in false }), .boolean(orders.map { _ in false })],
                            recordKeys: orders.map(\.id), partitionValues: orders.map(\.day), orderingValues: orders.map(\.ts))
        b.nestedColumns = ["customer": try customer.finish(), "items": try items.finish()]
        return b
    }

    /// The row every reader must return, in the evolved shape (members in table order).
    static func expected(_ o: Order, commit: String) -> JSONValue {
        func s(_ v: String?) -> JSONValue { v.map(JSONValue.string) ?? .null }
        let address: JSONValue = o.city.map { .object([("city", s($0)), ("zip", s(o.zip))]) } ?? .null
        let items: JSONValue = o.items.map { list in
            .array(list.map { .object([("sku", .string($0.sku)), ("qty", .int($0.qty)), ("note", s($0.note))]) })
        } ?? .null
        return canonical(.object([
            ("_hoodie_commit_time", .string(commit)), ("_hoodie_record_key", .string(o.id)),
            ("_hoodie_partition_path", .string("day=\(o.day)")),
            ("id", .string(o.id)), ("ts", .int(o.ts)), ("day", .string(o.day)),
            ("customer", .object([("name", s(o.name)), ("address", address)])), ("items", items),
        ]))
    }

    func create(_ dir: URL, _ type: TableType) async throws -> HudiTable {
        try await HudiTable.create(store: try LocalObjectStore(root: dir), name: "orders_table", recordKeyField: "id", precombineField: "ts",
                                   partitionField: "day", fields: Self.fields(evolved: false), tableType: type)
    }

    /// Written in the old shape, then evolved (an update of an old row, an insert), then an
    /// update in a file written before the evolution: both readers equal the model; on
    /// merge-on-read again after compaction. DuckDB reads the nested member across files.
    @Test(arguments: [TableType.copyOnWrite, .mergeOnRead])
    func newNestedMembersEvolveTheTable(_ type: TableType) async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-nested-evolve")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await create(dir, type)
        var model: [String: JSONValue] = [:]
        func apply(_ orders: [Order], evolved: Bool) async throws {
            let r = try await table.write(try Self.batch(orders, evolved: evolved))
            for o in orders { model[o.id] = Self.expected(o, commit: r.instant) }
        }
        let a = Order(id: "a", ts: 1, day: "d1", name: "Ada", city: .some("Delft"), items: [("s1", 2, nil), ("s2", 1, nil)])
        let b = Order(id: "b", ts: 1, day: "d1", name: nil, city: .some(nil), items: [])
        let c = Order(id: "c", ts: 1, day: "d2", name: "Cy", city: nil, items: nil)
        // e's file (day d3) stays as written before the evolution.
        let e = Order(id: "e", ts: 1, day: "d3", name: "Eve", city: .some("Breda"), items: [("s5", 4, nil)])
        try await apply([a, b, c, e], evolved: false)
        let v1 = try await table.timeline().instants.last?.timestamp ?? ""

        var a2 = a
        a2.ts = 2
        a2.zip = "2611"
        a2.items = [("s1", 3, "gift"), ("s3", 1, nil)]
        let d = Order(id: "d", ts: 2, day: "d1", name: "Di", city: .some("Gouda"), zip: "2801", items: [("s4", 1, "fragile")])
        try await apply([a2, d], evolved: true)
        let schema = try SchemaEvolution.fields(fromAvro: try await table.currentSchema() ?? "")
        #expect(schema == Self.fields(evolved: true).map { f in schema.first { $0.name == f.name } ?? f })
        #expect(AvroSchema.json(tableName: "orders_table", fields: schema) == AvroSchema.json(tableName: "orders_table", fields: Self.fields(evolved: true)))

        // c's file (day d2) was written before the evolution: an update lands in it.
        var c2 = c
        c2.ts = 3
        c2.city = .some("Ede")
        try await apply([c2], evolved: true)

        let expected = sortedRows(Array(model.values))
        #expect(sortedRows(try await ourRows(table)) == expected)
        #expect(sortedRows(try HudiOracle.read(dir.path)) == expected)
        // Time travel to before the evolution and the incremental read of the later commits
        // read in the table's shape, the same as hudi-rs.
        let travelled = try HudiOracle.queries(dir.path, [.object([("as_of", .string(v1))])])
        #expect(sortedRows(try await ourRows(table, asOf: v1)) == sortedRows(travelled.first ?? []))
        #expect(try await ourRows(table, asOf: v1).count == 4)
        let since = try await table.readIncremental(since: v1)
        let idColumn = try #require(since.names.firstIndex(of: "id"))
        #expect(Set(since.rows.compactMap { row -> String? in if case .string(let id) = row[idColumn] { id } else { nil } }) == ["a", "c", "d"])

        if type == .mergeOnRead {
            let compacted = try await table.compact()
            #expect(!compacted.isEmpty)
            #expect(sortedRows(try await ourRows(table)) == expected)
            #expect(sortedRows(try HudiOracle.read(dir.path)) == expected)
        }
        // DuckDB reads the new member across the files, e's old-shaped one included.
        let files = try await table.planSnapshot(readOptimized: true).filePaths.map { "'" + dir.appendingPathComponent($0).path + "'" }
        let sql = "SELECT id, customer.address.zip, list_transform(items, lambda x: x.note) FROM read_parquet([\(files.joined(separator: ","))], union_by_name=true) ORDER BY id;"
        let out = try runProcess(TestEnvironment.nativeTool("duckdb"), ["-csv", "-noheader", "-c", sql]).stdoutText
        #expect(out == "a,2611,\"[gift, NULL]\"\nb,NULL,[]\nc,NULL,NULL\nd,2801,[fragile]\ne,NULL,[NULL]\n", "\(out)")
        // pyarrow too, given the evolved schema (that of a file written after the evolution).
        let paths = try await table.planSnapshot(readOptimized: true).filePaths.map { dir.appendingPathComponent($0).path }
        let arrow = try runPython(["-c", """
            import sys, pyarrow.parquet as pq, pyarrow.dataset as ds
            files = sys.argv[1:]
            schema = max((pq.read_schema(f) for f in files), key=lambda s: len(str(s)))
            for r in sorted(ds.dataset(files, schema=schema).to_table(columns=["id", "customer", "items"]).to_pylist(), key=lambda r: r["id"]):
                print(r["id"], (r["customer"]["address"] or {}).get("zip"), [i["note"] for i in r["items"] or []])
            """] + paths).stdoutText
        #expect(arrow == "a 2611 ['gift', None]\nb None []\nc None []\nd 2801 ['fragile']\ne None [None]\n", "\(arrow)")
        await table.close()
    }

    /// Type changes of a member or of a list's elements, new required members and removed
    /// members are refused naming the path; the table keeps its commits.
    @Test func incompatibleNestedChangesAreRefused() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-nested-refuse")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await create(dir, .copyOnWrite)
        try await table.write(try Self.batch([Order(id: "a", ts: 1, day: "d1", name: "Ada", city: .some("Delft"), items: [])], evolved: false))
        let tableFields = Self.fields(evolved: false)
        func refusal(_ change: (inout [Field]) -> Void, removals: Bool = false) -> String {
            var fields = tableFields
            change(&fields)
            do {
                _ = try SchemaEvolution.evolvedFields(fields, tableFields: tableFields, refuseRemovedMembers: removals)
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        let address = Field("address", .group([Field("city", .int64)]))
        let retyped = refusal { $0[3].type = .group([Field("name", .string), address]) }
        #expect(retyped.contains("member customer.address.city changes type from [\"null\",\"string\"]"), "\(retyped)")
        let required = refusal { $0[3].type = .group([Field("name", .string), Field("address", .group([Field("city", .string), Field("zip", .string, nullable: false)]))]) }
        #expect(required.contains("new member customer.address.zip") && required.contains("must be nullable"), "\(required)")
        let removed = refusal({ $0[3].type = .group([Field("name", .string)]) }, removals: true)
        #expect(removed.contains("member customer.address") && removed.contains("removed"), "\(removed)")
        let element = refusal { $0[4].type = .list(of: .string) }
        #expect(element.contains("the elements of list items change type"), "\(element)")
        let inElement = refusal { $0[4].type = .list(Field("element", .group([Field("sku", .int64, nullable: false), Field("qty", .int64)]))) }
        #expect(inElement.contains("member items[].sku changes type"), "\(inElement)")
        // A batch with such a change is refused by the writer and leaves the table as it was.
        var bad = try Self.batch([Order(id: "b", ts: 1, day: "d1", name: "B", city: nil, items: nil)], evolved: false)
        bad.fields[3].type = .group([Field("name", .string), Field("address", .group([Field("city", .string), Field("zip", .string, nullable: false)]))])
        await #expect(throws: HudiError.self) { try await table.write(bad) }
        #expect(try await table.timeline().instants.count == 1)
        #expect(try await ourRows(table).count == 1)
        await table.close()
    }

    /// Conforming shredded leaves: a new member in a list's element group, and a member
    /// made nullable, give the levels the builder gives for the evolved shape.
    @Test func conformedLeavesEqualBuiltOnes() throws {
        let orders = [
            Order(id: "a", ts: 1, day: "d", name: "A", city: .some("X"), items: [("s1", 1, nil), ("s2", 2, nil)]),
            Order(id: "b", ts: 1, day: "d", name: nil, city: .some(nil), items: []),
            Order(id: "c", ts: 1, day: "d", name: "C", city: nil, items: nil),
        ]
        let old = try Self.batch(orders, evolved: false), new = try Self.batch(orders, evolved: true)
        for k in [3, 4] {
            let name = old.fields[k].name
            let conformed = try NestedConformance.conform(try #require(old.nestedColumns[name]), from: old.fields[k], to: new.fields[k])
            #expect(conformed == new.nestedColumns[name], "\(name)")
        }
    }
}

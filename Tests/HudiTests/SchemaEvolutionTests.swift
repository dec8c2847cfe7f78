import Foundation
import ObjectStore
import Parquet
import Testing
import TributaryCore
import TributaryTesting
@testable import Hudi

/// Hudi's schema-evolution rules on write, judged by hudi-rs and our Parquet reader.
@Suite struct SchemaEvolutionTests {
    static let day: Int64 = 86_400_000_000
    static let base: Int64 = 1_795_000_000_000_000

    func record(_ key: String, _ dayOffset: Int64 = 0, ts: Int64 = 0) -> EventRecord {
        EventRecord(eventId: key, userId: "u", eventType: "click", page: "/p", country: "NL",
                    timestamp: Self.base + dayOffset * Self.day + ts, kafkaOffset: ts)
    }

    func create(_ store: any ObjectStore) async throws -> HudiTable {
        try await HudiTable.create(store: store, name: "user_events_table", recordKeyField: "event_id", precombineField: "timestamp",
                                   partitionField: "event_date", fields: Events.fields)
    }

    /// A batch with the event columns plus `extra` (appended), or without `dropping`.
    func batch(_ records: [EventRecord], extra: (Field, Column)? = nil, dropping: String? = nil,
               retype: (String, Field, Column)? = nil) -> RecordBatch {
        var b = Events.batch(records)
        if let (f, c) = extra {
            b.fields.append(f)
            b.columns.append(c)
        }
        if let dropping, let i = b.fields.firstIndex(where: { $0.name == dropping }) {
            b.fields.remove(at: i)
            b.columns.remove(at: i)
        }
        if let (name, f, c) = retype, let i = b.fields.firstIndex(where: { $0.name == name }) {
            b.fields[i] = f
            b.columns[i] = c
        }
        return b
    }

    /// Adding a nullable column: new rows have it, old files (untouched, and carried over
    /// into a rewritten file) read as null, by hudi-rs and by our reader; the commit's schema
    /// has the column appended.
    @Test func addingANullableColumn() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-evolve")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await create(try LocalObjectStore(root: dir))
        try await table.write(Events.batch([record("a"), record("b"), record("c", 1)]))
        let r = try await table.write(batch([record("a", ts: 5), record("d", ts: 5)],
                                            extra: (Field("referrer", .string), .strings(["x", nil]))))
        let schema = try SchemaEvolution.fields(fromAvro: r.metadata.schema ?? "")
        #expect(schema.map(\.name) == Events.fields.map(\.name) + ["referrer"])
        #expect(schema.last?.nullable == true)
        let expected: [String: JSONValue] = ["a": .string("x"), "b": .null, "c": .null, "d": .null]
        let hudi = try HudiOracle.read(dir.path)
        #expect(hudi.count == 4)
        // hudi-rs reads with the table's latest schema: the untouched old file of day 1 (c),
        // written before the column existed, reads as null too.
        for row in hudi {
            guard let id = row["event_id"]?.string else { continue }
            #expect(row["referrer"] == expected[id], "hudi-rs \(id): \(row.pretty())")
        }
        let ours = try await ourRows(table)
        for row in ours {
            guard let id = row["event_id"]?.string else { continue }
            #expect(row["referrer"] == expected[id], "ours \(id): \(row.pretty())")
        }
        #expect(sortedRows(ours) == sortedRows(hudi))
        // The rewritten file of day 0 holds b (an old record) with a null referrer.
        let day0 = r.metadata.writeStats.first { $0.partitionPath.hasSuffix("2026-11-18") }
        let file = try ParquetFileReader(source: MemorySource(try Data(contentsOf: dir.appendingPathComponent(day0?.path ?? "-"))))
        #expect(file.schema.fields.map(\.name).contains("referrer"))
        let (names, rows) = try file.readRows(columns: ["event_id", "referrer"], limit: nil)
        #expect(names == ["event_id", "referrer"])
        #expect(rows.contains { $0[0] == .string("b") && $0[1] == .null })
        // And a later batch in the old schema still works (omits the new nullable column).
        try await table.write(Events.batch([record("c", 1, ts: 9)]))
        #expect(try HudiOracle.read(dir.path).count == 4)
    }

    /// A batch may omit a nullable column: its records get null there, the schema stays.
    @Test func omittingANullableColumn() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-omit")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await create(try LocalObjectStore(root: dir))
        let first = try await table.write(Events.batch([record("a"), record("b")]))
        let r = try await table.write(batch([record("b", ts: 3), record("c", ts: 3)], dropping: "page"))
        #expect(r.metadata.schema == first.metadata.schema)
        let pages = Dictionary(uniqueKeysWithValues: try HudiOracle.read(dir.path).compactMap { row in
            row["event_id"]?.string.map { ($0, row["page"] ?? .null) }
        })
        #expect(pages == ["a": .string("/p"), "b": .null, "c": .null])
    }

    @Test func typeChangesAndDroppedRequiredColumnsAreRejected() async throws {
        let store = MemoryObjectStore()
        let table = try await create(store)
        try await table.write(Events.batch([record("a")]))
        func message(_ b: RecordBatch) async -> String {
            do {
                try await table.write(b)
                return "accepted"
            } catch let error as HudiError where error.kind == .invalidArgument {
                return error.message
            } catch {
                return "\(error)"
            }
        }
        let retyped = await message(batch([record("b")], retype: ("_kafka_offset", Field("_kafka_offset", .string, nullable: false), .strings(["7"]))))
        #expect(retyped.contains("column _kafka_offset changes type from \"long\"") && retyped.contains("to \"string\""), "\(retyped)")
        let dropped = await message(batch([record("b")], dropping: "user_id"))
        #expect(dropped.contains("drops required column user_id (\"string\")"), "\(dropped)")
        let required = await message(batch([record("b")], extra: (Field("score", .int64, nullable: false), .int64([1]))))
        #expect(required.contains("new column score") && required.contains("must be nullable"), "\(required)")
        // Nothing of the rejected batches reached the table.
        #expect(try await ourRows(table).compactMap { $0["event_id"]?.string } == ["a"])
        #expect(try await table.timeline().instants.count == 1)
        await table.close()
    }

    /// Columns in another order are put back in table order; a required column may become
    /// nullable (Avro's promotion to a union with null), a nullable one stays nullable.
    @Test func evolveReordersAndWidensNullability() throws {
        let table = [Field("id", .string, nullable: false), Field("n", .int64, nullable: false), Field("s", .string)]
        let batch = RecordBatch(fields: [Field("s", .string, nullable: false), Field("n", .int64), Field("id", .string, nullable: false)],
                                columns: [.strings(["x"]), .int64([0], validity: [false]), .strings(["k"])],
                                recordKeys: ["k"], partitionValues: [""], orderingValues: [0])
        let evolved = try SchemaEvolution.evolve(batch, tableFields: table)
        #expect(evolved.fields.map(\.name) == ["id", "n", "s"])
        #expect(evolved.fields.map(\.nullable) == [false, true, true])
        #expect(evolved.columns[0] == batch.columns[2] && evolved.columns[1] == batch.columns[1] && evolved.columns[2] == batch.columns[0])
        try evolved.validate()
    }

    /// Avro schemas written by us and by Spark parse back to the same fields.
    @Test func avroSchemaRoundTrip() throws {
        let fields = Events.fields + [Field("amount", .decimal(precision: 12, scale: 2)), Field("d", .date), Field("ok", .boolean),
                                      Field("ms", .timestamp(.millis, isAdjustedToUTC: true)), Field("f", .double)]
        let parsed = try SchemaEvolution.fields(fromAvro: AvroSchema.json(tableName: "t", fields: fields))
        #expect(parsed.map(\.name) == fields.map(\.name))
        #expect(parsed.map(\.nullable) == fields.map(\.nullable))
        #expect(zip(parsed, fields).allSatisfy { SchemaEvolution.avroType($0.type, column: $0.name) == SchemaEvolution.avroType($1.type, column: $1.name) })
    }
}


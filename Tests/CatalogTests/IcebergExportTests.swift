import Catalog
import CatalogTesting
import Foundation
import Hudi
import ObjectStore
import Parquet
import Testing
import TributaryCore
import TributaryTesting

@Suite struct IcebergSchemaTests {
    @Test func mapsHudiAvroSchemaWithMetaColumnsFirst() throws {
        let avro = AvroSchema.json(tableName: "t", fields: EventTables.fields)
        let schema = try IcebergSchema.fromHudiAvro(avro)
        #expect(schema.fields.prefix(5).map(\.name) == AvroSchema.metaFieldNames)
        #expect(schema.fields.map(\.id) == Array(1...11))
        #expect(schema.field(named: "event_id") == IcebergField(id: 6, name: "event_id", type: .string, required: true))
        #expect(schema.field(named: "page")?.required == false)
        #expect(schema.field(named: "timestamp")?.type == .timestamptz)
        #expect(schema.field(named: "_kafka_offset")?.type == .long)
        let mapping = try JSONValue.parse(Data(schema.nameMappingJSON.utf8))
        #expect(mapping.arrayValues?.count == 11)
        #expect(mapping.arrayValues?[5] == .object([("field-id", .int(6)), ("names", .array([.string("event_id")]))]))
    }

    @Test func rejectsUnsupportedTypes() {
        let avro = #"{"type":"record","name":"r","fields":[{"name":"u","type":["int","string"]}]}"#
        #expect(throws: CatalogError.self) { try IcebergSchema.fromHudiAvro(avro) }
    }
}

/// Iceberg metadata written for a Hudi table, read by pyiceberg and compared with hudi-rs.
@Suite(.serialized) struct IcebergExportTests {
    typealias E = EventTables.Event

    /// Inserts, upserts (file groups rewritten) and deletes over three days; every Iceberg
    /// snapshot scans to hudi-rs's snapshot as of its commit.
    @Test func everySnapshotEqualsHudiSnapshot() async throws {
        let dir = try TestEnvironment.temporaryDirectory("catalog-export")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await EventTables.create(dir)
        let instants = try await EventTables.writeScenario(table)
        await table.close()

        let started = Date()
        let export = try await HudiIcebergExporter(table: table, location: dir.absoluteURL.absoluteString).export()
        let exportSeconds = Date().timeIntervalSince(started)
        #expect(export.instants == instants)
        #expect(export.metadata.snapshots.count == 4)
        #expect(export.metadata.snapshots.map(\.snapshotID) == (try instants.map(HudiIcebergExporter.snapshotID(ofInstant:))))
        let summary = export.metadata.snapshots.map { Dictionary($0.summary, uniquingKeysWith: { a, _ in a }) }
        #expect(summary[0]["operation"] == "append" && summary[0]["added-data-files"] == "3")
        #expect(summary[1]["operation"] == "overwrite")
        #expect(summary[3]["operation"] == "append" && summary[3]["added-data-files"] == "1" && summary[3]["total-data-files"] == "4")
        #expect(summary[3]["total-records"] == String(30 + 5 - 4 + 6))
        print("export of 4 commits: \(String(format: "%.3f", exportSeconds)) s")  // measured, not asserted (timing belongs in benches)
        // Exporting again rewrites nothing that exists: published files are immutable.
        let list = dir.appendingPathComponent("metadata/snap-\(export.metadata.snapshots[1].snapshotID).avro")
        let before = try Data(contentsOf: list)
        let exporter = try HudiIcebergExporter(table: table, location: dir.absoluteURL.absoluteString)
        let again = try await exporter.export()
        let reads = await exporter.footers.reads
        #expect(reads > 0)
        _ = try await exporter.export()
        #expect(await exporter.footers.reads == reads)  // the same exporter reads no footer twice
        #expect(try Data(contentsOf: list) == before)
        #expect(again.metadata.snapshots == export.metadata.snapshots)
        #expect(export.metadataKey == "metadata/v1.metadata.json" && again.metadataKey == export.metadataKey)

        var queries: [JSONValue] = [.object([("snapshot_id", .null), ("as_of", .null)])]
        for (snapshot, instant) in zip(export.metadata.snapshots, instants) {
            queries.append(.object([("snapshot_id", .int(snapshot.snapshotID)), ("as_of", .string(instant))]))
        }
        // Point lookups: exercise partition and column-bound pruning.
        for key in ["e5", "e0", "f3", "nope"] {
            queries.append(.object([("snapshot_id", .null), ("as_of", .null), ("key", .string(key))]))
        }
        let metadataPath = dir.appendingPathComponent(try #require(export.metadataKey)).path
        let answers = try IcebergOracle.compare(table: dir.path, metadata: metadataPath, queries)
        try #require(answers.count == queries.count)
        for (q, a) in zip(queries, answers) {
            #expect(a.equal, "\(q.pretty()): \(a.raw)")
        }
        #expect(answers.map(\.iceberg) == [37, 30, 35, 31, 37, 1, 0, 1, 0])
        // Column bounds prune (4 live files): "f3" is only within day 5's key range and day 1's
        // ("e1"…"n4"); "nope" is past every file's range.
        #expect(answers[7].files == 2)
        #expect(answers[8].files == 0)
    }

    /// With the cleaner keeping two commits, the history starts at the earliest queryable
    /// commit, and what remains still equals hudi-rs.
    @Test func historyStartsAtEarliestQueryableCommit() async throws {
        let dir = try TestEnvironment.temporaryDirectory("catalog-clean")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = WriteOptions()
        options.cleanerCommitsRetained = 2
        let table = try await HudiTable.create(store: try LocalObjectStore(root: dir), name: "user_events_table",
                                               recordKeyField: "event_id", precombineField: "timestamp",
                                               partitionField: "event_date", fields: EventTables.fields, options: options)
        var instants: [String] = []
        for round in 0..<5 {
            var events: [E] = []
            for i in 0..<8 {
                let micros: Int64 = EventTables.base + Int64(round) * 1000 + Int64(i)
                events.append(E(id: "k\(i)", user: "r\(round)", page: nil, micros: micros, offset: Int64(round * 10 + i)))
            }
            instants.append(try await table.write(EventTables.batch(events)).instant)
            // Export as the table goes: the later exports keep the files of the earlier
            // ones (history start moves; sequence numbers and files stay valid).
            if round == 1 { _ = try await HudiIcebergExporter(table: table, location: dir.absoluteURL.absoluteString).export() }
        }
        await table.close()
        let earliest = try #require(try await table.earliestQueryableInstant())
        let export = try await HudiIcebergExporter(table: table, location: dir.absoluteURL.absoluteString).export()
        #expect(export.instants == instants.filter { $0 >= earliest })
        #expect(export.instants.count < 5 && export.instants.last == instants.last)
        #expect(export.metadataKey == "metadata/v2.metadata.json")
        #expect(export.metadata.snapshots.first?.parentID == nil)
        var queries: [JSONValue] = []
        for (snapshot, instant) in zip(export.metadata.snapshots, export.instants) {
            queries.append(.object([("snapshot_id", .int(snapshot.snapshotID)), ("as_of", .string(instant))]))
        }
        let answers = try IcebergOracle.compare(table: dir.path, metadata: dir.appendingPathComponent(try #require(export.metadataKey)).path, queries)
        try #require(answers.count == queries.count)
        for a in answers { #expect(a.equal && a.iceberg == 8, "\(a.raw)") }
    }

    /// Twelve upsert commits over three days (no cleaning): one listing for all plans,
    /// footers read once per added file; the latest and a middle snapshot equal hudi-rs.
    @Test func exportOfManyCommitsIsFastAndExact() async throws {
        let dir = try TestEnvironment.temporaryDirectory("catalog-many")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = WriteOptions()
        options.autoClean = false
        let table = try await HudiTable.create(store: try LocalObjectStore(root: dir), name: "user_events_table",
                                               recordKeyField: "event_id", precombineField: "timestamp",
                                               partitionField: "event_date", fields: EventTables.fields, options: options)
        var instants: [String] = []
        for round in 0..<12 {
            var events: [E] = []
            for i in 0..<60 {
                let key = (round * 37 + i * 7) % 150
                let micros: Int64 = EventTables.base + Int64(key % 3) * EventTables.day + Int64(round) * 1000 + Int64(i)
                events.append(E(id: "k\(key)", user: "r\(round)", page: nil, micros: micros, offset: Int64(round * 100 + i),
                                delete: round > 0 && i % 10 == 0))
            }
            instants.append(try await table.write(EventTables.batch(events)).instant)
        }
        await table.close()
        let started = Date()
        let export = try await HudiIcebergExporter(table: table, location: dir.absoluteURL.absoluteString).export()
        let seconds = Date().timeIntervalSince(started)
        print("export of 12 commits: \(String(format: "%.3f", seconds)) s")
        #expect(export.instants == instants)
        let queries: [JSONValue] = [5, 11].map { i in
            .object([("snapshot_id", .int(export.metadata.snapshots[i].snapshotID)), ("as_of", .string(instants[i]))])
        }
        let answers = try IcebergOracle.compare(table: dir.path, metadata: dir.appendingPathComponent(try #require(export.metadataKey)).path, queries)
        try #require(answers.count == 2)
        for a in answers { #expect(a.equal && a.iceberg > 0, "\(a.raw)") }
    }

    /// An unpartitioned table (empty partition struct) and a table without commits.
    @Test func unpartitionedAndEmptyTables() async throws {
        let dir = try TestEnvironment.temporaryDirectory("catalog-flat")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await HudiTable.create(store: try LocalObjectStore(root: dir), name: "flat", recordKeyField: "event_id",
                                               precombineField: "timestamp", partitionField: nil, fields: EventTables.fields)
        let exporter = try HudiIcebergExporter(table: table, location: dir.absoluteURL.absoluteString)
        let empty = try await exporter.export()
        #expect(empty.metadata.snapshots.isEmpty && empty.metadata.partitionFields.isEmpty)
        let none = try IcebergOracle.compare(table: dir.path, metadata: dir.appendingPathComponent(try #require(empty.metadataKey)).path,
                                             [.object([("snapshot_id", .null), ("as_of", .null)])])
        #expect(none.first?.iceberg == 0)

        var events: [E] = []
        for i in 0..<20 { events.append(E(id: "k\(i)", user: "u", page: nil, micros: EventTables.base + Int64(i), offset: Int64(i))) }
        let first = try await table.write(EventTables.batch(events)).instant
        events = events.prefix(5).map { var e = $0; e.delete = true; e.micros += 100; return e }
        _ = try await table.write(EventTables.batch(events))
        await table.close()
        let export = try await exporter.export()
        #expect(export.metadata.snapshots.count == 2)
        let answers = try IcebergOracle.compare(
            table: dir.path, metadata: dir.appendingPathComponent(try #require(export.metadataKey)).path,
            [.object([("snapshot_id", .null), ("as_of", .null)]),
             .object([("snapshot_id", .int(try HudiIcebergExporter.snapshotID(ofInstant: first))), ("as_of", .string(first))])])
        #expect(answers.map(\.iceberg) == [15, 20])
        for a in answers { #expect(a.equal, "\(a.raw)") }
    }

    /// A column added by a later commit (Hudi schema evolution): a second schema (ids kept,
    /// the new column id 12), each snapshot names its commit's schema, old files read the
    /// new column as null; every snapshot equals hudi-rs. The base files' Parquet field ids
    /// are the Iceberg ids.
    @Test func addedColumnReadsAsNullInOlderFiles() async throws {
        let dir = try TestEnvironment.temporaryDirectory("catalog-evolve")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await EventTables.create(dir)
        var events: [E] = []
        for i in 0..<12 { events.append(E(id: "k\(i)", user: "u", page: nil, micros: EventTables.base + Int64(i % 2) * EventTables.day + Int64(i), offset: Int64(i))) }
        let first = try await table.write(EventTables.batch(events)).instant
        // Second commit: four records of day 0 with a new nullable column `country`.
        let evolved = events.filter { $0.date == "2026-11-18" }.prefix(4).map { var e = $0; e.micros += 1000; return e }
        var batch = EventTables.batch(Array(evolved))
        batch.fields.append(Field("country", .string))
        batch.columns.append(.strings(evolved.map { _ in "DE" }))
        let second = try await table.write(batch).instant
        await table.close()
        let export = try await HudiIcebergExporter(table: table, location: dir.absoluteURL.absoluteString).export()
        let schema = export.metadata.schema
        #expect(schema.field(named: "country") == IcebergField(id: 12, name: "country", type: .string, required: false))
        // Every base file carries Parquet field ids equal to the Iceberg ids, by name (meta
        // columns included), the files written before the column was added too.
        let files = try FileManager.default.subpathsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".parquet") }
        #expect(files.count >= 3)
        var sawCountry = false
        for file in files {
            let footer = try ParquetFileReader(source: FileSource(path: dir.appendingPathComponent(file).path)).metadata
            for element in footer.schema.dropFirst() {
                let field = try #require(schema.field(named: element.name), "\(file): \(element.name)")
                #expect(element.fieldId.map(Int.init) == field.id, "\(file): \(element.name)")
                sawCountry = sawCountry || element.name == "country"
            }
            #expect(footer.schema.dropFirst().prefix(5).map(\.fieldId) == [1, 2, 3, 4, 5])
        }
        #expect(sawCountry)
        let answers = try IcebergOracle.compare(
            table: dir.path, metadata: dir.appendingPathComponent(try #require(export.metadataKey)).path,
            [.object([("snapshot_id", .int(try HudiIcebergExporter.snapshotID(ofInstant: second))), ("as_of", .string(second))]),
             .object([("snapshot_id", .int(try HudiIcebergExporter.snapshotID(ofInstant: first))), ("as_of", .string(first))])])
        try #require(answers.count == 2)
        // Each snapshot reads with its own schema: the columns equal hudi-rs's as of then.
        #expect(export.metadata.snapshots.map(\.schemaID) == [0, 1])
        #expect(export.metadata.schemas.map(\.schemaID) == [0, 1])
        for a in answers { #expect(a.equal && a.iceberg == 12, "\(a.raw)") }
        #expect(answers[0].sameColumns && answers[0].raw.contains("country"))
        // hudi-rs reads an old instant with the latest schema (country as null); Iceberg time
        // travel reads with the snapshot's schema, which has no country yet.
        #expect(!answers[1].sameColumns && !answers[1].raw.contains("country"))
    }
}

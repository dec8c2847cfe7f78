import Catalog
import Foundation
import Hudi
import ObjectStore
import ObjectStoreTesting
import TributaryCore
import TributaryTesting

/// `user_events`-shaped Hudi tables for the catalog tests.
public enum EventTables {
    public static let day: Int64 = 86_400_000_000
    public static let base: Int64 = 1_795_000_000_000_000 - 1_795_000_000_000_000 % 86_400_000_000  // 2026-11-18

    public static let fields: [Field] = [
        Field("event_id", .string, nullable: false),
        Field("user_id", .string, nullable: false),
        Field("page", .string),
        Field("timestamp", .timestamp(.micros, isAdjustedToUTC: true), nullable: false),
        Field("event_date", .string, nullable: false),
        Field("_kafka_offset", .int64, nullable: false),
    ]

    public struct Event: Sendable {
        public var id: String
        public var user: String
        public var page: String?
        public var micros: Int64
        public var offset: Int64
        public var delete = false
        public init(id: String, user: String, page: String?, micros: Int64, offset: Int64, delete: Bool = false) {
            self.id = id
            self.user = user
            self.page = page
            self.micros = micros
            self.offset = offset
            self.delete = delete
        }
        public var date: String { "2026-11-\(18 + Int((micros - EventTables.base) / EventTables.day))" }
    }

    public static func create(_ dir: URL) async throws -> HudiTable {
        try await create(store: try LocalObjectStore(root: dir))
    }

    public static func create(store: any ObjectStore) async throws -> HudiTable {
        try await HudiTable.create(store: store, name: "user_events_table", recordKeyField: "event_id",
                                   precombineField: "timestamp", partitionField: "event_date", fields: fields)
    }

    /// Four commits: 30 inserts over three days; ten upserts (file groups
    /// rewritten) and five inserts; four deletes; six inserts on a new day. Rows after
    /// each: 30, 35, 31, 37. Returns the instants.
    public static func writeScenario(_ table: HudiTable) async throws -> [String] {
        typealias E = Event
        let b = base, d = day
        var instants: [String] = []
        // 1: 30 inserts over three days.
        var first: [E] = []
        for i in 0..<30 {
            let micros: Int64 = b + Int64(i % 3) * d + Int64(i) * 1000
            first.append(E(id: "e\(i)", user: "u\(i % 4)", page: i % 3 == 0 ? nil : "/p/\(i)", micros: micros, offset: Int64(i)))
        }
        instants.append(try await table.write(EventTables.batch(first), operation: .insert).instant)
        // 2: upsert ten (all days) and add five on day 1.
        var second: [E] = []
        for i in 0..<10 {
            let k = i * 3 + i % 2
            let micros: Int64 = b + Int64(k % 3) * d + 500_000
            second.append(E(id: "e\(k)", user: "v\(i)", page: "/new", micros: micros, offset: 100 + Int64(i)))
        }
        for i in 0..<5 {
            second.append(E(id: "n\(i)", user: "w", page: nil, micros: b + d + Int64(i), offset: 200 + Int64(i)))
        }
        instants.append(try await table.write(EventTables.batch(second)).instant)
        // 3: delete four keys.
        var third: [E] = []
        for (id, dayIndex) in [("e0", 0), ("e4", 1), ("e8", 2), ("n1", 1)] {
            let micros: Int64 = b + Int64(dayIndex) * d + 900_000
            third.append(E(id: id, user: "", page: nil, micros: micros, offset: 300, delete: true))
        }
        instants.append(try await table.write(EventTables.batch(third)).instant)
        // 4: a new day only (the other days' files stay).
        var fourth: [E] = []
        for i in 0..<6 {
            fourth.append(E(id: "f\(i)", user: "x", page: "/f", micros: b + 5 * d + Int64(i), offset: 400 + Int64(i)))
        }
        instants.append(try await table.write(EventTables.batch(fourth)).instant)
        return instants
    }

    public static func batch(_ events: [Event]) -> RecordBatch {
        RecordBatch(
            fields: fields,
            columns: [
                .strings(events.map(\.id)), .strings(events.map(\.user)), .strings(events.map(\.page)),
                .int64(events.map(\.micros)), .strings(events.map(\.date)), .int64(events.map(\.offset)),
            ],
            recordKeys: events.map(\.id), partitionValues: events.map(\.date), orderingValues: events.map(\.micros),
            operations: events.map { $0.delete ? .delete : .upsert })
    }
}

/// The pyiceberg-vs-hudi-rs oracle (Tests/CatalogTests/oracle/compare_iceberg.py).
public enum IcebergOracle {
    public static let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/CatalogTests/oracle/compare_iceberg.py").path

    public struct Answer: Sendable {
        public var iceberg: Int
        public var hudi: Int
        public var equal: Bool
        public var files: Int
        public var sameColumns: Bool
        public var raw: String
    }

    /// One answer per query (`snapshot_id`, `as_of`, optional `key`), all in one process.
    public static func compare(table: String, metadata: String, _ queries: [JSONValue]) throws -> [Answer] {
        try compare(table: table, source: [metadata], queries)
    }

    /// The same through a REST catalog (pyiceberg's RestCatalog, credential test:test).
    public static func compare(table: String, catalog uri: String, warehouse: String, identifier: String, _ queries: [JSONValue]) throws -> [Answer] {
        try compare(table: table, source: ["--catalog", uri, warehouse, identifier], queries)
    }

    /// The same through a catalog server of the tests (its pyiceberg properties, plus
    /// `extra`, e.g. S3 FileIO settings); `hudiOptions`: hudi-rs storage options (S3).
    public static func compare(table: String, server: CatalogServer, identifier: String, extra: [String: String] = [:],
                               hudiOptions: [String: String] = [:], _ queries: [JSONValue]) throws -> [Answer] {
        let properties = server.pyicebergProperties.merging(extra) { $1 }
        var source = ["--catalog-properties", propertiesJSON(properties), identifier]
        if !hudiOptions.isEmpty { source += ["--hudi-options", propertiesJSON(hudiOptions)] }
        return try compare(table: table, source: source, queries)
    }

    /// What pyiceberg's scan of one query (`snapshot_id`, optional `filter`: [name, value])
    /// saw: files planned; without a filter also the scan's schema id, its field ids by
    /// dotted name and the rows (keys sorted at every level, sorted).
    public struct Scan: Sendable {
        public var files: Int
        public var schemaID: Int
        public var ids: [String: Int]
        public var rows: [JSONValue]
    }

    public static let readScript = TestEnvironment.packageRoot.appendingPathComponent("Tests/CatalogTests/oracle/read_iceberg.py").path

    /// One scan per query, all in one process (`read_iceberg.py`).
    public static func scan(metadata: String, _ queries: [JSONValue]) throws -> [Scan] {
        try scan(source: [metadata], queries)
    }

    /// The same through a catalog server of the tests (its pyiceberg properties).
    public static func scan(server: CatalogServer, identifier: String, _ queries: [JSONValue]) throws -> [Scan] {
        try scan(source: ["--catalog-properties", propertiesJSON(server.pyicebergProperties), identifier], queries)
    }

    private static func scan(source: [String], _ queries: [JSONValue]) throws -> [Scan] {
        try answers([readScript] + source, queries).map { v, _ in
            var ids: [String: Int] = [:]
            if case .object(let pairs)? = v["ids"] { for (k, id) in pairs { ids[k] = id.int.map(Int.init) } }
            let rows = try (v["rows"]?.arrayValues ?? []).map { try JSONValue.parse(Data(($0.string ?? "").utf8)) }
            return Scan(files: Int(v["files"]?.int ?? -1), schemaID: Int(v["schema_id"]?.int ?? -1), ids: ids, rows: rows)
        }
    }

    private static func compare(table: String, source: [String], _ queries: [JSONValue]) throws -> [Answer] {
        try answers([script, table] + source, queries).map { v, line in
            Answer(iceberg: Int(v["iceberg"]?.int ?? -1), hudi: Int(v["hudi"]?.int ?? -1),
                   equal: v["equal"] == .bool(true), files: Int(v["files"]?.int ?? -1),
                   sameColumns: v["same_columns"] == .bool(true), raw: line)
        }
    }

    private static func propertiesJSON(_ d: [String: String]) -> String {
        JSONValue.object(d.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }).pretty()
    }

    /// Runs an oracle script with the queries as JSON lines on stdin; its answer lines, parsed.
    private static func answers(_ arguments: [String], _ queries: [JSONValue]) throws -> [(JSONValue, String)] {
        let input = queries.map { $0.pretty().replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n")
        let out = try runPython(arguments, stdin: Data(input.utf8)).stdoutText
        return try out.split(separator: "\n").map { (try JSONValue.parse(Data($0.utf8)), String($0)) }
    }
}

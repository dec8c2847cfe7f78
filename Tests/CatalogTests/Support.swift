import Foundation
import Hudi
import ObjectStore
import ObjectStoreTesting
import Parquet
import TributaryTesting
import Catalog

/// `user_events`-shaped Hudi tables for the catalog tests.
enum EventTables {
    static let day: Int64 = 86_400_000_000
    static let base: Int64 = 1_795_000_000_000_000 - 1_795_000_000_000_000 % 86_400_000_000  // 2026-11-18

    static let fields: [Field] = [
        Field("event_id", .string, nullable: false),
        Field("user_id", .string, nullable: false),
        Field("page", .string),
        Field("timestamp", .timestamp(.micros, isAdjustedToUTC: true), nullable: false),
        Field("event_date", .string, nullable: false),
        Field("_kafka_offset", .int64, nullable: false),
    ]

    struct Event {
        var id: String
        var user: String
        var page: String?
        var micros: Int64
        var offset: Int64
        var delete = false
        var date: String { "2026-11-\(18 + Int((micros - EventTables.base) / EventTables.day))" }
    }

    static func create(_ dir: URL) async throws -> HudiTable {
        try await HudiTable.create(store: try LocalObjectStore(root: dir), name: "user_events_table", recordKeyField: "event_id",
                                   precombineField: "timestamp", partitionField: "event_date", fields: fields)
    }

    /// Four commits: 30 inserts over three days; ten upserts (file groups
    /// rewritten) and five inserts; four deletes; six inserts on a new day. Rows after
    /// each: 30, 35, 31, 37. Returns the instants.
    static func writeScenario(_ table: HudiTable) async throws -> [String] {
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

    static func batch(_ events: [Event]) -> RecordBatch {
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
enum IcebergOracle {
    static let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/CatalogTests/oracle/compare_iceberg.py").path

    struct Answer {
        var iceberg: Int
        var hudi: Int
        var equal: Bool
        var files: Int
        var sameColumns: Bool
        var raw: String
    }

    /// One answer per query (`snapshot_id`, `as_of`, optional `key`), all in one process.
    static func compare(table: String, metadata: String, _ queries: [JSONValue]) throws -> [Answer] {
        try compare(table: table, source: [metadata], queries)
    }

    /// The same through a REST catalog (pyiceberg's RestCatalog, credential test:test).
    static func compare(table: String, catalog uri: String, warehouse: String, identifier: String, _ queries: [JSONValue]) throws -> [Answer] {
        try compare(table: table, source: ["--catalog", uri, warehouse, identifier], queries)
    }

    private static func compare(table: String, source: [String], _ queries: [JSONValue]) throws -> [Answer] {
        let input = queries.map { $0.pretty().replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n")
        let out = try runPython([script, table] + source, stdin: Data(input.utf8)).stdoutText
        return try out.split(separator: "\n").map { line in
            let v = try JSONValue.parse(Data(line.utf8))
            return Answer(iceberg: Int(v["iceberg"]?.int ?? -1), hudi: Int(v["hudi"]?.int ?? -1),
                          equal: v["equal"] == .bool(true), files: Int(v["files"]?.int ?? -1),
                          sameColumns: v["same_columns"] == .bool(true), raw: String(line))
        }
    }
}

/// One SeaweedFS (`weed mini`) per test run, for its built-in Iceberg REST catalog
/// (OAuth2 client credentials = the S3 keys).
actor SeaweedCatalog {
    static let shared = SeaweedCatalog()
    static var available: Bool { SeaweedMini.available }
    static let warehouse = "warehouse"

    private var process: ManagedProcess?

    /// The catalog's base URI (`http://127.0.0.1:PORT`), starting the server once.
    func uri() async throws -> String {
        if let process { return "http://127.0.0.1:\(process.port)" }
        let (server, ports) = try SeaweedMini.start(tableBucket: Self.warehouse)
        process = server
        let uri = "http://127.0.0.1:\(ports.iceberg ?? server.port)"
        // The port answers before the warehouse (table bucket) exists: wait until a
        // namespace can be created in it.
        var lastError: (any Error)?
        for _ in 0..<120 {
            let probe = IcebergRESTCatalog(configuration: IcebergRESTConfiguration(
                uri: uri, warehouse: Self.warehouse, auth: .clientCredentials(clientID: "test", secret: "test"), requestTimeout: 5))
            do {
                try await probe.ensureNamespace(["ready"])
                return uri
            } catch {
                lastError = error
            }
            try await Task.sleep(nanoseconds: 250_000_000)
        }
        throw CatalogError.invalidArgument("SeaweedFS's Iceberg catalog did not come up: \(String(describing: lastError))")
    }
}

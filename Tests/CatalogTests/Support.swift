import Foundation
import Hudi
import ObjectStore
import Parquet
import TributaryTesting

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
        var raw: String
    }

    /// One answer per query (`snapshot_id`, `as_of`, optional `key`), all in one process.
    static func compare(table: String, metadata: String, _ queries: [JSONValue]) throws -> [Answer] {
        let input = queries.map { $0.pretty().replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n")
        let out = try runPython([script, table, metadata], stdin: Data(input.utf8)).stdoutText
        return try out.split(separator: "\n").map { line in
            let v = try JSONValue.parse(Data(line.utf8))
            return Answer(iceberg: Int(v["iceberg"]?.int ?? -1), hudi: Int(v["hudi"]?.int ?? -1),
                          equal: v["equal"] == .bool(true), files: Int(v["files"]?.int ?? -1), raw: String(line))
        }
    }
}

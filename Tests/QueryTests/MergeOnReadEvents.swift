import Foundation
import Hudi
import ObjectStore
import Parquet
import Query
import Testing
import TributaryCore
import TributaryTesting

/// A small merge-on-read table `events` written through the table API (so a test can fail
/// a delta commit and choose ordering values), and its rows as our merged reader reads
/// them, in the JSON lines ``Oracle`` and ``jsonLines(_:)`` print.
struct MergeOnReadEvents {
    static let fields: [Field] = [
        Field("event_id", .string, nullable: false), Field("value", .int64),
        Field("ts", .timestamp(.micros, isAdjustedToUTC: true), nullable: false), Field("day", .string, nullable: false),
    ]
    static let columns = ["_hoodie_commit_time", "event_id", "value", "ts", "day"]

    let root: URL
    let table: HudiTable
    var instants: [String] = []

    init() async throws {
        root = try TestEnvironment.temporaryDirectory("mor-events-lake")
        var options = WriteOptions()
        options.compactionMaxDeltaCommits = 0
        table = try await HudiTable.create(store: try LocalObjectStore(root: root.appendingPathComponent("events")), name: "events",
                                           recordKeyField: "event_id", precombineField: "ts", partitionField: "day", fields: Self.fields,
                                           tableType: .mergeOnRead, options: options)
    }

    var tablePath: String { root.appendingPathComponent("events").path }

    static func batch(_ keys: Range<Int>, ts: Int64, value: Int64, delete: Bool) -> RecordBatch {
        let ids = Array(keys)
        let stamps = ids.map { _ in ts }
        let days = ids.map { "2026-12-0\(1 + $0 % 2)" }  // two partitions
        return RecordBatch(fields: fields, columns: [.strings(ids.map { "k\($0)" }), .int64(ids.map { _ in value }), .int64(stamps), .strings(days)],
                           recordKeys: ids.map { "k\($0)" }, partitionValues: days, orderingValues: stamps,
                           operations: ids.map { _ in delete ? .delete : .upsert })
    }

    mutating func write(_ keys: Range<Int>, ts: Int64, value: Int64, delete: Bool = false) async throws {
        instants.append(try await table.write(Self.batch(keys, ts: ts, value: value, delete: delete)).instant)
    }

    /// A delta commit that fails after writing its log files (the next write rolls it back).
    func writeRolledBack(_ keys: Range<Int>, ts: Int64) async throws {
        struct Refused: Error {}
        do {
            _ = try await table.write(Self.batch(keys, ts: ts, value: 9, delete: false), check: CommitCheck(keys: []) { _ in throw Refused() })
            Issue.record("the refused delta commit was committed")
        } catch is Refused {}
    }

    /// Our merged reader's snapshot (or incremental read) as JSON lines.
    func ourRows(asOf: String? = nil, since: String? = nil, until: String? = nil) async throws -> [String] {
        let rows: HudiRows
        if let since {
            rows = try await table.readIncremental(since: since, until: until, columns: Self.columns)
        } else {
            rows = try await table.readSnapshot(asOf: asOf, columns: Self.columns)
        }
        return rows.rows.map { row -> String in
            let fields: [String] = zip(rows.names, row).map { name, value in QueryValue.string(name).json + ":" + Self.json(value) }
            return "{" + fields.joined(separator: ",") + "}"
        }.sorted()
    }

    static func json(_ v: ParquetValue) -> String {
        switch v {
        case .string(let s): return QueryValue.string(s).json
        case .int(let x), .timestamp(let x, _, _): return QueryValue.int(x).json
        default: return QueryValue.null.json
        }
    }
}

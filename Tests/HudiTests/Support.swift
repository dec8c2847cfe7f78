import Foundation
import ObjectStore
import Parquet
import TributaryCore
import TributaryTesting
@testable import Hudi

/// A `user_events`-shaped record (topics.md) for tests.
struct EventRecord: Sendable, Equatable {
    var eventId: String
    var userId: String
    var eventType: String
    var page: String? = nil
    var country: String? = nil
    /// Epoch microseconds (UTC).
    var timestamp: Int64
    var kafkaOffset: Int64
    var delete = false

    var eventDate: String { Events.date(ofMicros: timestamp) }
}

enum Events {
    static let fields: [Field] = [
        Field("event_id", .string, nullable: false),
        Field("user_id", .string, nullable: false),
        Field("event_type", .string, nullable: false),
        Field("page", .string),
        Field("country", .string),
        Field("timestamp", .timestamp(.micros, isAdjustedToUTC: true), nullable: false),
        Field("event_date", .string, nullable: false),
        Field("_kafka_offset", .int64, nullable: false),
    ]

    static func date(ofMicros v: Int64) -> String {
        let days = Int64((Double(v) / 86_400_000_000).rounded(.down))
        return String(formatTimestampDay(days))
    }

    private static func formatTimestampDay(_ days: Int64) -> String {
        let s = ParquetValue.date(Int32(days)).text
        return s
    }

    static func batch(_ records: [EventRecord]) -> RecordBatch {
        let columns: [Column] = [
            .strings(records.map(\.eventId)),
            .strings(records.map(\.userId)),
            .strings(records.map(\.eventType)),
            .strings(records.map(\.page)),
            .strings(records.map(\.country)),
            .int64(records.map(\.timestamp)),
            .strings(records.map(\.eventDate)),
            .int64(records.map(\.kafkaOffset)),
        ]
        return RecordBatch(fields: fields, columns: columns, recordKeys: records.map(\.eventId),
                           partitionValues: records.map(\.eventDate), orderingValues: records.map(\.timestamp),
                           operations: records.map { $0.delete ? .delete : .upsert })
    }

    /// The JSON line a reader should return for a stored record (meta columns that are
    /// predictable included; `_hoodie_commit_seqno` and `_hoodie_file_name` left out).
    static func expectedLine(_ r: EventRecord, commitTime: String) -> JSONValue {
        func s(_ v: String?) -> JSONValue { v.map(JSONValue.string) ?? .null }
        let ts = ParquetValue.timestamp(r.timestamp, .micros, isAdjustedToUTC: true).text
        return canonical(.object([
            ("_hoodie_commit_time", .string(commitTime)),
            ("_hoodie_record_key", .string(r.eventId)),
            ("_hoodie_partition_path", .string("event_date=\(r.eventDate)")),
            ("event_id", .string(r.eventId)), ("user_id", .string(r.userId)), ("event_type", .string(r.eventType)),
            ("page", s(r.page)), ("country", s(r.country)), ("timestamp", .string(ts)),
            ("event_date", .string(r.eventDate)), ("_kafka_offset", .int(r.kafkaOffset)),
        ]))
    }
}

/// Top-level keys sorted, unpredictable meta columns dropped.
func canonical(_ v: JSONValue, drop: Set<String> = ["_hoodie_commit_seqno", "_hoodie_file_name"]) -> JSONValue {
    guard case .object(let o) = v else { return v }
    return .object(o.filter { !drop.contains($0.0) }.sorted { $0.0 < $1.0 })
}

/// Sorts canonical rows for set comparison.
func sortedRows(_ rows: [JSONValue]) -> [JSONValue] {
    rows.sorted { $0.pretty() < $1.pretty() }
}

enum HudiOracle {
    static let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/HudiTests/oracle/read_table.py").path

    /// hudi-rs's snapshot rows of the table at `path`, canonicalized.
    static func read(_ path: String, asOf: String? = nil, drop: Set<String> = ["_hoodie_commit_seqno", "_hoodie_file_name"]) throws -> [JSONValue] {
        var args = [script, path]
        if let asOf { args += ["--as-of", asOf] }
        let out = try runPython(args)
        return try out.stdoutText.split(separator: "\n").map { canonical(try JSONValue.parse(Data($0.utf8)), drop: drop) }
    }

    /// Several reads in one hudi-rs process: each query `{"as_of": T}` or `{"start": B,
    /// "end": E}` (plus `"files": true` for the sorted file paths instead of rows); answers
    /// in query order, rows canonicalized.
    static func queries(_ path: String, _ queries: [JSONValue], drop: Set<String> = ["_hoodie_commit_seqno", "_hoodie_file_name"]) throws -> [[JSONValue]] {
        let input = queries.map { $0.pretty().replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n")
        let out = try runPython([script, path, "--queries"], stdin: Data(input.utf8)).stdoutText
        var answers: [[JSONValue]] = []
        for line in out.split(separator: "\n") {
            if line.hasPrefix("#") { answers.append([]); continue }
            let value: JSONValue = line.hasPrefix("{") ? canonical(try JSONValue.parse(Data(line.utf8)), drop: drop) : .string(String(line))
            answers[answers.count - 1].append(value)
        }
        return answers
    }

    /// hudi-rs's snapshot file list (relative paths).
    static func files(_ path: String) throws -> [String] {
        try runPython([script, path, "--files"]).stdoutText.split(separator: "\n").map(String.init).sorted()
    }
}

/// Our reader's rows, canonicalized the same way.
func ourRows(_ table: HudiTable, asOf: String? = nil, drop: Set<String> = ["_hoodie_commit_seqno", "_hoodie_file_name"]) async throws -> [JSONValue] {
    let rows = try await table.readSnapshot(asOf: asOf)
    return try rows.rows.map { canonical(try JSONValue.parse(Data(renderJSONLine(names: rows.names, row: $0).utf8)), drop: drop) }
}

/// Avro container files decoded by fastavro: per file its writer schema's name and records.
func fastavroRead(_ paths: [String]) throws -> [(schema: String, records: [JSONValue])] {
    let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/HudiTests/oracle/read_avro.py").path
    return try runPython([script] + paths).stdoutText.split(separator: "\n").map { line in
        let v = try JSONValue.parse(Data(line.utf8))
        return (v["schema"]?.string ?? "", v["records"]?.arrayValues ?? [])
    }
}

/// Unzips a fixture table into a temporary directory; returns the table path.
func unzipFixture(_ name: String) throws -> (dir: URL, table: URL) {
    let zip = TestEnvironment.packageRoot.appendingPathComponent("../shared/hudi/fixtures/\(name).zip").standardized
    let fallback = URL(fileURLWithPath: "/work/shared/hudi/fixtures/\(name).zip")
    return try unzipTable(FileManager.default.fileExists(atPath: zip.path) ? zip : fallback, name: name)
}

/// Extracts `zip` (without macOS litter) into a temporary directory; the table is its
/// folder `name`.
func unzipTable(_ zip: URL, name: String) throws -> (dir: URL, table: URL) {
    let dir = try TestEnvironment.temporaryDirectory("hudi-fixture")
    try runPython(["-c", """
        import sys, zipfile
        with zipfile.ZipFile(sys.argv[1]) as z:
            for m in z.namelist():
                if m.startswith('__MACOSX/') or m.endswith('.DS_Store'):
                    continue
                z.extract(m, sys.argv[2])
        """, zip.path, dir.path])
    return (dir, dir.appendingPathComponent(name))
}

/// A small deterministic PRNG (SplitMix64) so failures reproduce from the seed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

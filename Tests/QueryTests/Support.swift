import Foundation
import Hudi
import ObjectStore
@testable import Query
import TributaryCore
import TributaryTesting
@testable import Pipeline

/// "Now" for the decoder (2026-11-26T06:00:00Z): test timestamps lie before it.
let testNow: Int64 = 1_795_687_200_000_000

/// A lake written by the processor's sink: `user_events` with a few upsert commits.
struct TestLake {
    let root: URL
    let store: any ObjectStore
    let sink: HudiTableSink
    /// Instants of the commits, in order.
    var instants: [String] = []
    private var checkpoint = KafkaCheckpoint(topic: "user_events", offsets: [:])
    private var offset: Int64 = 0

    init(store: (any ObjectStore)? = nil, tableType: TableType = .copyOnWrite) throws {
        root = try TestEnvironment.temporaryDirectory("query-lake")
        self.store = try store ?? LocalObjectStore(root: root)
        var options = WriteOptions()
        options.compactionMaxDeltaCommits = 0
        sink = HudiTableSink(root: self.store, schemas: [.seed("user_events")!], options: options, tableType: tableType)
    }

    var tablePath: String { root.appendingPathComponent("user_events").path }

    /// One `user_events` message for key `k` (version `v` changes the values).
    static func message(_ k: Int, version v: Int) -> String {
        let types = ["page_view", "click", "signup", "login", "purchase"]
        let day = 24 + k % 2  // two partitions
        let second = (k * 7 + v) % 60
        let country = k % 3 == 0 ? "null" : "\"D\(Character(UnicodeScalar(65 + k % 26)!))\""
        return #"{"event_id":"e\#(k)","user_id":"u\#(k % 13)","event_type":"\#(types[(k + v) % types.count])","page":"/p/\#(k)/\#(v)","country":\#(country),"timestamp":"2026-11-\#(day)T10:\#(String(format: "%02d", v % 60)):\#(String(format: "%02d", second))Z"}"#
    }

    /// Commits the keys (upserts, or deletes) as one processor batch; returns the instant.
    @discardableResult
    mutating func commit(_ keys: some Sequence<Int>, version: Int, delete: Bool = false) async throws -> String {
        var decoder = RecordDecoder(schema: .seed("user_events")!, nowMicros: testNow)
        for k in keys {
            let bytes = Array(Self.message(k, version: version).utf8)
            let rejection = bytes.withUnsafeBytes { decoder.append($0, partition: 0, offset: offset) }
            precondition(rejection == nil, "test message rejected: \(String(describing: rejection))")
            offset += 1
        }
        let id = try await sink.newBatchID(topic: "user_events")
        var batch = decoder.finish(batchID: id, ingestedAtMicros: testNow)
        if delete { batch.operations = [RecordOperation](repeating: .delete, count: batch.count) }
        let next = KafkaCheckpoint(topic: "user_events", offsets: [0: offset])
        try await sink.commit(CommitRequest(topic: "user_events", records: batch, expected: checkpoint, checkpoint: next,
                                            batchID: id))
        checkpoint = next
        instants.append(id)
        return id
    }
}

enum Oracle {
    static let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/QueryTests/oracle/hudi_rows.py").path

    /// hudi-rs's rows (chosen columns) as sorted JSON lines.
    static func rows(_ table: String, columns: [String], asOf: String? = nil, since: String? = nil, until: String? = nil) throws -> [String] {
        var args = [script, table, columns.joined(separator: ",")]
        if let asOf { args += ["--as-of", asOf] }
        if let since { args += ["--since", since] }
        if let until { args += ["--until", until] }
        return try runPython(args).stdoutText.split(separator: "\n").map(String.init).sorted()
    }

    /// hudi-rs's base files of the read (relative paths), sorted.
    static func files(_ table: String, asOf: String? = nil, since: String? = nil, until: String? = nil) throws -> [String] {
        var args = [script, table, "x", "--files"]
        if let asOf { args += ["--as-of", asOf] }
        if let since { args += ["--since", since] }
        if let until { args += ["--until", until] }
        return try runPython(args).stdoutText.split(separator: "\n").map(String.init).sorted()
    }
}

/// Columns compared with hudi-rs: plain scalar types (timestamps as epoch micros).
let comparedColumns = ["_hoodie_commit_time", "_hoodie_record_key", "_hoodie_partition_path", "event_id", "user_id",
                       "event_type", "page", "country", "timestamp", "event_date", "_kafka_offset", "_batch_id"]

/// The SELECT list that renders `comparedColumns` as the oracle does.
func comparedSelect(from table: String = "user_events") -> String {
    let list = comparedColumns.map { $0 == "timestamp" ? "epoch_us(\"timestamp\") AS \"timestamp\"" : "\"\($0)\"" }
    return "SELECT \(list.joined(separator: ", ")) FROM \(table)"
}

/// Result rows as sorted JSON lines (`{"column":value,...}`), like the oracle's.
func jsonLines(_ r: QueryResult) -> [String] {
    r.rows.map { row in
        "{" + zip(r.columns, row).map { QueryValue.string($0.name).json + ":" + $1.json }.joined(separator: ",") + "}"
    }.sorted()
}

func makeService(_ lake: TestLake, timeout: Duration = .seconds(20), maxResultBytes: Int = 64 << 20,
                 cacheDirectory: URL? = nil) throws -> QueryService {
    var configuration = testConfiguration(processes: 2)
    configuration.maxResultBytes = maxResultBytes
    configuration.timeout = timeout
    configuration.cacheDirectory = cacheDirectory
    return try QueryService(lake: lake.store, configuration: configuration)
}

/// The tests' settings: the repository's DuckDB, two threads per process, table folders
/// looked for on every query.
func testConfiguration(processes: Int = 1) -> QueryService.Configuration {
    var configuration = QueryService.Configuration()
    configuration.duckdb = TestEnvironment.packageRoot.appendingPathComponent(".native/bin/duckdb")
    configuration.processes = processes
    configuration.threads = 2
    configuration.discoveryInterval = 0
    return configuration
}

/// An unlocked DuckDB process (for the seed's pattern over raw files).
func rawDuckDB() -> DuckDBProcess {
    DuckDBProcess(executable: TestEnvironment.packageRoot.appendingPathComponent(".native/bin/duckdb"))
}

// hudi-crash-writer TABLE_DIR BATCHES
//
// Commits the next BATCHES deterministic batches of `CrashWorkload` (batch numbers continue
// after the newest committed one, kept in each commit's extraMetadata `crash.batch`) to a
// Hudi table in a local folder, printing `PHASE <name> <batch>` as each phase of the commit
// protocol passes and `COMMITTED <batch> <instant>` after each commit.
//
// HUDI_CRASH_PAUSE=<phase>:<k> pauses (prints `PAUSED <phase> <batch>`, then sleeps until
// killed) the k-th time <phase> is reached. Phases, seen through the object store calls:
//   requested         after `<t>.commit.requested` was created
//   inflight          after `<t>.inflight` was written
//   base-file         after a base file was written
//   before-completed  before `<t>.commit` is created (the commit point)
//   completed         after it
//   rollback          after a rollback of a crashed write deleted files
//   log-file          after a log file was written (merge-on-read)
//   compaction        after a compaction's base file was written (merge-on-read)
// HUDI_CRASH_LEASE=<seconds> sets the writer lease duration (optimistic: heartbeat expiry).
// HUDI_CRASH_TABLE_TYPE=merge_on_read writes a merge-on-read table, compacting every 3
// delta commits in the background.
// HUDI_CRASH_MODE=optimistic writes with optimistic concurrency (default: single writer).
import Foundation
import Hudi
import ObjectStore
import Parquet
import TributaryCore
import TributaryTesting

final class Phases: @unchecked Sendable {
    static let shared = Phases()
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    var batch = 0
    let pausePhase: String?
    let pauseAt: Int

    init() {
        let spec = ProcessInfo.processInfo.environment["HUDI_CRASH_PAUSE"] ?? ""
        let parts = spec.split(separator: ":").map(String.init)
        pausePhase = parts.first
        pauseAt = parts.count > 1 ? Int(parts[1]) ?? 1 : 1
    }

    private func count(_ phase: String) -> (pause: Bool, batch: Int) {
        lock.lock()
        defer { lock.unlock() }
        counts[phase, default: 0] += 1
        return (phase == pausePhase && counts[phase] == pauseAt, batch)
    }

    func hit(_ phase: String) async {
        let (pause, b) = count(phase)
        say("PHASE \(phase) \(b)")
        if pause {
            say("PAUSED \(phase) \(b)")
            while true { try? await Task.sleep(nanoseconds: 1_000_000_000) }
        }
    }
}

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// The table's store, reporting the commit protocol's phases as its calls pass.
struct PhaseStore: ObjectStore {
    let base: any ObjectStore
    var backendDescription: String { base.backendDescription }

    static func isInstant(_ key: String) -> Bool { key.hasPrefix(".hoodie/") && !key.hasPrefix(".hoodie/.") }

    func get(_ key: String) async throws -> Data { try await base.get(key) }
    func get(_ key: String, range: Range<Int>) async throws -> Data { try await base.get(key, range: range) }
    func head(_ key: String) async throws -> ObjectInfo { try await base.head(key) }
    func put(_ key: String, _ data: Data) async throws {
        try await base.put(key, data)
        if Self.isInstant(key) && key.hasSuffix(".inflight") { await Phases.shared.hit("inflight") }
        if key.hasSuffix(".parquet") { await Phases.shared.hit(key.contains("_0-1-0_") ? "compaction" : "base-file") }
    }
    func putIfAbsent(_ key: String, _ data: Data) async throws {
        let completed = Self.isInstant(key) && (key.hasSuffix(".commit") || key.hasSuffix(".deltacommit"))
        if completed { await Phases.shared.hit("before-completed") }
        try await base.putIfAbsent(key, data)
        if completed { await Phases.shared.hit("completed") }
        if Self.isInstant(key) && (key.hasSuffix(".commit.requested") || key.hasSuffix(".deltacommit.requested")) {
            await Phases.shared.hit("requested")
        }
        if key.contains(".log.") { await Phases.shared.hit("log-file") }
    }
    func putStreaming(_ key: String, chunks: ObjectChunkSequence) async throws { try await base.putStreaming(key, chunks: chunks) }
    func list(prefix: String, delimiter: String?) -> ObjectListing { base.list(prefix: prefix, delimiter: delimiter) }
    func delete(_ keys: [String]) async throws {
        try await base.delete(keys)
        if keys.contains(where: { $0.hasSuffix(".parquet") || (Self.isInstant($0) && ($0.hasSuffix(".inflight") || $0.hasSuffix(".requested"))) }) {
            await Phases.shared.hit("rollback")
        }
    }
}

enum CrashTable {
    static let fields: [Field] = [
    Field("id", .string, nullable: false),
    Field("value", .int64, nullable: false),
    Field("batch", .int64, nullable: false),
    Field("ts", .timestamp(.micros, isAdjustedToUTC: true), nullable: false),
    Field("day", .string, nullable: false),
    ]
}

func recordBatch(_ n: Int) -> RecordBatch {
    let ops = CrashWorkload.batch(n)
    return RecordBatch(
        fields: CrashTable.fields,
        columns: [
            .strings(ops.map(\.key)), .int64(ops.map(\.value)), .int64(ops.map { _ in Int64(n) }),
            .int64(ops.map(\.micros)), .strings(ops.map { CrashWorkload.date(ofDay: $0.day) }),
        ],
        recordKeys: ops.map(\.key), partitionValues: ops.map { CrashWorkload.date(ofDay: $0.day) },
        orderingValues: ops.map(\.micros), operations: ops.map { $0.delete ? .delete : .upsert })
}

let args = CommandLine.arguments
guard args.count == 3, let count = Int(args[2]) else {
    FileHandle.standardError.write(Data("usage: hudi-crash-writer TABLE_DIR BATCHES\n".utf8))
    exit(2)
}
do {
    let store = PhaseStore(base: try LocalObjectStore(root: URL(fileURLWithPath: args[1])))
    var options = WriteOptions()
    options.leaseDuration = Double(ProcessInfo.processInfo.environment["HUDI_CRASH_LEASE"] ?? "") ?? 60
    if ProcessInfo.processInfo.environment["HUDI_CRASH_MODE"] == "optimistic" { options.concurrency = .optimistic }
    let tableType = TableType(rawValue: ProcessInfo.processInfo.environment["HUDI_CRASH_TABLE_TYPE"] ?? "") ?? .copyOnWrite
    options.compactionMaxDeltaCommits = 3
    let table = try await HudiTable.openOrCreate(store: store, name: "crash_table", recordKeyField: "id", precombineField: "ts",
                                                 partitionField: "day", fields: CrashTable.fields, tableType: tableType, options: options)
    let last = Int(try await table.latestExtraMetadataValue("crash.batch") ?? "0") ?? 0
    for n in (last + 1)...(last + max(1, count)) {
        Phases.shared.batch = n
        let r = try await table.write(recordBatch(n), extraMetadata: ["crash.batch": String(n)])
        say("COMMITTED \(n) \(r.instant)")
    }
    await table.close()
} catch {
    FileHandle.standardError.write(Data("hudi-crash-writer: \(error)\n".utf8))
    exit(1)
}

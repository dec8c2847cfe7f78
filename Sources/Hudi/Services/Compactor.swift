import Foundation
import Logging
import ObjectStore
import Parquet
import TributaryCore

/// What a compaction did.
public struct CompactionResult: Sendable {
    public var instant: String
    /// File slices compacted, and the base files' total bytes.
    public var fileGroups: Int
    public var bytesWritten: Int64
    /// Records written, and the log files and bytes folded in.
    public var records: Int
    public var logFilesCompacted: Int
    public var logBytesCompacted: Int
    public var seconds: Double
}

/// Compaction (merge-on-read): folds the log files of file slices into new base files, as
/// Hudi's async compaction does. Scheduling writes a plan (`<c>.compaction.requested`,
/// ``CompactionPlan``) naming every slice with logs, at an instant after the delta commits
/// it covers; execution (`<c>.compaction.inflight`) writes, per slice, a base file at the
/// compaction's instant with the merged records, outside the write turn (ingestion goes
/// on); its completion, under the write turn, carries the logs appended meanwhile into the
/// new slices and creates `<c>.commit` with put-if-absent. Base file names are
/// deterministic, so a crashed execution is simply run again from its plan (the plan stays
/// until the commit).
struct Compactor: Sendable {
    /// The write token of compacted base files: fixed, so a re-run writes the same names
    /// (two base files of one group and instant would make hudi-rs fail).
    static let writeToken = "0-1-0"

    let table: TableParts

    /// The plans of the pending (requested or inflight) compactions, oldest first.
    func pendingPlans(_ tl: Timeline) async throws -> [(instant: String, plan: CompactionPlan)] {
        var out: [(String, CompactionPlan)] = []
        for c in tl.pending where c.action == "compaction" {
            let requested = Instant(timestamp: c.timestamp, action: "compaction", state: .requested)
            out.append((c.timestamp, try CompactionPlan(avro: try await table.store.get(tl.key(of: requested)))))
        }
        return out
    }

    /// Delta commits completed since the newest compaction (pending or done).
    static func deltaCommitsSinceCompaction(_ tl: Timeline, compactions: Set<String>) -> Int {
        let last = compactions.max() ?? ""
        return tl.completedDataCommits.filter { $0.action == "deltacommit" && $0.timestamp > last }.count
    }

    /// Schedules a compaction of every slice with log files (not already in a pending
    /// plan) when `force` or `maxDeltaCommits` delta commits were made since the last one;
    /// else of the slices whose log files exceed `compactionMaxLogBytes`; nil when nothing
    /// was scheduled. Not while a delta commit is pending: its logs would be in neither slice.
    func schedule(_ tl: Timeline, force: Bool) async throws -> String? {
        guard table.config.isMergeOnRead, !tl.pending.contains(where: { $0.action == "deltacommit" }) else { return nil }
        let pending = try await pendingPlans(tl)
        let compactions = Set(tl.instants.filter { $0.action == "compaction" }.map(\.timestamp))
            .union(try await completedCompactions(tl))
        let due = force || (table.options.compactionMaxDeltaCommits > 0
                            && Self.deltaCommitsSinceCompaction(tl, compactions: compactions) >= table.options.compactionMaxDeltaCommits)
        guard due || table.options.compactionMaxLogBytes > 0 else { return nil }
        let busy = Set(pending.flatMap { $0.plan.operations.map(\.groupID) })
        let plan = try await table.timeline.planSnapshot(tl, fileGroups: try await table.fileSystemView.listFileGroups(), asOf: nil)
        let operations = plan.slices.filter { !$0.logFiles.isEmpty && !busy.contains(FileGroupID(partitionPath: $0.partitionPath, fileId: $0.fileId)) }
            .filter { due || $0.logFiles.reduce(0) { $0 + $1.size } > table.options.compactionMaxLogBytes }
            .map { s in
                CompactionPlan.Operation(partitionPath: s.partitionPath, fileId: s.fileId, baseInstant: s.instant, baseFile: s.fileName,
                                         logFiles: s.logFiles.map { FileSystemView.splitKey($0.path).1 },
                                         logBytes: s.logFiles.reduce(0) { $0 + $1.size })
            }
        guard !operations.isEmpty else { return nil }
        let c = table.instantTimes.next(after: tl.latestTimestamp)
        let requested = Instant(timestamp: c, action: "compaction", state: .requested)
        try await table.putNewInstant(requested, try CompactionPlan(operations: operations).avro(), timeline: tl,
                                      conflict: "compaction instant \(c) already requested by another writer")
        table.logger.info("hudi compaction scheduled", metadata: ["table": "\(table.config.tableName)", "instant": "\(c)", "fileGroups": "\(operations.count)"])
        return c
    }

    /// Instants of completed compactions (commits whose metadata says so).
    private func completedCompactions(_ tl: Timeline) async throws -> Set<String> {
        var out = Set<String>()
        for c in tl.completedDataCommits where c.action == "commit" {
            if try await table.timeline.metadata(of: c, in: tl).compacted { out.insert(c.timestamp) }
        }
        return out
    }

    /// What the slow part of a compaction wrote, for its completion.
    struct Written: Sendable {
        var stats: [(partition: String, stats: [WriteStat])]
        var records: Int
        var logBytes: Int
        var logFiles: Int
        var started: Date
        /// Planned log files (by path) holding blocks of instants not folded in (pending, or
        /// completed after the compaction's instant), with those instants.
        var unfolded: [String: Set<String>] = [:]
    }

    /// The slow part of compaction `c`, run outside the write turn: `<c>.compaction.inflight`,
    /// then the merged base file of every operation (not yet visible: no reader takes a
    /// base file of a pending instant).
    func writeBaseFiles(instant c: String, plan: CompactionPlan) async throws -> Written {
        let started = Date()
        let tl = try await table.timeline.load()
        let inflight = Instant(timestamp: c, action: "compaction", state: .inflight)
        if try await !table.store.exists(tl.key(of: inflight)) { try await table.store.put(tl.key(of: inflight), try plan.avro()) }
        let fields = try SchemaEvolution.fields(fromAvro: try await tableSchema(tl))
        // The blocks of every delta commit completed before the compaction's instant.
        let visible = Set(tl.completedDataCommits.map(\.timestamp).filter { $0 < c })
        var stats: [String: [WriteStat]] = [:]
        var order: [String] = []
        var records = 0, logBytes = 0, logFiles = 0
        var unfolded: [String: Set<String>] = [:]
        for op in plan.operations {
            let done = try await compact(op, instant: c, fields: fields, visible: visible)
            if stats[op.partitionPath] == nil { order.append(op.partitionPath) }
            stats[op.partitionPath, default: []].append(done.stat)
            records += done.records
            logBytes += done.logBytes
            logFiles += op.logFiles.count
            unfolded.merge(done.unfolded) { $0.union($1) }
        }
        return Written(stats: order.map { ($0, stats[$0] ?? []) }, records: records, logBytes: logBytes, logFiles: logFiles,
                       started: started, unfolded: unfolded)
    }

    /// Completes compaction `c` (under the write turn, so no delta commit of this writer
    /// runs meanwhile, and with optimistic writers under the commit lock, so none of another
    /// commits between the listing below and `<c>.commit`): the log files delta commits
    /// appended to the compacted slices since the plan are carried into the new slices
    /// (copied under the compaction's instant; the originals stay with the old slice for
    /// time travel until the cleaner removes it), and so are planned log files whose blocks
    /// were not folded in because their instant had not completed before `c` and still may
    /// (a concurrent writer's append the plan's listing saw); then `<c>.commit`. Writers
    /// append to the old slice while the compaction is pending, since hudi-rs reads no log
    /// under a base instant that is not committed; one whose append the listing missed
    /// fails its commit check (see ``TableWriter``). Idempotent.
    func complete(instant c: String, plan: CompactionPlan, written: Written) async throws -> CompactionResult {
        let listing = try await table.fileSystemView.listFileGroups()
        let live = try await table.timeline.load()
        let mayCommit = Set(live.instants.filter(\.isDataCommit).map(\.timestamp))
        for op in plan.operations {
            let planned = Set(op.logFiles)
            let carried = (listing[op.groupID]?.logFiles ?? []).filter { log in
                guard log.name.baseInstant >= op.baseInstant, log.name.baseInstant < c else { return false }
                guard planned.contains(log.name.name) else { return true }
                return !(written.unfolded[log.path] ?? []).isDisjoint(with: mayCommit)
            }.sorted()
            for (i, log) in carried.enumerated() {
                let name = LogFileName(fileId: op.fileId, baseInstant: c, version: i + 1, writeToken: log.name.writeToken)
                try await table.store.put(op.key(name.name), try await table.store.get(log.path))
            }
        }
        let tl = try await table.timeline.load()
        var metadata = CommitMetadata(partitionToWriteStats: written.stats,
                                      extraMetadata: ["schema": try await tableSchema(tl)], operationType: "COMPACT")
        metadata.compacted = true
        let completed = Instant(timestamp: c, action: "commit", state: .completed)
        do {
            try await table.store.putIfAbsent(tl.key(of: completed), metadata.jsonData())
        } catch ObjectStoreError.alreadyExists {
            // Completed by an earlier run of the same plan (its files are the same).
        }
        table.fileSystemView.forget()
        let bytes = written.stats.flatMap(\.stats).reduce(Int64(0)) { $0 + $1.totalWriteBytes }
        let result = CompactionResult(instant: c, fileGroups: plan.operations.count, bytesWritten: bytes, records: written.records,
                                      logFilesCompacted: written.logFiles, logBytesCompacted: written.logBytes,
                                      seconds: Date().timeIntervalSince(written.started))
        table.logger.info("hudi compaction", metadata: [
            "table": "\(table.config.tableName)", "instant": "\(c)", "fileGroups": "\(result.fileGroups)",
            "logFiles": "\(written.logFiles)", "seconds": "\(result.seconds)",
        ])
        return result
    }

    /// Writes the base file of one operation: the slice's base file merged with the blocks
    /// of its planned log files (deterministic: a re-run writes the same bytes).
    func compact(_ op: CompactionPlan.Operation, instant c: String, fields: [Field],
                 visible: Set<String>) async throws -> (stat: WriteStat, records: Int, logBytes: Int, unfolded: [String: Set<String>]) {
        let started = Date()
        let logs = try await SliceLogs.scan(
            store: table.store, logFiles: op.logFiles.compactMap { n in LogFileName(parsing: n).map { LogFile(name: $0, path: op.key(n), size: 0) } },
            isVisible: { visible.contains($0) })
        let fileName = Self.baseFileName(op, instant: c)
        let merged = try await SliceCompaction.merge(store: table.store, op: op, logs: logs, fields: fields, fileName: fileName,
                                                    precombineField: table.config.precombineField)
        let file = try FileGroupWriter.baseFile(columns: merged.columns, nestedData: merged.nested, keys: merged.keys, fields: fields, tableName: table.config.tableName,
                                                precombineField: table.config.precombineField, options: table.options)
        let path = op.key(fileName)
        try await table.store.put(path, file.bytes)
        var stat = WriteStat(fileId: op.fileId, path: path, prevCommit: op.baseInstant, numWrites: Int64(merged.keys.count),
                             numDeletes: Int64(merged.deleted), numUpdateWrites: Int64(merged.updated), numInserts: Int64(merged.inserted),
                             totalWriteBytes: Int64(file.bytes.count), partitionPath: op.partitionPath,
                             fileSizeInBytes: Int64(file.bytes.count))
        stat.totalUpsertTime = Int64(Date().timeIntervalSince(started) * 1000)
        return (stat, merged.keys.count, logs.bytes, logs.unfolded)
    }

    static func baseFileName(_ op: CompactionPlan.Operation, instant c: String) -> String {
        BaseFileName(fileId: op.fileId, writeToken: writeToken, instant: c).name
    }

    /// The table's schema: that of its latest commit.
    func tableSchema(_ tl: Timeline) async throws -> String {
        for c in tl.completedDataCommits.reversed() {
            if let s = try await table.timeline.metadata(of: c, in: tl).schema { return s }
        }
        guard let s = table.config[TableConfig.Key.createSchema] else { throw HudiError(.corrupt, "no schema to compact with") }
        return s
    }
}

import Foundation
import Hudi

/// The log blocks of merge-on-read slices as Parquet files DuckDB reads (the views merge
/// them with the base files: ``MergeOnReadView``). Log files never change once written, so
/// each is extracted once: the log files new to a refresh are extracted together into one
/// data file and one delete file under `directory/{table}/`, every row tagged with its
/// block's number (``blockColumn``) — a few files per delta commit instead of one per
/// block, as DuckDB pays per file opened. Which blocks of a file hold what is kept in
/// memory by log file (a restarted process extracts again).
///
/// A DuckDB process may still read a file no current view names: a query that started
/// before the view moved on, or a time-travel query's temporary view. So a file is deleted
/// only when no current view names it and it was last handed out (its modification time,
/// refreshed when it is reused) more than `grace` ago — longer than any query may run.
/// Files a previous process left (and half-written ones) age out by the same rule.
struct LogBlockFiles: Sendable {
    /// One block of a log file: where its rows are (data and delete blocks).
    struct Entry: Sendable {
        var id: Int
        var instant: String?
        var rollbackTarget: String?
        var file: String?
        var isDelete: Bool
    }

    /// The column that tags every extracted row with its block's number.
    static let blockColumn = "__tributary_block"

    let directory: URL
    /// How long after its last use a file no current view names is kept.
    let grace: TimeInterval
    /// Blocks by table and log file path.
    private var blocks: [String: [Entry]] = [:]
    private var nextId = 0
    /// When each file was last marked used by this process (so reuse touches the disk at
    /// most every `grace / 4`).
    private var marked: [String: Date] = [:]
    private var lastSweep: Date?

    init(directory: URL, grace: TimeInterval) {
        self.directory = directory.standardizedFileURL
        self.grace = grace
    }

    /// The blocks of `log` of table `name`, nil when not extracted or when a file they are
    /// in is gone.
    func entries(table name: String, log: LogFile) -> [Entry]? {
        guard let entries = blocks[name + "/" + log.path] else { return nil }
        return entries.allSatisfy { $0.file.map { FileManager.default.fileExists(atPath: $0) } ?? true } ? entries : nil
    }

    /// Block numbers one extraction may use (from the first one ``reserveBatch()`` returns).
    static let idsPerBatch = 1 << 32

    /// Reserves the block numbers of one extraction; the first one.
    mutating func reserveBatch() -> Int {
        defer { nextId += Self.idsPerBatch }
        return nextId
    }

    mutating func record(_ extracted: [String: [Entry]], table name: String) {
        for (path, entries) in extracted { blocks[name + "/" + path] = entries }
    }

    /// Extracts `logs` of `table` (named `name`) into one data and one delete file (made by
    /// `copy`, a DuckDB statement runner allowed to write under the directory), numbering
    /// blocks from `firstId`; the entries by log file path.
    static func extract(_ logs: [LogFile], table: HudiTable, name: String, directory: URL, firstId: Int,
                        copy: @Sendable (String) async throws -> Void) async throws -> [String: [Entry]] {
        let folder = directory.appendingPathComponent(name)
        let batch = UUID().uuidString
        let raw = folder.appendingPathComponent(".raw-\(batch)")
        defer { try? FileManager.default.removeItem(at: raw) }
        let dataFile = folder.appendingPathComponent("\(batch).data.parquet").path
        let deleteFile = folder.appendingPathComponent("\(batch).deletes.parquet").path
        var id = firstId
        var rawData: [String] = [], rawDeletes: [String] = []
        var out: [String: [Entry]] = [:]
        for log in logs {
            var entries: [Entry] = []
            for block in try await table.extractLogBlocks(log) {
                guard id - firstId < idsPerBatch else { throw QueryError.engine("\(name): too many log blocks to extract at once") }
                defer { id += 1 }
                var entry = Entry(id: id, instant: block.instant, rollbackTarget: block.rollbackTarget, file: nil, isDelete: false)
                let bytes: Data
                switch block.content {
                case .data(let d): bytes = d; entry.file = dataFile
                case .deletes(let d): bytes = d; entry.file = deleteFile; entry.isDelete = true
                case .rollback, .ignored: entries.append(entry); continue
                }
                // Hive-style folders: DuckDB reads the block number from the path.
                let target = raw.appendingPathComponent("\(blockColumn)=\(id)/\(entry.isDelete ? "deletes" : "data").parquet")
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try bytes.write(to: target)
                if entry.isDelete { rawDeletes.append(target.path) } else { rawData.append(target.path) }
                entries.append(entry)
            }
            out[log.path] = entries
        }
        for (files, target) in [(rawData, dataFile), (rawDeletes, deleteFile)] where !files.isEmpty {
            let list = "[" + files.map(SQLGuard.literal).joined(separator: ", ") + "]"
            try await copy("COPY (SELECT * FROM read_parquet(\(list), hive_partitioning=true, hive_types={'\(blockColumn)': BIGINT}, "
                           + "union_by_name=true)) TO \(SQLGuard.literal(target)) (FORMAT parquet);")
        }
        return out
    }

    /// Records that `paths` are in use now: their modification time moves to now (on disk
    /// at most every `grace / 4` per file).
    mutating func markUsed(_ paths: [String], now: Date = Date()) {
        for path in paths {
            if let last = marked[path], now.timeIntervalSince(last) < grace / 4 { continue }
            try? FileManager.default.setAttributes([.modificationDate: now], ofItemAtPath: path)
            marked[path] = now
        }
    }

    /// Whether a sweep is due (the first call is: files of a previous run).
    func sweepDue(now: Date = Date()) -> Bool {
        lastSweep.map { now.timeIntervalSince($0) >= grace / 4 } ?? true
    }

    /// Deletes every file under the directory that `inUse` does not name and that was last
    /// used more than `grace` before `now`; returns the paths deleted.
    @discardableResult
    mutating func sweep(inUse: Set<String>, now: Date = Date()) -> [String] {
        lastSweep = now
        let keys: [URLResourceKey] = [.contentModificationDateKey, .isRegularFileKey]
        guard let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: keys) else { return [] }
        var deleted: [String] = []
        for case let url as URL in files {
            guard let values = try? url.resourceValues(forKeys: Set(keys)), values.isRegularFile == true else { continue }
            let path = url.standardizedFileURL.path
            let lastUse = max(values.contentModificationDate ?? .distantPast, marked[path] ?? .distantPast)
            guard !inUse.contains(path), now.timeIntervalSince(lastUse) > grace else { continue }
            if (try? FileManager.default.removeItem(at: url)) != nil {
                marked[path] = nil
                deleted.append(path)
            }
        }
        return deleted
    }
}

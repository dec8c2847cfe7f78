import Foundation
import Hudi

/// The merged Parquet files of merge-on-read slices that DuckDB's views read
/// (``HudiTable/mergedSliceFile(_:logInstants:)``): one per slice, its log files and the
/// instants read, under `directory/{table}/`, made once and reused until a delta commit
/// changes the slice — and deleted once superseded.
///
/// A DuckDB process may still read a superseded file: a query that started before the view
/// moved on, or a time-travel query's temporary view. So a file is deleted only when no
/// current view names it and it was last handed out (its modification time, refreshed when
/// it is reused) more than `grace` ago — longer than any query may run. Files a previous
/// process left (and half-written ones) age out by the same rule from their last write.
struct MergedSliceFiles: Sendable {
    let directory: URL
    /// How long after its last use a file no current view names is kept.
    let grace: TimeInterval
    /// When each file was last marked used by this process (so reuse touches the disk at
    /// most every `grace / 4`).
    private var marked: [String: Date] = [:]
    private var lastSweep: Date?

    init(directory: URL, grace: TimeInterval) {
        self.directory = directory.standardizedFileURL
        self.grace = grace
    }

    /// Where the merged file of `slice` of table `name` lives (its name says what it holds).
    func path(table name: String, slice: FileSlice, logInstants: Set<String>?) -> URL {
        let newer = logInstants.map { $0.filter { $0 > slice.instant }.sorted() } ?? ["all"]
        let identity = ([slice.path] + slice.logFiles.map(\.path) + newer).joined(separator: "\n")
        return directory.appendingPathComponent(name).appendingPathComponent("\(slice.fileId)_\(slice.instant)_\(Self.digest(identity)).parquet")
    }

    /// Makes the merged file at `file` unless it exists; true when it was made.
    static func make(_ file: URL, table: HudiTable, slice: FileSlice, logInstants: Set<String>?) async throws -> Bool {
        if FileManager.default.fileExists(atPath: file.path) { return false }
        let data = try await table.mergedSliceFile(slice, logInstants: logInstants)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Written aside and renamed, so a reader never sees half a file.
        let partial = file.appendingPathExtension("partial-\(UUID().uuidString)")
        try data.write(to: partial)
        if (try? FileManager.default.moveItem(at: partial, to: file)) == nil { try? FileManager.default.removeItem(at: partial) }
        return true
    }

    /// Records that `paths` are in use now: their modification time moves to now (on disk
    /// at most every `grace / 4` per file; `made` files were just written).
    mutating func markUsed(_ paths: [String], made: Set<String> = [], now: Date = Date()) {
        for path in paths {
            if !made.contains(path), let last = marked[path], now.timeIntervalSince(last) < grace / 4 { continue }
            if !made.contains(path) { try? FileManager.default.setAttributes([.modificationDate: now], ofItemAtPath: path) }
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

    /// FNV-1a, 64 bits, as hex: a stable name for what a merged file holds.
    static func digest(_ s: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return String(h, radix: 16)
    }
}

import Foundation
import ObjectStore
import Parquet
import TributaryCore

/// The BLOOM index over merge-on-read slices. Base file footers and keys locate a key, then
/// the slice's committed log blocks say what became of it — deleted (the key is then new
/// to the table and its record goes where inserts go) or updated (its ordering value is the
/// newest one, so stale records are still recognised).
///
/// Our writer also inserts through logs (small groups take inserts as log data blocks, as
/// Hudi does with an index that can index log files), so a key may live only in a slice's
/// logs, where no base file's bloom filter finds it. A key no base file holds is looked up
/// in the log files of every slice (their data-block key hashes), and the slice's counted
/// blocks decide: its latest counted version, unless a delete removes it. Missing such a
/// key would turn its update into a second copy in another group.
enum LogOverlay {
    typealias Overlay = (latest: [String: RecordMerge.Version], deletes: [String: RecordMerge.DeleteMark])

    /// Refines `found` (base-file locations of the keys of `rows`) with the logs of `slices`.
    static func apply(_ found: inout RecordLocations, rows: [Int], keys: ByteArrays, slices: [FileSlice], store: any ObjectStore,
                      cache: FooterCache, visible: Set<String>, precombineField: String?) async throws {
        let withLogs = slices.filter { !$0.logFiles.isEmpty }
        guard !withLogs.isEmpty, !rows.isEmpty else { return }
        // Every log file read and decoded once per table (they are written once).
        let files = try await mapConcurrently(withLogs, limit: 4) { _, slice in
            try await indexedLogFiles(of: slice, store: store, cache: cache, precombineField: precombineField)
        }
        var overlays: [String: Overlay] = [:]
        func overlay(_ s: Int) throws -> Overlay {
            if let known = overlays[withLogs[s].path] { return known }
            let made = try Self.overlay(files[s], visible: visible, slicePath: withLogs[s].path, cache: cache)
            overlays[withLogs[s].path] = made
            return made
        }
        let logSliceByPath = Dictionary(withLogs.indices.map { (withLogs[$0].path, $0) }, uniquingKeysWith: { a, _ in a })

        // Keys in a base file: the base record is older than anything in its slice's logs.
        var deletedIn: [Int: String] = [:]
        for r in rows where found.slice[r] >= 0 {
            let slice = found.slices[Int(found.slice[r])]
            guard let s = logSliceByPath[slice.path] else { continue }
            let (latest, deletes) = try overlay(s)
            guard !(latest.isEmpty && deletes.isEmpty) else { continue }
            let key = keys.string(at: r)
            // `RecordMerge.winners` of the base version and the newest logged one, without
            // building its per-key tables for two versions (this runs for every located key).
            let base = RecordMerge.Version(key: key, ordering: found.ordering[r], seqno: "", commitTime: slice.instant, position: (0, 0))
            let winner = latest[key].flatMap { RecordMerge.supersedes($0, base) ? $0 : nil } ?? base
            if let mark = deletes[key], RecordMerge.removes(mark, ordering: winner.ordering, commitTime: winner.commitTime) {
                found.clear(r)
                deletedIn[r] = slice.path
            } else {
                found.ordering[r] = winner.ordering
            }
        }

        // Keys in no base file (or deleted there): in some slice's logs only?
        let unfound = rows.filter { found.slice[$0] < 0 }
        guard !unfound.isEmpty else { return }
        let hashes = keys.withValues { values in unfound.map { ByteKeyIndex.hash(values[$0]) } }
        var sliceIndexByPath = Dictionary(found.slices.indices.map { (found.slices[$0].path, $0) }, uniquingKeysWith: { a, _ in a })
        var winnerTime: [Int: String] = [:]
        for (s, slice) in withLogs.enumerated() {
            let candidates = unfound.indices.filter { i in deletedIn[unfound[i]] != slice.path && files[s].contains { $0.mayContain(hash: hashes[i]) } }
            guard !candidates.isEmpty else { continue }
            let (latest, deletes) = try overlay(s)
            for i in candidates {
                let r = unfound[i]
                guard let v = latest[keys.string(at: r)], let winner = RecordMerge.winners([v], deletes: deletes).first else { continue }
                // In two groups' logs (never written by us): the newer version is the live one.
                if let other = winnerTime[r], other > winner.commitTime { continue }
                winnerTime[r] = winner.commitTime
                let index = sliceIndexByPath[slice.path] ?? found.slices.count
                if index == found.slices.count {
                    found.slices.append(slice)
                    sliceIndexByPath[slice.path] = index
                }
                found.set(r, slice: index, baseRow: RecordLocations.inLogsOnly, ordering: winner.ordering, repeats: nil)
            }
        }
    }

    /// The slice's log files, decoded for the index (from the cache when there).
    static func indexedLogFiles(of slice: FileSlice, store: any ObjectStore, cache: FooterCache,
                                precombineField: String?) async throws -> [IndexedLogFile] {
        var files: [IndexedLogFile] = []
        for log in slice.logFiles.sorted() {
            if let cached = cache.logFile(log.path, size: log.size) {
                files.append(cached)
                continue
            }
            let data = try await store.get(log.path)
            let file = IndexedLogFile(try LogBlock.decodeAll(data, path: log.path), path: log.path, size: log.size, precombineField: precombineField)
            cache.setLogFile(file)
            files.append(file)
        }
        return files
    }

    /// The newest version of every key in the slice's counted data blocks, and its counted
    /// deletes folded per key. Both are folds over the blocks in log order (a later version
    /// wins only when greater; marks keep the greatest ordering value and time), so when the
    /// blocks counted last time for this slice (`cache`) begin the blocks counted now — a
    /// delta commit appended a log file — only the new blocks are folded into it, instead of
    /// every version of the slice again at every commit.
    static func overlay(_ files: [IndexedLogFile], visible: Set<String>, slicePath: String, cache: FooterCache) throws -> Overlay {
        let headers = files.map { $0.blocks.map { (instant: $0.instant, rollbackTarget: $0.rollbackTarget) } }
        let counted = ExtractedLogBlock.counted(headers, isVisible: { visible.contains($0) })
        let blockIDs = counted.map { "\(files[$0.file].path)#\($0.block)" }
        var result: Overlay = ([:], [:])
        var start = 0
        // Taken out of the cache, so the fold below mutates it in place (a shared copy would
        // be copied whole at the first change).
        if var known = cache.takeOverlay(slicePath), known.blocks.count <= blockIDs.count, Array(blockIDs.prefix(known.blocks.count)) == known.blocks {
            swap(&result, &known.overlay)
            start = known.blocks.count
        }
        for (f, b) in counted[start...] {
            let block = files[f].blocks[b]
            guard let instant = block.instant else { continue }
            switch block.content {
            case .versions(let versions):
                for v in versions {
                    if let held = result.latest[v.key], !RecordMerge.supersedes(v, held) { continue }
                    result.latest[v.key] = v
                }
            case .deletes(let records):
                for r in records {
                    RecordMerge.fold(RecordMerge.DeleteMark(ordering: r.ordering, commitTime: instant), into: &result.deletes, key: r.recordKey)
                }
            case .skipped: continue
            case .unreadable(let error): throw error
            }
        }
        cache.setOverlay(slicePath, FooterCache.SliceOverlay(blocks: blockIDs, overlay: result))
        return result
    }
}

extension RecordLocations {
    /// The base-file row of a key found only in its slice's logs (there is none).
    static let inLogsOnly = -1

    /// Forgets `row`'s location (its key turned out deleted).
    mutating func clear(_ row: Int) {
        slice[row] = -1
        repeatedRows[row] = nil
    }
}

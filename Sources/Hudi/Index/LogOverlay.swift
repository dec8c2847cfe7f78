import Foundation
import ObjectStore
import Parquet
import TributaryCore

/// The BLOOM index over merge-on-read slices: base file footers and keys locate a key, then
/// the slice's committed log blocks say what became of it — deleted (the key is then new
/// to the table and its record goes to a new file group, as in copy-on-write) or updated
/// (its ordering value is the newest one, so stale records are still recognised).
///
/// Our writer never inserts through logs (inserts go to base files), so every key of a
/// log is in its slice's base file and the base file's bloom filter finds it. (Tables whose
/// logs hold inserts, as Spark may write them with an index that can index logs, are
/// read correctly but such keys are not located for updates.)
enum LogOverlay {
    static func apply(_ found: inout RecordLocations, keys: ByteArrays, store: any ObjectStore, cache: FooterCache,
                      visible: Set<String>, precombineField: String?) async throws {
        var rowsBySlice: [Int: [Int]] = [:]
        for r in 0..<found.slice.count where found.slice[r] >= 0 {
            let s = Int(found.slice[r])
            if !found.slices[s].logFiles.isEmpty { rowsBySlice[s, default: []].append(r) }
        }
        // Per slice, its log files' key versions (each log file read and decoded once per
        // table: they are written once) and the deletes of its counted blocks.
        let sliceIndices = Array(rowsBySlice.keys)
        let slices = found.slices
        let overlays = try await mapConcurrently(sliceIndices, limit: 4) { _, s in
            try await overlay(of: slices[s], store: store, cache: cache, visible: visible, precombineField: precombineField)
        }
        for (s, (latest, deletes)) in zip(sliceIndices, overlays) where !(latest.isEmpty && deletes.isEmpty) {
            let slice = found.slices[s]
            for r in rowsBySlice[s] ?? [] {
                let key = keys.string(at: r)
                // The base record is older than anything in the slice's logs.
                var versions = [RecordMerge.Version(key: key, ordering: found.ordering[r], seqno: "", commitTime: slice.instant, source: 0, row: 0)]
                if let v = latest[key] { versions.append(v) }
                if let winner = RecordMerge.winners(versions, deletes: deletes).first {
                    found.ordering[r] = winner.ordering
                } else {
                    found.clear(r)
                }
            }
        }
    }

    /// The newest version of every key in the slice's counted data blocks, and its counted
    /// deletes folded per key.
    static func overlay(of slice: FileSlice, store: any ObjectStore, cache: FooterCache, visible: Set<String>,
                        precombineField: String?) async throws -> ([String: RecordMerge.Version], [String: RecordMerge.DeleteMark]) {
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
        let headers = files.map { $0.blocks.map { (instant: $0.instant, rollbackTarget: $0.rollbackTarget) } }
        var versions: [RecordMerge.Version] = []
        var deletes: [(instant: String, record: DeleteRecord)] = []
        for (f, b) in ExtractedLogBlock.counted(headers, isVisible: { visible.contains($0) }) {
            let block = files[f].blocks[b]
            guard let instant = block.instant else { continue }
            switch block.content {
            case .versions(let v): versions += v
            case .deletes(let d): deletes += d.map { (instant, $0) }
            case .skipped: continue
            case .unreadable(let error): throw error
            }
        }
        let latest = Dictionary(RecordMerge.winners(versions, deletes: [:]).map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        return (latest, RecordMerge.deleteMarks(deletes))
    }
}

/// What the index needs of one log file: each block's header (for counting: instant,
/// rollback target) and its key versions or deletes — decoded once, as log files are
/// written once (put-if-absent) and only ever deleted.
struct IndexedLogFile: Sendable {
    enum Content: Sendable {
        case versions([RecordMerge.Version])
        case deletes([DeleteRecord])
        case skipped
        /// A block that cannot be read: an error only if it counts (as for ``SliceLogs``).
        case unreadable(any Error)
    }

    struct Block: Sendable {
        var instant: String?
        var rollbackTarget: String?
        var content: Content
    }

    var path: String
    var size: Int
    var blocks: [Block]
    var entryCount: Int {
        blocks.reduce(0) {
            switch $1.content {
            case .versions(let v): return $0 + v.count
            case .deletes(let d): return $0 + d.count
            case .skipped, .unreadable: return $0 + 1
            }
        }
    }

    init(_ logBlocks: [LogBlock], path: String, size: Int, precombineField: String?) {
        self.path = path
        self.size = size
        blocks = logBlocks.map { b in
            let content: Content
            do {
                switch try b.payload(path: path) {
                case .parquet(let parquet): content = .versions(try Self.versions(parquet, instant: b.instantTime ?? "", precombineField: precombineField))
                case .deletes(let records): content = .deletes(records)
                case .none: content = .skipped
                }
            } catch {
                content = .unreadable(error)
            }
            return Block(instant: b.instantTime, rollbackTarget: b.rollbackTarget, content: content)
        }
    }

    /// Key, ordering value and seqno of every record of a Parquet data block.
    static func versions(_ parquet: Data, instant: String, precombineField: String?) throws -> [RecordMerge.Version] {
        let reader = try ParquetFileReader(source: MemorySource(parquet))
        let present = Set(reader.schema.fields.map(\.name))
        let names = ["_hoodie_record_key", "_hoodie_commit_seqno"] + [precombineField].compactMap { $0 }.filter(present.contains)
        let cols = try reader.readColumns(names)
        guard let k = cols["_hoodie_record_key"], case .byteArray(let keys) = k.values else { return [] }
        var seqnos: ByteArrays?
        if let c = cols["_hoodie_commit_seqno"], case .byteArray(let s) = c.values { seqnos = s }
        let orderings = precombineField.flatMap { cols[$0] }.map(BloomIndex.orderingValues)
        return (0..<keys.count).map { i in
            RecordMerge.Version(key: keys.string(at: i), ordering: orderings?[i] ?? 0, seqno: seqnos.map { $0.string(at: i) } ?? "",
                                commitTime: instant, source: 0, row: i)
        }
    }
}

extension RecordLocations {
    /// Forgets `row`'s location (its key turned out deleted).
    mutating func clear(_ row: Int) {
        slice[row] = -1
        repeatedRows[row] = nil
    }
}

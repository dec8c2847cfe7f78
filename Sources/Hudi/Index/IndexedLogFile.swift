import Foundation
import Parquet
import TributaryCore

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
    /// Hashes (``ByteKeyIndex/hash(_:)``) of the keys of the file's data blocks, sorted:
    /// whether a key may be in the file, by binary search, at 8 bytes a record. A hit is a
    /// candidate only — the slice's counted blocks decide (``LogOverlay``).
    let keyHashes: [Int]
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
        var hashes: [Int] = []
        for block in blocks {
            guard case .versions(let versions) = block.content else { continue }
            for v in versions {
                var key = v.key
                hashes.append(key.withUTF8(ByteKeyIndex.hash))
            }
        }
        keyHashes = hashes.sorted()
    }

    /// Whether a data block of the file may hold the key hashed to `hash`.
    func mayContain(hash: Int) -> Bool {
        var lo = 0, hi = keyHashes.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if keyHashes[mid] < hash { lo = mid + 1 } else { hi = mid }
        }
        return lo < keyHashes.count && keyHashes[lo] == hash
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
                                commitTime: instant, position: (0, i))
        }
    }
}

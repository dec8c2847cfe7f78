import Foundation
import ObjectStore
import Parquet

/// What the index needs from a base file's footer: key range and bloom filter.
public struct BaseFileFooter: Sendable {
    public var minKey: String?
    public var maxKey: String?
    public var bloom: HudiBloomFilter?
    public var numRows: Int
}

/// A Parquet source over the parts of an object fetched with ranged gets: the footer at the
/// end and, for column reads, the chunks of the columns wanted. (The leading magic is not
/// fetched; the tail magic was checked.)
struct PiecewiseSource: ParquetSource {
    let size: Int
    /// (offset, bytes), not overlapping.
    let pieces: [(offset: Int, bytes: [UInt8])]

    func read(offset: Int, length: Int) throws -> [UInt8] {
        if offset == 0 && length == 4 { return Array("PAR1".utf8) }
        for p in pieces where offset >= p.offset && offset + length <= p.offset + p.bytes.count {
            return Array(p.bytes[(offset - p.offset)..<(offset - p.offset + length)])
        }
        throw ParquetError(.invalidArgument, "ranged source holds no \(length) bytes at \(offset)")
    }
}

enum FooterReading {
    /// Reads only the footer of a Parquet object: two ranged gets.
    static func footer(store: any ObjectStore, key: String, size: Int) async throws -> ParquetFileReader {
        guard size >= 12 else { throw HudiError(.corrupt, "\(key) is too small to be Parquet") }
        let last = try await store.get(key, range: (size - 8)..<size)
        let b = [UInt8](last)
        let length = Int(UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24)
        guard length > 0, length <= size - 12 else { throw HudiError(.corrupt, "\(key): bad footer length \(length)") }
        let start = size - 8 - length
        let tail = try await store.get(key, range: start..<size)
        return try ParquetFileReader(source: PiecewiseSource(size: size, pieces: [(start, [UInt8](tail))]))
    }

    /// A reader that can read the top-level `columns` of an object, fetching only the footer
    /// and those columns' chunks.
    static func columns(_ columns: [String], store: any ObjectStore, key: String, size: Int) async throws -> ParquetFileReader {
        let footer = try await footer(store: store, key: key, size: size)
        let wanted = Set(columns)
        var ranges: [Range<Int>] = []
        for group in footer.metadata.rowGroups {
            for chunk in group.columns {
                guard let meta = chunk.metaData, let name = meta.pathInSchema.first, wanted.contains(name) else { continue }
                let start = Int(meta.dictionaryPageOffset ?? meta.dataPageOffset)
                let end = start + Int(meta.totalCompressedSize)
                guard start >= 0, end <= size, start < end else { throw HudiError(.corrupt, "\(key): bad column chunk range") }
                ranges.append(start..<end)
            }
        }
        // Merge neighbouring ranges (columns of a group are often adjacent).
        ranges.sort { $0.lowerBound < $1.lowerBound }
        var merged: [Range<Int>] = []
        for r in ranges {
            if let last = merged.last, r.lowerBound <= last.upperBound + 64 * 1024 {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                merged.append(r)
            }
        }
        guard let tail = (footer.source as? PiecewiseSource)?.pieces.first else { return footer }
        var pieces: [(offset: Int, bytes: [UInt8])] = []
        for r in merged {
            if r.upperBound > tail.offset { throw HudiError(.corrupt, "\(key): column chunk overlaps the footer") }
            pieces.append((r.lowerBound, [UInt8](try await store.get(key, range: r))))
        }
        pieces.append(tail)
        return try ParquetFileReader(source: PiecewiseSource(size: size, pieces: pieces))
    }

    static func decode(_ reader: ParquetFileReader) throws -> BaseFileFooter {
        let kv = reader.keyValueMetadata
        var bloom: HudiBloomFilter?
        if let s = kv[HudiBloomFilter.footerKey] ?? kv["com.uber.hoodie.bloomfilter"] {
            bloom = try HudiBloomFilter(serialized: s, typeCode: kv[HudiBloomFilter.typeCodeKey])
        }
        return BaseFileFooter(minKey: kv[HudiBloomFilter.minKeyKey], maxKey: kv[HudiBloomFilter.maxKeyKey],
                              bloom: bloom, numRows: reader.numRows)
    }
}

/// Footers and record keys of base files, and the index entries of log files, by object
/// key. Both are written once, so entries never go stale; the cache is bounded by the
/// number of keys it holds.
final class FooterCache: @unchecked Sendable {
    private let lock = NSLock()
    private var footers: [String: BaseFileFooter] = [:]
    private var keys: [String: FileKeys] = [:]
    private var logFiles: [String: IndexedLogFile] = [:]
    /// Per slice (by base file path): its index overlay and the log blocks it was folded from.
    private var overlays: [String: SliceOverlay] = [:]
    private var cachedKeyCount = 0
    let maxCachedKeys: Int

    init(maxCachedKeys: Int = 5_000_000) { self.maxCachedKeys = maxCachedKeys }

    func footer(_ path: String) -> BaseFileFooter? { lock.withLock { footers[path] } }
    func setFooter(_ path: String, _ f: BaseFileFooter) { lock.withLock { footers[path] = f } }

    func fileKeys(_ path: String) -> FileKeys? { lock.withLock { keys[path] } }
    func setFileKeys(_ path: String, _ k: FileKeys) {
        lock.withLock {
            if cachedKeyCount + k.count > maxCachedKeys {
                keys.removeAll()
                cachedKeyCount = 0
            }
            keys[path] = k
            cachedKeyCount += k.count
        }
    }

    /// A log file's index entries, when cached at this size (a log file is written once).
    func logFile(_ path: String, size: Int) -> IndexedLogFile? {
        lock.withLock { logFiles[path].flatMap { $0.size == size ? $0 : nil } }
    }
    func setLogFile(_ file: IndexedLogFile) {
        lock.withLock {
            if cachedKeyCount + file.entryCount > maxCachedKeys {
                keys.removeAll()
                logFiles.removeAll()
                overlays.removeAll()
                cachedKeyCount = 0
            }
            logFiles[file.path] = file
            cachedKeyCount += file.entryCount
        }
    }

    struct SliceOverlay: Sendable {
        var blocks: [String]
        var overlay: LogOverlay.Overlay
    }

    /// Removes and returns the slice's overlay (the caller extends it and sets it again).
    func takeOverlay(_ slicePath: String) -> SliceOverlay? { lock.withLock { overlays.removeValue(forKey: slicePath) } }
    func setOverlay(_ slicePath: String, _ o: SliceOverlay) { lock.withLock { overlays[slicePath] = o } }

    /// Drops entries of files no longer in the table (cleaned, compacted away or rolled back).
    func retain(paths: Set<String>) {
        lock.withLock {
            footers = footers.filter { paths.contains($0.key) }
            let (keysBefore, logsBefore) = (keys.count, logFiles.count)
            keys = keys.filter { paths.contains($0.key) }
            logFiles = logFiles.filter { paths.contains($0.key) }
            overlays = overlays.filter { paths.contains($0.key) }
            if keys.count != keysBefore || logFiles.count != logsBefore {
                cachedKeyCount = keys.values.reduce(0) { $0 + $1.count } + logFiles.values.reduce(0) { $0 + $1.entryCount }
            }
        }
    }
}

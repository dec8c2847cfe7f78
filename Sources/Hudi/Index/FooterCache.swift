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

/// A Parquet source over the two parts of an object a footer read needs: the magic at the
/// start and the footer at the end (fetched with ranged gets).
struct FooterSource: ParquetSource {
    let size: Int
    let tailOffset: Int
    let tail: [UInt8]

    func read(offset: Int, length: Int) throws -> [UInt8] {
        if offset == 0 && length == 4 { return Array("PAR1".utf8) }
        guard offset >= tailOffset, offset + length <= size else {
            throw ParquetError.invalidArgument("footer-only source cannot read \(length) bytes at \(offset)")
        }
        return Array(tail[(offset - tailOffset)..<(offset - tailOffset + length)])
    }
}

enum FooterReading {
    /// Reads only the footer of a Parquet object: two ranged gets.
    static func footer(store: any ObjectStore, key: String, size: Int) async throws -> ParquetFileReader {
        guard size >= 12 else { throw HudiError.corrupt("\(key) is too small to be Parquet") }
        let last = try await store.get(key, range: (size - 8)..<size)
        let b = [UInt8](last)
        let length = Int(UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24)
        guard length > 0, length <= size - 12 else { throw HudiError.corrupt("\(key): bad footer length \(length)") }
        let start = size - 8 - length
        let tail = try await store.get(key, range: start..<size)
        return try ParquetFileReader(source: FooterSource(size: size, tailOffset: start, tail: [UInt8](tail)))
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

/// Footers and record-key sets of base files, by object key. Base files are immutable, so
/// entries never go stale; the cache is bounded by the number of keys it holds.
final class FooterCache: @unchecked Sendable {
    private let lock = NSLock()
    private var footers: [String: BaseFileFooter] = [:]
    /// Record key → ordering value, per file.
    private var keys: [String: [String: Int64]] = [:]
    private var cachedKeyCount = 0
    let maxCachedKeys: Int

    init(maxCachedKeys: Int = 5_000_000) { self.maxCachedKeys = maxCachedKeys }

    func footer(_ path: String) -> BaseFileFooter? { lock.withLock { footers[path] } }
    func setFooter(_ path: String, _ f: BaseFileFooter) { lock.withLock { footers[path] = f } }

    func keyMap(_ path: String) -> [String: Int64]? { lock.withLock { keys[path] } }
    func setKeyMap(_ path: String, _ m: [String: Int64]) {
        lock.withLock {
            if cachedKeyCount + m.count > maxCachedKeys {
                keys.removeAll()
                cachedKeyCount = 0
            }
            keys[path] = m
            cachedKeyCount += m.count
        }
    }

    /// Drops entries of files no longer in the table (cleaned or rolled back).
    func retain(paths: Set<String>) {
        lock.withLock {
            footers = footers.filter { paths.contains($0.key) }
            let before = keys.count
            keys = keys.filter { paths.contains($0.key) }
            if keys.count != before { cachedKeyCount = keys.values.reduce(0) { $0 + $1.count } }
        }
    }
}

import Foundation
import TributaryCore

/// Hadoop's MurmurHash2 port as Hudi uses it for bloom filters. Two quirks differ from
/// textbook MurmurHash2 and must be kept: the 1–3 tail bytes are mixed in reversed order,
/// and tail bytes are sign-extended (Java bytes).
enum HudiMurmurHash {
    /// MurmurHash2's multiplier (computed, so hot loops see a constant).
    static var m: UInt32 { 0x5bd1_e995 }

    static func hash(_ data: UnsafeBufferPointer<UInt8>, seed: Int32) -> Int32 {
        let length = data.count
        var h = UInt32(bitPattern: seed) ^ UInt32(truncatingIfNeeded: length)
        for i in 0..<(length >> 2) { h = (h &* m) ^ mixedBlock(data, i) }
        if length & 3 != 0 { h = (h ^ foldedTail(data)) &* m }
        return Int32(bitPattern: finalMix(h))
    }

    /// The `i`th little-endian 4-byte block of `data`, mixed (it does not depend on the seed).
    @inline(__always)
    static func mixedBlock(_ data: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt32 {
        let i4 = i << 2
        var k = UInt32(data[i4 + 3]) << 24 | UInt32(data[i4 + 2]) << 16 | UInt32(data[i4 + 1]) << 8 | UInt32(data[i4])
        k = k &* m
        k ^= k >> 24
        return k &* m
    }

    /// The 1–3 bytes after the last block folded into one word, each sign-extended like
    /// Java's `(int) byte`; 0 when there are none.
    @inline(__always)
    static func foldedTail(_ data: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let length = data.count, left = length & 3
        func sx(_ b: UInt8) -> UInt32 { UInt32(bitPattern: Int32(Int8(bitPattern: b))) }
        var tail: UInt32 = 0
        if left >= 3 { tail ^= sx(data[length - 3]) << 16 }
        if left >= 2 { tail ^= sx(data[length - 2]) << 8 }
        if left >= 1 { tail ^= sx(data[length - 1]) }
        return tail
    }

    /// The last avalanche of the hash's bits.
    @inline(__always)
    static func finalMix(_ h: UInt32) -> UInt32 {
        var h = h
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return h
    }

    /// A key's bit positions in a filter of `vectorSize` bits: `nbHash` hashes, each seeded
    /// with the one before (Hadoop's `HashFunction`), each as Java's `Math.abs(h % vectorSize)`.
    /// The same as chaining ``hash(_:seed:)``, but the key's blocks are mixed, and its tail
    /// folded, once: only `h` depends on the seed, so every later hash is a multiply and an
    /// xor per block (the bloom filters of written files and the index hash every key ~30 times).
    @inline(__always)
    static func forEachPosition(_ data: UnsafeBufferPointer<UInt8>, nbHash: Int32, vectorSize: Int32, _ body: (Int32) -> Void) {
        let length = data.count
        let blocks = length >> 2
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: max(1, blocks)) { mixed in
            for i in 0..<blocks { mixed[i] = mixedBlock(data, i) }
            let hasTail = length & 3 != 0
            let tail = foldedTail(data)
            var seed: Int32 = 0
            for _ in 0..<nbHash {
                var h = UInt32(bitPattern: seed) ^ UInt32(truncatingIfNeeded: length)
                for i in 0..<blocks { h = (h &* m) ^ mixed[i] }
                if hasTail { h = (h ^ tail) &* m }
                seed = Int32(bitPattern: finalMix(h))
                let r = seed % vectorSize
                body(r < 0 ? -r : r)
            }
        }
    }
}

/// Bit positions of one key for filters of a given shape; computed once per key and
/// reused against every file's filter (all files of a table share the shape).
public struct BloomKeyHashes: Sendable {
    public let positions: [Int32]

    public init(key: String, vectorSize: Int32, nbHash: Int32) {
        var pos: [Int32] = []
        pos.reserveCapacity(Int(nbHash))
        var k = key
        k.withUTF8 { bytes in HudiMurmurHash.forEachPosition(bytes, nbHash: nbHash, vectorSize: vectorSize) { pos.append($0) } }
        positions = pos
    }
}

/// One row of bits (Hudi's `InternalBloomFilter`).
struct BloomBits: Sendable, Equatable {
    var words: [UInt64]

    init(size: Int) { words = [UInt64](repeating: 0, count: (size + 63) / 64) }

    @inline(__always) mutating func set(_ i: Int32) { words[Int(i) >> 6] |= 1 << UInt64(i & 63) }
    @inline(__always) func get(_ i: Int32) -> Bool { words[Int(i) >> 6] & (1 << UInt64(i & 63)) != 0 }

    func contains(_ positions: UnsafeBufferPointer<Int32>) -> Bool {
        // Hot loop of the index (keys × files): no per-access bounds checks. Positions are
        // below the vector size, which `words` covers, by construction of the hashes.
        words.withUnsafeBufferPointer { w in
            for p in positions where w[Int(p) >> 6] & (1 << UInt64(p & 63)) == 0 { return false }
            return true
        }
    }
}

/// Hudi's bloom filter: `DYNAMIC_V0` (`HoodieDynamicBoundedBloomFilter`, rows added as keys
/// grow, bounded by a maximum) or `SIMPLE`, serialized exactly as Hudi does: Java
/// `DataOutput` bytes (big-endian), Base64-encoded, stored in the Parquet footer under
/// `org.apache.hudi.bloomfilter` with `hoodie_bloom_filter_type_code`.
public struct HudiBloomFilter: Sendable, Equatable {
    public enum Kind: String, Sendable { case simple = "SIMPLE", dynamicV0 = "DYNAMIC_V0" }

    public let kind: Kind
    public let vectorSize: Int32
    public let nbHash: Int32
    public let hashType: Int8
    /// Keys per row (DYNAMIC_V0) and the bound on all rows.
    let rowCapacity: Int32
    let maxEntries: Int32
    var rows: [BloomBits]
    var currentNbRecord: Int32 = 0
    var reachedMax = false
    var roundRobin = 0

    /// Footer key of the serialized filter, and of its type code.
    public static let footerKey = "org.apache.hudi.bloomfilter"
    public static let typeCodeKey = "hoodie_bloom_filter_type_code"
    public static let minKeyKey = "hoodie_min_record_key"
    public static let maxKeyKey = "hoodie_max_record_key"

    /// A new empty filter sized like `BloomFilterUtils`: `ceil(n·-ln p / ln²2)` bits and
    /// `ceil(ln2 · bits / n)` hash functions.
    public init(kind: Kind = .dynamicV0, numEntries: Int = 60_000, falsePositiveRate: Double = 1e-9, maxEntries: Int = 100_000) {
        let bits = Int32((Double(numEntries) * (-log(falsePositiveRate) / (log(2.0) * log(2.0)))).rounded(.up))
        let hashes = Int32((log(2.0) * Double(bits) / Double(numEntries)).rounded(.up))
        self.kind = kind
        vectorSize = bits
        nbHash = hashes
        hashType = 1  // MURMUR
        rowCapacity = Int32(numEntries)
        self.maxEntries = Int32(maxEntries)
        rows = [BloomBits(size: Int(bits))]
    }

    /// Adds a key (its UTF-8 bytes, as `Key(recordKey.getBytes(UTF_8))`).
    public mutating func add(_ key: String) {
        var k = key
        k.withUTF8 { add(utf8: $0) }
    }

    /// Adds a key given as UTF-8 bytes (no intermediate allocations: this runs per record).
    public mutating func add(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        let row = nextRow()
        HudiMurmurHash.forEachPosition(bytes, nbHash: nbHash, vectorSize: vectorSize) { rows[row].set($0) }
    }

    public mutating func add(_ h: BloomKeyHashes) {
        let row = nextRow()
        for p in h.positions { rows[row].set(p) }
    }

    /// The row the next key goes to, adding rows as `InternalDynamicBloomFilter.getActiveStandardBF`
    /// does (SIMPLE: the only row); counts the key.
    private mutating func nextRow() -> Int {
        guard kind == .dynamicV0 else { return 0 }
        var row: Int
        if reachedMax {
            row = roundRobin % rows.count
            roundRobin += 1
        } else if currentNbRecord >= rowCapacity && Int(rows.count) * Int(rowCapacity) < Int(maxEntries) {
            rows.append(BloomBits(size: Int(vectorSize)))
            currentNbRecord = 0
            row = rows.count - 1
        } else if currentNbRecord >= rowCapacity {
            reachedMax = true
            row = 0
        } else {
            row = rows.count - 1
        }
        currentNbRecord &+= 1
        return row
    }

    /// May the filter hold `key`? (No false negatives.)
    public func mightContain(_ key: String) -> Bool {
        mightContain(BloomKeyHashes(key: key, vectorSize: vectorSize, nbHash: nbHash))
    }

    /// Membership with precomputed positions (they must come from this filter's shape).
    public func mightContain(_ h: BloomKeyHashes) -> Bool {
        h.positions.withUnsafeBufferPointer { mightContain(positions: $0) }
    }

    /// Membership with positions from ``positions(utf8:)`` of this filter's shape.
    func mightContain(positions: UnsafeBufferPointer<Int32>) -> Bool {
        for r in rows where r.contains(positions) { return true }
        return false
    }

    /// Filters of one shape give a key the same positions.
    var shape: Int64 { Int64(vectorSize) << 16 | Int64(nbHash) }

    /// The bit positions of `keys` for this filter's shape, hash-major: the j-th position of
    /// key i at `[j * keys.count + i]`, so ``mayContain(_:hashMajor:keyCount:)`` reads each
    /// hash's positions in a sequential pass.
    func hashMajorPositions(_ keys: ByteArrays) -> [Int32] {
        let count = keys.count
        return [Int32](unsafeUninitializedCapacity: count * Int(nbHash)) { out, initialized in
            keys.withValues { values in
                for i in 0..<count {
                    var j = 0
                    HudiMurmurHash.forEachPosition(values[i], nbHash: nbHash, vectorSize: vectorSize) { p in
                        out[j * count + i] = p
                        j += 1
                    }
                }
            }
            initialized = count * Int(nbHash)
        }
    }

    /// The keys of `candidates` (ascending) that may be in the filter, ascending, with
    /// positions from ``hashMajorPositions(_:)``. One pass per hash over the keys still
    /// alive: about half drop out at each, and each pass reads its positions in order,
    /// where checking key by key reads a new cache line of positions per key and file.
    func mayContain(_ candidates: Range<Int>, hashMajor positions: UnsafeBufferPointer<Int32>, keyCount: Int) -> [Int] {
        var found: [Int] = []
        for row in rows {
            var alive = Array(candidates)
            var count = alive.count
            row.words.withUnsafeBufferPointer { w in
                alive.withUnsafeMutableBufferPointer { keys in
                    for j in 0..<Int(nbHash) where count > 0 {
                        let base = j * keyCount
                        var kept = 0
                        for k in 0..<count {
                            let i = keys[k], p = positions[base + i]
                            if w[Int(p) >> 6] & (1 << UInt64(p & 63)) != 0 {
                                keys[kept] = i
                                kept += 1
                            }
                        }
                        count = kept
                    }
                }
            }
            alive.removeSubrange(count...)
            found = found.isEmpty ? alive : Array(Set(found).union(alive)).sorted()
        }
        return found
    }

    // MARK: Serialization

    /// Base64 of the Java `DataOutput` bytes.
    public func serializedString() -> String {
        var out = [UInt8]()
        let rowBytes = (Int(vectorSize) + 7) / 8
        out.reserveCapacity(32 + rows.count * (13 + rowBytes))
        func int32(_ v: Int32) { withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) } }
        func header() { int32(-1); int32(nbHash); out.append(UInt8(bitPattern: hashType)); int32(vectorSize) }
        func bits(_ r: BloomBits) {
            // LSB-first within each byte = little-endian bytes of the 64-bit words.
            var remaining = rowBytes
            for w in r.words {
                let take = min(8, remaining)
                withUnsafeBytes(of: w.littleEndian) { out.append(contentsOf: $0.prefix(take)) }
                remaining -= take
                if remaining == 0 { break }
            }
        }
        header()
        switch kind {
        case .simple:
            bits(rows[0])
        case .dynamicV0:
            int32(rowCapacity)
            int32(currentNbRecord)
            int32(Int32(rows.count))
            for r in rows { header(); bits(r) }
        }
        return Data(out).base64EncodedString()
    }

    /// Reads a filter from its footer string and type code (absent type code = SIMPLE).
    public init(serialized: String, typeCode: String?) throws {
        guard let data = Data(base64Encoded: serialized) else { throw HudiError(.corrupt, "bloom filter is not Base64") }
        let bytes = [UInt8](data)
        var at = 0
        func int32() throws -> Int32 {
            guard at + 4 <= bytes.count else { throw HudiError(.corrupt, "bloom filter truncated") }
            defer { at += 4 }
            return Int32(bitPattern: UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3]))
        }
        func header() throws -> (Int32, Int8, Int32) {
            let version = try int32()
            guard version == -1 else { throw HudiError(.unsupported, "bloom filter version \(version)") }
            let nb = try int32()
            guard at < bytes.count else { throw HudiError(.corrupt, "bloom filter truncated") }
            let ht = Int8(bitPattern: bytes[at])
            at += 1
            let vs = try int32()
            guard vs > 0, nb > 0, nb < 1000 else { throw HudiError(.corrupt, "bloom filter shape \(vs)/\(nb)") }
            return (nb, ht, vs)
        }
        func bits(_ size: Int32) throws -> BloomBits {
            let n = (Int(size) + 7) / 8
            guard at + n <= bytes.count else { throw HudiError(.corrupt, "bloom filter bits truncated") }
            var r = BloomBits(size: Int(size))
            for i in 0..<n where bytes[at + i] != 0 {
                r.words[i >> 3] |= UInt64(bytes[at + i]) << UInt64((i & 7) * 8)
            }
            at += n
            return r
        }
        let (nb, ht, vs) = try header()
        nbHash = nb
        hashType = ht
        vectorSize = vs
        guard ht == 1 else { throw HudiError(.unsupported, "bloom filter hash type \(ht) (only MURMUR)") }
        let type = (typeCode ?? "SIMPLE").uppercased()
        if type == "DYNAMIC_V0" {
            kind = .dynamicV0
            rowCapacity = try int32()
            currentNbRecord = try int32()
            let count = try int32()
            guard count >= 1, count < 10_000 else { throw HudiError(.corrupt, "bloom filter with \(count) rows") }
            var rs: [BloomBits] = []
            for _ in 0..<count {
                let (_, _, rowSize) = try header()
                guard rowSize == vs else { throw HudiError(.corrupt, "bloom filter row size differs") }
                rs.append(try bits(rowSize))
            }
            rows = rs
            maxEntries = Int32.max
            reachedMax = true  // a read filter only answers membership
        } else if type == "SIMPLE" {
            kind = .simple
            rowCapacity = 0
            maxEntries = 0
            rows = [try bits(vs)]
        } else {
            throw HudiError(.unsupported, "bloom filter type \(type)")
        }
    }
}

import Foundation
import TributaryCore

/// Open-addressing hash tables that assign dictionary indices while encoding, without
/// allocating per value. Both give up (return nil) once the dictionary's PLAIN size
/// passes the limit, so the caller falls back to PLAIN.

@inline(__always)
private func mix(_ x: UInt64) -> UInt64 {
    var h = x &* 0x9E37_79B9_7F4A_7C15
    h ^= h >> 29
    h = h &* 0xBF58_476D_1CE4_E5B9
    h ^= h >> 32
    return h
}

@inline(__always)
func hashBytes(_ p: UnsafeRawPointer, _ n: Int) -> UInt64 {
    var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(n)
    if n >= 8 {
        var i = 0
        while i + 8 <= n {
            h = mix(h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        // The tail as one overlapping word instead of a byte loop.
        if i < n { h = mix(h ^ p.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) }
        return h
    }
    if n >= 4 {
        let lo = UInt64(p.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        let hi = UInt64(p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))
        return mix(h ^ (lo | hi << 32))
    }
    if n > 0 {
        let a = UInt64(p.load(fromByteOffset: 0, as: UInt8.self))
        let b = UInt64(p.load(fromByteOffset: n / 2, as: UInt8.self))
        let c = UInt64(p.load(fromByteOffset: n - 1, as: UInt8.self))
        return mix(h ^ (a | b << 8 | c << 16))
    }
    return mix(h)
}

/// Equality of two short byte ranges without a libc call per value.
@inline(__always)
func bytesEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
    var i = 0
    while i + 8 <= n {
        if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
        i += 8
    }
    while i < n {
        if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
        i += 1
    }
    return true
}

/// True when, after a sample, the dictionary is on course to pass `limit`: almost every
/// value is new, so the dictionary would only cost time (the writer falls back to PLAIN).
@inline(__always)
func dictionaryHopeless(seen: Int, distinct: Int, distinctBytes: Int, total: Int, limit: Int) -> Bool {
    guard seen == 16384 else { return false }
    return distinct * 10 > seen * 8 && distinctBytes / max(distinct, 1) * (total / seen) * distinct > limit
}

/// Result of dictionary encoding a column chunk.
struct DictionaryEncoded {
    /// Index per non-null value.
    var indices: [UInt32]
    /// Number of dictionary entries.
    var count: Int
    /// The dictionary page body (PLAIN-encoded entries).
    var plain: [UInt8]
    /// Rank of each entry in value order (for statistics); -1 for NaN.
    var ranks: [Int32]
    /// Entry index by rank.
    var byRank: [Int32]
    /// For byte arrays: where each entry's bytes sit in `plain`.
    var entryRanges: [Range<Int>] = []
}

/// Dictionary for 4- and 8-byte values, keyed by bit pattern (so -0.0/NaN payloads round-trip).
func dictionaryEncodeFixed<T: BitwiseCopyable>(
    _ values: UnsafeBufferPointer<T>, validity: [Bool]?, limitBytes: Int,
    toBits: (T) -> UInt64, less: (T, T) -> Bool, isNaN: (T) -> Bool
) -> DictionaryEncoded? {
    let width = MemoryLayout<T>.size
    var capacity = 1024
    var keys = [UInt64](repeating: 0, count: capacity)
    var slots = [Int32](repeating: -1, count: capacity)
    var entries: [T] = []
    var indices = [UInt32]()
    indices.reserveCapacity(values.count)
    let maxEntries = limitBytes / width
    for row in 0..<values.count {
        if let validity, !validity[row] { continue }
        if dictionaryHopeless(seen: indices.count, distinct: entries.count, distinctBytes: entries.count * width,
                              total: values.count, limit: limitBytes) {
            return nil
        }
        let v = values[row]
        let bits = toBits(v)
        var mask = capacity - 1
        var pos = Int(truncatingIfNeeded: mix(bits)) & mask
        while true {
            let s = slots[pos]
            if s < 0 {
                if entries.count >= maxEntries { return nil }
                slots[pos] = Int32(entries.count)
                keys[pos] = bits
                indices.append(UInt32(entries.count))
                entries.append(v)
                if entries.count * 2 > capacity {
                    // Grow and re-insert.
                    capacity *= 2
                    mask = capacity - 1
                    var newKeys = [UInt64](repeating: 0, count: capacity)
                    var newSlots = [Int32](repeating: -1, count: capacity)
                    for (i, e) in entries.enumerated() {
                        let b = toBits(e)
                        var p = Int(truncatingIfNeeded: mix(b)) & mask
                        while newSlots[p] >= 0 { p = (p + 1) & mask }
                        newSlots[p] = Int32(i)
                        newKeys[p] = b
                    }
                    keys = newKeys
                    slots = newSlots
                }
                break
            }
            if keys[pos] == bits {
                indices.append(UInt32(s))
                break
            }
            pos = (pos + 1) & mask
        }
    }
    var plain = [UInt8]()
    entries.withUnsafeBytes { plain.append(contentsOf: $0) }
    let order = (0..<entries.count).filter { !isNaN(entries[$0]) }.sorted { less(entries[$0], entries[$1]) }
    var ranks = [Int32](repeating: -1, count: entries.count)
    for (r, e) in order.enumerated() { ranks[e] = Int32(r) }
    return DictionaryEncoded(indices: indices, count: entries.count, plain: plain, ranks: ranks, byRank: order.map { Int32($0) })
}

/// Dictionary for byte arrays (BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY with `fixed` width).
func dictionaryEncodeBytes(_ values: ByteArrays, validity: [Bool]?, limitBytes: Int, fixed: Bool,
                           signedOrder: Bool) -> DictionaryEncoded? {
    var capacity = 1024
    var slots = [Int32](repeating: -1, count: capacity)
    var hashes: [UInt64] = []
    var entryStart: [Int] = []
    var entryLength: [Int] = []
    var indices = [UInt32]()
    indices.reserveCapacity(values.count)
    var plainSize = 0
    var failed = false
    values.data.withUnsafeBytes { data in
        values.offsets.withUnsafeBufferPointer { offsets in
            guard let base = data.baseAddress ?? UnsafeRawPointer(bitPattern: 1) else { return }
            let rows = offsets.count - 1
            for row in 0..<rows {
                if let validity, !validity[row] { continue }
                if dictionaryHopeless(seen: indices.count, distinct: hashes.count, distinctBytes: plainSize, total: rows, limit: limitBytes) {
                    failed = true
                    return
                }
                let s = Int(offsets[row]), n = Int(offsets[row + 1]) - s
                let p = base + s
                let h = hashBytes(p, n)
                var mask = capacity - 1
                var pos = Int(truncatingIfNeeded: h) & mask
                while true {
                    let slot = slots[pos]
                    if slot < 0 {
                        plainSize += n + (fixed ? 0 : 4)
                        if plainSize > limitBytes { failed = true; return }
                        slots[pos] = Int32(hashes.count)
                        indices.append(UInt32(hashes.count))
                        hashes.append(h)
                        entryStart.append(s)
                        entryLength.append(n)
                        if hashes.count * 2 > capacity {
                            capacity *= 2
                            mask = capacity - 1
                            var newSlots = [Int32](repeating: -1, count: capacity)
                            for (i, eh) in hashes.enumerated() {
                                var q = Int(truncatingIfNeeded: eh) & mask
                                while newSlots[q] >= 0 { q = (q + 1) & mask }
                                newSlots[q] = Int32(i)
                            }
                            slots = newSlots
                        }
                        break
                    }
                    let e = Int(slot)
                    if hashes[e] == h && entryLength[e] == n && bytesEqual(base + entryStart[e], p, n) {
                        indices.append(UInt32(e))
                        break
                    }
                    pos = (pos + 1) & mask
                }
            }
        }
    }
    if failed { return nil }
    var plain = [UInt8]()
    plain.reserveCapacity(plainSize)
    var ranges: [Range<Int>] = []
    ranges.reserveCapacity(hashes.count)
    for i in 0..<hashes.count {
        if !fixed { plain.appendLE(UInt32(entryLength[i])) }
        ranges.append(plain.count..<plain.count + entryLength[i])
        plain.append(contentsOf: values.data[entryStart[i]..<entryStart[i] + entryLength[i]])
    }
    let order = values.data.withUnsafeBytes { data in
        (0..<hashes.count).sorted { a, b in
            compareBytes(data, entryStart[a], entryLength[a], entryStart[b], entryLength[b], signed: signedOrder) < 0
        }
    }
    var ranks = [Int32](repeating: 0, count: hashes.count)
    for (r, e) in order.enumerated() { ranks[e] = Int32(r) }
    return DictionaryEncoded(indices: indices, count: hashes.count, plain: plain, ranks: ranks, byRank: order.map { Int32($0) },
                            entryRanges: ranges)
}

/// Lexicographic unsigned comparison; `signed` compares big-endian two's complement
/// numbers of equal width (decimals in FIXED_LEN_BYTE_ARRAY).
func compareBytes(_ data: UnsafeRawBufferPointer, _ s1: Int, _ n1: Int, _ s2: Int, _ n2: Int, signed: Bool) -> Int {
    if signed && n1 > 0 && n2 > 0 {
        let a = Int8(bitPattern: data[s1]), b = Int8(bitPattern: data[s2])
        if a != b { return a < b ? -1 : 1 }
        if n1 == n2 {
            guard let base = data.baseAddress else { return 0 }
            let c = memcmp(base + s1 + 1, base + s2 + 1, n1 - 1)
            return c < 0 ? -1 : c > 0 ? 1 : 0
        }
    }
    let n = min(n1, n2)
    if n > 0, let base = data.baseAddress {
        let c = memcmp(base + s1, base + s2, n)
        if c != 0 { return c < 0 ? -1 : 1 }
    }
    return n1 < n2 ? -1 : n1 > n2 ? 1 : 0
}

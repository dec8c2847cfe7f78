import TributaryCore
/// A bounds-checked reader over raw bytes (page data, encoded streams).
struct ByteCursor {
    let base: UnsafeRawBufferPointer
    var position: Int
    let end: Int

    init(_ base: UnsafeRawBufferPointer, from start: Int = 0, to end: Int? = nil) {
        self.base = base
        self.position = start
        self.end = end ?? base.count
    }

    var remaining: Int { end - position }

    mutating func take(_ n: Int, _ what: @autoclosure () -> String) throws -> UnsafeRawBufferPointer {
        guard n >= 0, n <= remaining else {
            throw ParquetError(.corrupt, "\(what()): needs \(n) bytes, \(remaining) remain")
        }
        defer { position += n }
        return UnsafeRawBufferPointer(rebasing: base[position..<position + n])
    }

    mutating func byte() throws -> UInt8 {
        guard position < end else { throw ParquetError(.corrupt, "unexpected end of encoded data") }
        defer { position += 1 }
        return base[position]
    }

    mutating func uint32LE() throws -> UInt32 {
        guard remaining >= 4 else { throw ParquetError(.corrupt, "truncated 4-byte length") }
        defer { position += 4 }
        return base.loadUnaligned(fromByteOffset: position, as: UInt32.self).littleEndian
    }

    mutating func varint() throws -> UInt64 {
        do { return try Varint.read(base, at: &position, end: end) } catch {
            throw ParquetError(.corrupt, error == .truncated ? "unexpected end of encoded data" : "varint too long")
        }
    }

    mutating func zigzag() throws -> Int64 { Varint.unzigzag(try varint()) }
}

/// Reads `width` bits (≤ 64) starting at bit `bit` of `bytes` (LSB-first packing).
@inline(__always)
func readBits(_ bytes: UnsafeRawBufferPointer, bit: Int, width: Int) -> UInt64 {
    if width == 0 { return 0 }
    let byteIndex = bit >> 3
    let shift = bit & 7
    if width <= 56 && byteIndex + 8 <= bytes.count {
        let word = bytes.loadUnaligned(fromByteOffset: byteIndex, as: UInt64.self).littleEndian
        return (word >> UInt64(shift)) & (UInt64.max >> UInt64(64 - width))
    }
    // Slow path near the end of the buffer or for wide values.
    var result: UInt64 = 0
    var got = 0
    var i = byteIndex
    var s = shift
    while got < width && i < bytes.count {
        let avail = 8 - s
        let take = min(avail, width - got)
        let part = (UInt64(bytes[i]) >> UInt64(s)) & ((1 << UInt64(take)) - 1)
        result |= part << UInt64(got)
        got += take
        s = 0
        i += 1
    }
    return result
}

/// Number of bits needed to represent `v`.
@inline(__always)
func bitWidth(of v: UInt64) -> Int { v == 0 ? 0 : 64 - v.leadingZeroBitCount }

extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendLE<T: FixedWidthInteger>(_ v: T) {
        Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) }
    }

    mutating func appendVarint(_ value: UInt64) { Varint.append(value, to: &self) }
}

/// Copies `n` bytes; short values (most strings) avoid a libc call per value.
@inline(__always)
func copyBytes(_ dst: UnsafeMutableRawPointer, _ src: UnsafeRawPointer, _ n: Int) {
    if n > 32 {
        dst.copyMemory(from: src, byteCount: n)
        return
    }
    var i = 0
    while i + 8 <= n {
        dst.storeBytes(of: src.loadUnaligned(fromByteOffset: i, as: UInt64.self), toByteOffset: i, as: UInt64.self)
        i += 8
    }
    while i < n {
        dst.storeBytes(of: src.load(fromByteOffset: i, as: UInt8.self), toByteOffset: i, as: UInt8.self)
        i += 1
    }
}

/// Unsigned LEB128 varints and zig-zag signed integers: the one implementation behind
/// Parquet's Thrift compact protocol and encodings and Avro's longs.
public enum Varint {
    /// Why a varint could not be read.
    public enum Failure: Error, Sendable {
        /// The bytes ended inside the varint.
        case truncated
        /// More than 64 bits of payload.
        case tooLong
    }

    /// Reads one varint from `bytes` at `position` (advanced past it), stopping at `end`.
    @inlinable
    public static func read<C: RandomAccessCollection>(_ bytes: C, at position: inout Int, end: Int) throws(Failure) -> UInt64
    where C.Element == UInt8, C.Index == Int {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw .truncated }
            let b = bytes[position]
            position += 1
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            guard shift < 64 else { throw .tooLong }
        }
    }

    /// Appends `value` as a varint.
    @inlinable
    public static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Zig-zag encoding: small magnitudes of either sign become small unsigned values.
    @inlinable
    public static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }

    @inlinable
    public static func unzigzag(_ v: UInt64) -> Int64 { Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1))) }
}

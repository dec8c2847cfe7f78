#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
/// Variable-length values (strings, binaries) as one contiguous byte buffer plus offsets:
/// value `i` is `data[offsets[i]..<offsets[i+1]]`. No per-value allocation.
public struct ByteArrays: Sendable, Equatable {
    public var data: [UInt8]
    /// `count + 1` offsets, starting at 0.
    public var offsets: [Int32]

    public init() {
        data = []
        offsets = [0]
    }

    public init(data: [UInt8], offsets: [Int32]) {
        self.data = data
        self.offsets = offsets
    }

    /// Builds from strings (UTF-8).
    public init<S: Sequence>(strings: S) where S.Element == String {
        self.init()
        for s in strings { append(s) }
    }

    /// Builds from byte arrays.
    public init<S: Sequence>(byteArrays: S) where S.Element == [UInt8] {
        self.init()
        for b in byteArrays { append(b) }
    }

    public var count: Int { offsets.count - 1 }

    public mutating func reserve(values: Int, bytes: Int) {
        offsets.reserveCapacity(values + 1)
        data.reserveCapacity(bytes)
    }

    public mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    public mutating func append(_ b: [UInt8]) {
        b.withUnsafeBytes { append($0) }
    }

    public mutating func append(_ b: UnsafeRawBufferPointer) {
        data.append(contentsOf: b)
        offsets.append(Int32(truncatingIfNeeded: data.count))
    }

    /// Appends value `i` of `other` (no intermediate copy).
    public mutating func append(_ other: ByteArrays, at i: Int) {
        let start = Int(other.offsets[i]), end = Int(other.offsets[i + 1])
        other.data.withUnsafeBytes { append(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }

    /// Appends `prefix` followed by the decimal digits of `number` (≥ 0), without a String.
    public mutating func append(_ prefix: [UInt8], decimal number: Int) {
        data.append(contentsOf: prefix)
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = max(0, number), count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(48 + n % 10)
                n /= 10
                count += 1
            } while n > 0 && count < 20
            data.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[(20 - count)...]))
        }
        offsets.append(Int32(truncatingIfNeeded: data.count))
    }

    /// The values in place, for hot loops: `body` gets a view valid only during the call.
    public func withValues<R>(_ body: (Values) throws -> R) rethrows -> R {
        try data.withUnsafeBufferPointer { bytes in
            try offsets.withUnsafeBufferPointer { offsets in try body(Values(bytes: bytes, offsets: offsets)) }
        }
    }

    /// A borrowed view of the values (see ``withValues(_:)``).
    public struct Values {
        let bytes: UnsafeBufferPointer<UInt8>
        let offsets: UnsafeBufferPointer<Int32>

        public var count: Int { offsets.count - 1 }

        public subscript(i: Int) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: bytes[Int(offsets[i])..<Int(offsets[i + 1])])
        }

        /// Byte-wise order (memcmp, then length), as S3 and Hudi's Spark row path compare keys.
        public func precedes(_ a: Int, _ b: Int) -> Bool { Self.precedes(self[a], self[b]) }

        public static func precedes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
            let n = min(a.count, b.count)
            if n > 0, let x = a.baseAddress, let y = b.baseAddress {
                let c = memcmp(x, y, n)
                if c != 0 { return c < 0 }
            }
            return a.count < b.count
        }
    }

    /// Appends an empty value (placeholder for a null slot).
    public mutating func appendEmpty() { offsets.append(offsets[offsets.count - 1]) }

    public subscript(i: Int) -> ArraySlice<UInt8> {
        data[Int(offsets[i])..<Int(offsets[i + 1])]
    }

    public func string(at i: Int) -> String {
        String(decoding: self[i], as: UTF8.self)
    }

    /// All values as Swift strings (convenient, allocates per value).
    public var strings: [String] { (0..<count).map { string(at: $0) } }
}

/// The typed values of one column, one case per physical type. For flat columns read or
/// written through `Column`, there is one slot per row; null rows hold a placeholder.
public enum ColumnValues: Sendable, Equatable {
    case boolean([Bool])
    case int32([Int32])
    case int64([Int64])
    case int96([Int96])
    case float([Float])
    case double([Double])
    case byteArray(ByteArrays)
    /// Fixed-length values stored back to back (`ByteArrays` with equal-sized slots).
    case fixedLenByteArray(ByteArrays)

    public var count: Int {
        switch self {
        case .boolean(let v): return v.count
        case .int32(let v): return v.count
        case .int64(let v): return v.count
        case .int96(let v): return v.count
        case .float(let v): return v.count
        case .double(let v): return v.count
        case .byteArray(let v), .fixedLenByteArray(let v): return v.count
        }
    }

    public var physicalType: PhysicalType {
        switch self {
        case .boolean: return .boolean
        case .int32: return .int32
        case .int64: return .int64
        case .int96: return .int96
        case .float: return .float
        case .double: return .double
        case .byteArray: return .byteArray
        case .fixedLenByteArray: return .fixedLenByteArray
        }
    }
}

/// One flat column: a value slot per row plus an optional validity mask (`false` = null).
public struct Column: Sendable, Equatable {
    public var values: ColumnValues
    /// `nil` means no nulls.
    public var validity: [Bool]?

    public init(_ values: ColumnValues, validity: [Bool]? = nil) {
        self.values = values
        self.validity = validity
    }

    public var count: Int { values.count }

    public func isNull(_ row: Int) -> Bool { validity.map { !$0[row] } ?? false }

    public var nullCount: Int { validity.map { $0.reduce(0) { $0 + ($1 ? 0 : 1) } } ?? 0 }

    /// Convenience constructors.
    public static func int64(_ v: [Int64], validity: [Bool]? = nil) -> Column { Column(.int64(v), validity: validity) }
    public static func int32(_ v: [Int32], validity: [Bool]? = nil) -> Column { Column(.int32(v), validity: validity) }
    public static func double(_ v: [Double], validity: [Bool]? = nil) -> Column { Column(.double(v), validity: validity) }
    public static func float(_ v: [Float], validity: [Bool]? = nil) -> Column { Column(.float(v), validity: validity) }
    public static func boolean(_ v: [Bool], validity: [Bool]? = nil) -> Column { Column(.boolean(v), validity: validity) }
    public static func strings(_ v: [String?]) -> Column {
        var b = ByteArrays()
        var valid = [Bool]()
        valid.reserveCapacity(v.count)
        for s in v {
            if let s { b.append(s) } else { b.appendEmpty() }
            valid.append(s != nil)
        }
        return Column(.byteArray(b), validity: valid.contains(false) ? valid : nil)
    }
}

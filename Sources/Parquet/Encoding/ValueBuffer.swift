import TributaryCore

/// Accumulates decoded values of one physical type (only the matching array is used).
struct ValueBuffer {
    let type: PhysicalType
    /// Byte width of FIXED_LEN_BYTE_ARRAY values.
    let fixedWidth: Int
    var bools: [Bool] = []
    var i32: [Int32] = []
    var i64: [Int64] = []
    var i96: [Int96] = []
    var f32: [Float] = []
    var f64: [Double] = []
    var bytes = ByteArrays()

    init(type: PhysicalType, fixedWidth: Int) {
        self.type = type
        self.fixedWidth = fixedWidth
    }

    var count: Int {
        switch type {
        case .boolean: return bools.count
        case .int32: return i32.count
        case .int64: return i64.count
        case .int96: return i96.count
        case .float: return f32.count
        case .double: return f64.count
        case .byteArray, .fixedLenByteArray: return bytes.count
        }
    }

    mutating func reserve(_ n: Int) {
        switch type {
        case .boolean: bools.reserveCapacity(bools.count + n)
        case .int32: i32.reserveCapacity(i32.count + n)
        case .int64: i64.reserveCapacity(i64.count + n)
        case .int96: i96.reserveCapacity(i96.count + n)
        case .float: f32.reserveCapacity(f32.count + n)
        case .double: f64.reserveCapacity(f64.count + n)
        case .byteArray: bytes.offsets.reserveCapacity(bytes.offsets.count + n)
        case .fixedLenByteArray:
            bytes.offsets.reserveCapacity(bytes.offsets.count + n)
            bytes.data.reserveCapacity(bytes.data.count + n * fixedWidth)
        }
    }

    var values: ColumnValues {
        switch type {
        case .boolean: return .boolean(bools)
        case .int32: return .int32(i32)
        case .int64: return .int64(i64)
        case .int96: return .int96(i96)
        case .float: return .float(f32)
        case .double: return .double(f64)
        case .byteArray: return .byteArray(bytes)
        case .fixedLenByteArray: return .fixedLenByteArray(bytes)
        }
    }

    /// Width in bytes of a PLAIN fixed-size value (0 for BYTE_ARRAY, booleans are bits).
    var plainWidth: Int {
        switch type {
        case .boolean: return 0
        case .int32, .float: return 4
        case .int64, .double: return 8
        case .int96: return 12
        case .byteArray: return 0
        case .fixedLenByteArray: return fixedWidth
        }
    }
}

extension Array where Element: BitwiseCopyable & ExpressibleByIntegerLiteral {
    /// Appends `count` little-endian values copied from unaligned raw bytes.
    @inline(__always)
    mutating func appendRaw(_ raw: UnsafeRawBufferPointer, count: Int) {
        guard count > 0, let src = raw.baseAddress else { return }
        let old = self.count
        append(contentsOf: repeatElement(0, count: count))
        withUnsafeMutableBytes { dst in
            if let d = dst.baseAddress {
                (d + old * MemoryLayout<Element>.stride).copyMemory(from: src, byteCount: count * MemoryLayout<Element>.stride)
            }
        }
    }
}

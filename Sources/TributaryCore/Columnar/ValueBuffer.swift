/// Accumulates values of one physical type (only the matching array is used), so appends
/// grow an array in place instead of copying a `ColumnValues` payload: the Parquet
/// decoders and `NestedColumnBuilder` fill these.
public struct ValueBuffer: Sendable {
    public let type: PhysicalType
    /// Byte width of FIXED_LEN_BYTE_ARRAY values.
    public let fixedWidth: Int
    public var bools: [Bool] = []
    public var i32: [Int32] = []
    public var i64: [Int64] = []
    public var i96: [Int96] = []
    public var f32: [Float] = []
    public var f64: [Double] = []
    public var bytes = ByteArrays()

    public init(type: PhysicalType, fixedWidth: Int) {
        self.type = type
        self.fixedWidth = fixedWidth
    }

    public var count: Int {
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

    public mutating func reserve(_ n: Int) {
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

    /// A slot without a value (0, false, empty bytes), as null slots of a `Column` hold.
    public mutating func appendPlaceholder() {
        switch type {
        case .boolean: bools.append(false)
        case .int32: i32.append(0)
        case .int64: i64.append(0)
        case .int96: i96.append(Int96())
        case .float: f32.append(0)
        case .double: f64.append(0)
        case .byteArray, .fixedLenByteArray: bytes.appendEmpty()
        }
    }

    /// Keeps the first `n` values.
    public mutating func truncate(_ n: Int) {
        guard n < count else { return }
        switch type {
        case .boolean: bools.removeLast(bools.count - n)
        case .int32: i32.removeLast(i32.count - n)
        case .int64: i64.removeLast(i64.count - n)
        case .int96: i96.removeLast(i96.count - n)
        case .float: f32.removeLast(f32.count - n)
        case .double: f64.removeLast(f64.count - n)
        case .byteArray, .fixedLenByteArray:
            bytes.data.removeLast(bytes.data.count - Int(bytes.offsets[n]))
            bytes.offsets.removeLast(bytes.offsets.count - n - 1)
        }
    }

    public var values: ColumnValues {
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
}

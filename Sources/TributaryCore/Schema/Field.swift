/// The column types of the in-memory model and the Parquet writer (flat schemas).
public enum FieldType: Sendable, Equatable {
    case boolean
    case int32
    case int64
    case float
    case double
    /// UTF-8 text (BYTE_ARRAY, STRING).
    case string
    /// JSON text (BYTE_ARRAY, JSON).
    case json
    /// Raw bytes (BYTE_ARRAY).
    case binary
    /// Fixed-size bytes (FIXED_LEN_BYTE_ARRAY).
    case fixedLenByteArray(Int)
    /// Exact decimal stored as INT32 (precision ≤ 9, `Column.int32` unscaled values), INT64
    /// (≤ 18, `Column.int64`) or FIXED_LEN_BYTE_ARRAY (big-endian two's complement).
    case decimal(precision: Int, scale: Int)
    /// Days since 1970-01-01 (INT32).
    case date
    /// Epoch time in `unit` (INT64).
    case timestamp(TimeUnit, isAdjustedToUTC: Bool)

    /// Bytes of a FIXED_LEN_BYTE_ARRAY decimal with this precision.
    public static func decimalByteWidth(_ precision: Int) -> Int {
        // Smallest n with 10^p - 1 < 2^(8n - 1), i.e. digits of precision fit a signed n-byte integer.
        var n = 1
        while Double(8 * n - 1) * 0.30102999566398120 < Double(precision) { n += 1 }
        return n
    }

    /// The physical type values of this field are stored as.
    public var physicalType: PhysicalType {
        switch self {
        case .boolean: return .boolean
        case .int32, .date: return .int32
        case .int64, .timestamp: return .int64
        case .float: return .float
        case .double: return .double
        case .string, .json, .binary: return .byteArray
        case .fixedLenByteArray: return .fixedLenByteArray
        case .decimal(let p, _): return p <= 9 ? .int32 : p <= 18 ? .int64 : .fixedLenByteArray
        }
    }

    /// Bytes per value of a FIXED_LEN_BYTE_ARRAY type, nil for the others.
    public var typeLength: Int? {
        switch self {
        case .fixedLenByteArray(let n): return n
        case .decimal(let p, _) where p > 18: return FieldType.decimalByteWidth(p)
        default: return nil
        }
    }
}

/// A top-level column of a flat schema.
public struct Field: Sendable, Equatable {
    public var name: String
    public var type: FieldType
    public var nullable: Bool
    /// Key/value metadata stored on each of this column's chunks.
    public var metadata: [KeyValue]
    /// The schema element's `field_id` (Iceberg readers map columns by it), nil: none.
    public var fieldID: Int32?

    public init(_ name: String, _ type: FieldType, nullable: Bool = true, metadata: [KeyValue] = [], fieldID: Int32? = nil) {
        self.name = name
        self.type = type
        self.nullable = nullable
        self.metadata = metadata
        self.fieldID = fieldID
    }
}

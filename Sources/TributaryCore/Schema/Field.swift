/// The column types of the in-memory model and the Parquet writer: primitive types, and
/// groups, lists and maps of fields (nested types, stored as several leaf columns).
public indirect enum FieldType: Sendable, Equatable {
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
    /// A struct of named child fields (a Parquet group).
    case group([Field])
    /// A list of `element`s (Parquet's 3-level LIST; the element is conventionally named
    /// `element`, and is nullable unless declared otherwise).
    case list(Field)
    /// Entries of a required `key` and a `value` (Parquet's MAP of `key_value` groups;
    /// conventionally named `key` and `value`).
    case map(key: Field, value: Field)

    /// A list of elements of `type` named `element`, as pyarrow and Spark name them.
    public static func list(of type: FieldType, elementNullable: Bool = true) -> FieldType {
        .list(Field("element", type, nullable: elementNullable))
    }

    /// A map with fields named `key` and `value`.
    public static func map(_ key: FieldType, _ value: FieldType, valueNullable: Bool = true) -> FieldType {
        .map(key: Field("key", key, nullable: false), value: Field("value", value, nullable: valueNullable))
    }

    /// Group, list or map: stored as leaf columns with definition and repetition levels.
    public var isNested: Bool {
        switch self {
        case .group, .list, .map: return true
        default: return false
        }
    }

    /// Bytes of a FIXED_LEN_BYTE_ARRAY decimal with this precision.
    public static func decimalByteWidth(_ precision: Int) -> Int {
        // Smallest n with 10^p - 1 < 2^(8n - 1), i.e. digits of precision fit a signed n-byte integer.
        var n = 1
        while Double(8 * n - 1) * 0.30102999566398120 < Double(precision) { n += 1 }
        return n
    }

    /// The physical type values of this field are stored as. Nested types have none of
    /// their own (their leaves do): they report BYTE_ARRAY, so check `isNested` first.
    public var physicalType: PhysicalType {
        switch self {
        case .boolean: return .boolean
        case .int32, .date: return .int32
        case .int64, .timestamp: return .int64
        case .float: return .float
        case .double: return .double
        case .string, .json, .binary, .group, .list, .map: return .byteArray
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

/// A column of a schema: top-level, or a child of a group, list or map.
public struct Field: Sendable, Equatable {
    public var name: String
    public var type: FieldType
    public var nullable: Bool
    /// Key/value metadata stored on each of this column's chunks (of each leaf, when nested).
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

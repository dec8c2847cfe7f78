import TributaryCore

/// Field repetition.
public enum Repetition: Int32, Sendable, CustomStringConvertible {
    case required = 0, optional = 1, repeated = 2
    public var description: String { ["required", "optional", "repeated"][Int(rawValue)] }
}

/// Value encodings.
public enum Encoding: Int32, Sendable, CustomStringConvertible {
    case plain = 0, plainDictionary = 2, rle = 3, bitPacked = 4, deltaBinaryPacked = 5
    case deltaLengthByteArray = 6, deltaByteArray = 7, rleDictionary = 8, byteStreamSplit = 9

    public var description: String {
        switch self {
        case .plain: return "PLAIN"
        case .plainDictionary: return "PLAIN_DICTIONARY"
        case .rle: return "RLE"
        case .bitPacked: return "BIT_PACKED"
        case .deltaBinaryPacked: return "DELTA_BINARY_PACKED"
        case .deltaLengthByteArray: return "DELTA_LENGTH_BYTE_ARRAY"
        case .deltaByteArray: return "DELTA_BYTE_ARRAY"
        case .rleDictionary: return "RLE_DICTIONARY"
        case .byteStreamSplit: return "BYTE_STREAM_SPLIT"
        }
    }
}

/// Compression codecs.
public enum CompressionCodec: Int32, Sendable, CustomStringConvertible {
    case uncompressed = 0, snappy = 1, gzip = 2, lzo = 3, brotli = 4, lz4 = 5, zstd = 6, lz4Raw = 7

    public var description: String {
        ["UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"][Int(rawValue)]
    }
}

/// Logical type annotations (the `LogicalType` union of the format).
public enum LogicalType: Sendable, Equatable, CustomStringConvertible {
    case string, map, list, enumeration, json, bson, uuid, float16, unknown
    case decimal(precision: Int32, scale: Int32)
    case date
    case time(isAdjustedToUTC: Bool, unit: TimeUnit)
    case timestamp(isAdjustedToUTC: Bool, unit: TimeUnit)
    case integer(bitWidth: Int8, isSigned: Bool)
    /// A union member this module does not interpret (kept so the schema still loads).
    case other(Int16)

    public var description: String {
        switch self {
        case .string: return "STRING"
        case .map: return "MAP"
        case .list: return "LIST"
        case .enumeration: return "ENUM"
        case .json: return "JSON"
        case .bson: return "BSON"
        case .uuid: return "UUID"
        case .float16: return "FLOAT16"
        case .unknown: return "UNKNOWN"
        case .decimal(let p, let s): return "DECIMAL(\(p),\(s))"
        case .date: return "DATE"
        case .time(let utc, let u): return "TIME(\(u),\(utc ? "UTC" : "local"))"
        case .timestamp(let utc, let u): return "TIMESTAMP(\(u),\(utc ? "UTC" : "local"))"
        case .integer(let w, let s): return "INT(\(w),\(s ? "signed" : "unsigned"))"
        case .other(let id): return "LOGICAL(\(id))"
        }
    }
}

/// Legacy converted types (written alongside logical types for old readers).
public enum ConvertedType: Int32, Sendable {
    case utf8 = 0, map = 1, mapKeyValue = 2, list = 3, enumeration = 4, decimal = 5, date = 6
    case timeMillis = 7, timeMicros = 8, timestampMillis = 9, timestampMicros = 10
    case uint8 = 11, uint16 = 12, uint32 = 13, uint64 = 14, int8 = 15, int16 = 16, int32 = 17, int64 = 18
    case json = 19, bson = 20, interval = 21
}

import TributaryCore

/// A single value with its logical meaning, for row-wise access (CLI, nested columns, tests).
public indirect enum ParquetValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case float(Float)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    /// Exact decimal text, e.g. `-12.30`.
    case decimal(String)
    /// Days since 1970-01-01.
    case date(Int32)
    case timestamp(Int64, TimeUnit, isAdjustedToUTC: Bool)
    case time(Int64, TimeUnit)
    case list([ParquetValue])
    case map([MapEntry])
    case record([NamedValue])

    public struct MapEntry: Sendable, Equatable {
        public var key: ParquetValue
        public var value: ParquetValue

        public init(key: ParquetValue, value: ParquetValue) {
            (self.key, self.value) = (key, value)
        }
    }

    public struct NamedValue: Sendable, Equatable {
        public var name: String
        public var value: ParquetValue

        public init(name: String, value: ParquetValue) {
            (self.name, self.value) = (name, value)
        }
    }
}

/// Converts physical values to `ParquetValue` by a column's logical type.
struct ValueConverter {
    let descriptor: ColumnDescriptor

    func value(_ values: ColumnValues, _ i: Int) -> ParquetValue {
        let logical = descriptor.logicalType
        switch values {
        case .boolean(let v): return .bool(v[i])
        case .int32(let v):
            let x = v[i]
            switch logical {
            case .date: return .date(x)
            case .decimal(_, let s): return .decimal(decimalString(Int64(x), scale: Int(s)))
            case .integer(_, false): return .uint(UInt64(UInt32(bitPattern: x)))
            case .time(_, let unit): return .time(Int64(x), unit)
            default: return .int(Int64(x))
            }
        case .int64(let v):
            let x = v[i]
            switch logical {
            case .timestamp(let utc, let unit): return .timestamp(x, unit, isAdjustedToUTC: utc)
            case .decimal(_, let s): return .decimal(decimalString(x, scale: Int(s)))
            case .integer(_, false): return .uint(UInt64(bitPattern: x))
            case .time(_, let unit): return .time(x, unit)
            default: return .int(x)
            }
        case .int96(let v): return .timestamp(v[i].epochNanos, .nanos, isAdjustedToUTC: false)
        case .float(let v): return .float(v[i])
        case .double(let v): return .double(v[i])
        case .byteArray(let b), .fixedLenByteArray(let b):
            switch logical {
            case .string, .json, .enumeration: return .string(b.string(at: i))
            case .decimal(_, let s): return .decimal(decimalString(bigEndian: Array(b[i]), scale: Int(s)))
            case .float16 where b.offsets[i + 1] - b.offsets[i] == 2:
                let bytes = b[i]
                return .float(floatFromHalf(UInt16(bytes[bytes.startIndex]) | UInt16(bytes[bytes.startIndex + 1]) << 8))
            default: return .bytes(Array(b[i]))
            }
        }
    }
}

/// An IEEE half-precision value (FLOAT16, little-endian bits) widened to Float, exactly.
func floatFromHalf(_ bits: UInt16) -> Float {
    let sign = UInt32(bits >> 15) << 31
    let exponent = Int(bits >> 10 & 0x1F)
    let mantissa = UInt32(bits & 0x3FF)
    switch exponent {
    case 0:
        // Zero or subnormal: mantissa x 2^-24.
        let magnitude = Float(mantissa) * 0x1p-24
        return sign == 0 ? magnitude : -magnitude
    case 31:
        return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)  // infinity or NaN
    default:
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | mantissa << 13)
    }
}

/// `unscaled / 10^scale` as exact text.
func decimalString(_ unscaled: Int64, scale: Int) -> String {
    let negative = unscaled < 0
    return formatDecimal(digits: String(unscaled.magnitude), negative: negative, scale: scale)
}

/// Decimal text of a big-endian two's complement integer of any width.
func decimalString(bigEndian bytes: [UInt8], scale: Int) -> String {
    guard !bytes.isEmpty else { return formatDecimal(digits: "0", negative: false, scale: scale) }
    let negative = bytes[0] & 0x80 != 0
    var mag = bytes
    if negative {
        // Two's complement negate: invert and add one.
        for i in mag.indices { mag[i] = ~mag[i] }
        var i = mag.count - 1
        while i >= 0 {
            let (r, o) = mag[i].addingReportingOverflow(1)
            mag[i] = r
            if !o { break }
            i -= 1
        }
    }
    // Repeated division by 10^9 over base-256 digits.
    var chunks: [UInt32] = []
    var num = mag
    while num.contains(where: { $0 != 0 }) {
        var rem: UInt64 = 0
        for i in num.indices {
            let cur = rem << 8 | UInt64(num[i])
            num[i] = UInt8(cur / 1_000_000_000)
            rem = cur % 1_000_000_000
        }
        chunks.append(UInt32(rem))
    }
    var digits = chunks.last.map { String($0) } ?? "0"
    for c in chunks.dropLast().reversed() {
        let s = String(c)
        digits += String(repeating: "0", count: 9 - s.count) + s
    }
    return formatDecimal(digits: digits, negative: negative, scale: scale)
}

private func formatDecimal(digits: String, negative: Bool, scale: Int) -> String {
    var d = digits
    if scale > 0 {
        if d.count <= scale { d = String(repeating: "0", count: scale - d.count + 1) + d }
        d.insert(".", at: d.index(d.endIndex, offsetBy: -scale))
    } else if scale < 0 {
        d += String(repeating: "0", count: -scale)
    }
    let isZero = !digits.contains(where: { $0 != "0" })
    return (negative && !isZero ? "-" : "") + d
}

import Foundation
import TributaryCore
@testable import Parquet

/// Deterministic random numbers (SplitMix64), so a failing seed can be replayed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A random flat table: fields, columns and the values we expect readers to see.
struct RandomTable {
    var fields: [Field]
    var columns: [Column]
    var expected: [[ParquetValue]]

    var expectedLines: [String] {
        let names = fields.map(\.name)
        return expected.map { renderJSONLine(names: names, row: $0) }
    }

    static let strings = ["", "a", "hello world", "naïve café", "日本語テキスト", "emoji 🎉🚀", "quote \" back\\slash",
                          "tab\tnew\nline", "\u{01}\u{1f}", String(repeating: "long-", count: 1200), "Zürich", "null"]

    static func randomType(_ r: inout SeededRandom) -> FieldType {
        switch Int.random(in: 0..<14, using: &r) {
        case 0: return .boolean
        case 1: return .int32
        case 2: return .int64
        case 3: return .float
        case 4: return .double
        case 5, 6: return .string
        case 7: return .json
        case 8: return .binary
        case 9: return .fixedLenByteArray(Int.random(in: 1...16, using: &r))
        case 10:
            let p = Int.random(in: 1...38, using: &r)
            return .decimal(precision: p, scale: Int.random(in: 0...p, using: &r))
        case 11: return .date
        default:
            let unit: TimeUnit = [.millis, .micros, .nanos][Int.random(in: 0..<3, using: &r)]
            return .timestamp(unit, isAdjustedToUTC: Bool.random(using: &r))
        }
    }

    static func generate(seed: UInt64, rows: Int? = nil) -> RandomTable {
        var r = SeededRandom(seed: seed)
        let fieldCount = Int.random(in: 1...8, using: &r)
        let rowCount = rows ?? [0, 1, 7, 100, 1000, 3000][Int.random(in: 0..<6, using: &r)]
        var fields: [Field] = []
        var columns: [Column] = []
        var cells = [[ParquetValue]](repeating: [], count: rowCount)
        for f in 0..<fieldCount {
            let type = randomType(&r)
            let nullable = Bool.random(using: &r)
            // Low cardinality half the time so dictionaries are exercised.
            let cardinality = Bool.random(using: &r) ? Int.random(in: 1...20, using: &r) : Int.max
            let nullRate = nullable ? [0.0, 0.1, 0.5, 1.0][Int.random(in: 0..<4, using: &r)] : 0
            let field = Field("c\(f)_\(type.shortName)", type, nullable: nullable)
            fields.append(field)
            var validity: [Bool] = []
            var pool: [UInt64] = []
            for _ in 0..<min(cardinality, 64) { pool.append(r.next()) }
            var gen = ValueGen(type: type)
            for row in 0..<rowCount {
                let valid = Double.random(in: 0..<1, using: &r) >= nullRate
                validity.append(valid)
                var vr = SeededRandom(seed: cardinality == Int.max ? r.next() : pool[Int.random(in: 0..<pool.count, using: &r)])
                let value = gen.append(valid: valid, using: &vr)
                cells[row].append(valid ? value : .null)
            }
            columns.append(Column(gen.values, validity: nullable ? validity : nil))
        }
        return RandomTable(fields: fields, columns: columns, expected: cells)
    }
}

extension FieldType {
    var shortName: String {
        switch self {
        case .boolean: "bool"
        case .int32: "i32"
        case .int64: "i64"
        case .float: "f32"
        case .double: "f64"
        case .string: "str"
        case .json: "json"
        case .binary: "bin"
        case .fixedLenByteArray(let n): "fixed\(n)"
        case .decimal(let p, let s): "dec\(p)_\(s)"
        case .date: "date"
        case .timestamp(let u, let utc): "ts_\(u)_\(utc ? "utc" : "local")"
        case .group: "group"
        case .list: "list"
        case .map: "map"
        }
    }
}

/// Builds one column's physical values and the logical value of each row.
struct ValueGen {
    let type: FieldType
    var bools: [Bool] = []
    var i32: [Int32] = []
    var i64: [Int64] = []
    var f32: [Float] = []
    var f64: [Double] = []
    var bytes = ByteArrays()

    init(type: FieldType) { self.type = type }

    var values: ColumnValues {
        switch type.physicalType {
        case .boolean: return .boolean(bools)
        case .int32: return .int32(i32)
        case .int64: return .int64(i64)
        case .float: return .float(f32)
        case .double: return .double(f64)
        case .byteArray: return .byteArray(bytes)
        case .fixedLenByteArray: return .fixedLenByteArray(bytes)
        case .int96: return .int96([])
        }
    }

    static func pick<T>(_ r: inout SeededRandom, _ special: [T], _ normal: (inout SeededRandom) -> T) -> T {
        Int.random(in: 0..<4, using: &r) == 0 ? special[Int.random(in: 0..<special.count, using: &r)] : normal(&r)
    }

    mutating func append(valid: Bool, using r: inout SeededRandom) -> ParquetValue {
        switch type {
        case .boolean:
            let v = Bool.random(using: &r)
            bools.append(v)
            return .bool(v)
        case .int32:
            let v = Self.pick(&r, [Int32.min, Int32.max, 0, -1, 1]) { r in Int32.random(in: Int32.min...Int32.max, using: &r) }
            i32.append(v)
            return .int(Int64(v))
        case .int64:
            let v = Self.pick(&r, [Int64.min, Int64.max, 0, -1, 1]) { r in Int64.random(in: Int64.min...Int64.max, using: &r) }
            i64.append(v)
            return .int(v)
        case .float:
            let v = Self.pick(&r, [Float.nan, .infinity, -.infinity, -0.0, 0, .greatestFiniteMagnitude, .leastNonzeroMagnitude, -1.5]) { r in
                Float.random(in: -1e6...1e6, using: &r)
            }
            f32.append(v)
            return .float(v)
        case .double:
            let v = Self.pick(&r, [Double.nan, .infinity, -.infinity, -0.0, 0, .greatestFiniteMagnitude, .leastNonzeroMagnitude, 1e300]) { r in
                Double.random(in: -1e12...1e12, using: &r)
            }
            f64.append(v)
            return .double(v)
        case .string:
            let s = Self.pick(&r, RandomTable.strings) { r in
                String((0..<Int.random(in: 0...40, using: &r)).map { _ in "abcdefghijklmnopqrstuvwxyzé€😀 ".randomElement(using: &r) ?? "a" })
            }
            if valid { bytes.append(s) } else { bytes.appendEmpty() }
            return .string(s)
        case .json:
            let s = "{\"k\":\(Int.random(in: 0...1000, using: &r)),\"s\":\"\(["x", "é", ""].randomElement(using: &r) ?? "")\"}"
            if valid { bytes.append(s) } else { bytes.appendEmpty() }
            return .string(s)
        case .binary:
            let b = (0..<Int.random(in: 0...20, using: &r)).map { _ in UInt8.random(in: 0...255, using: &r) }
            if valid { bytes.append(b) } else { bytes.appendEmpty() }
            return .bytes(b)
        case .fixedLenByteArray(let n):
            let b = (0..<n).map { _ in UInt8.random(in: 0...255, using: &r) }
            bytes.append(b)
            return .bytes(b)
        case .decimal(let p, let s):
            var limit: Int128 = 1
            for _ in 0..<p { limit *= 10 }
            limit -= 1
            let v: Int128 = Self.pick(&r, [limit, -limit, 0, 1, -1]) { r in
                let hi = Int128(Int64.random(in: Int64.min...Int64.max, using: &r)), lo = Int128(UInt64.random(in: 0...UInt64.max, using: &r))
                let x = (hi << 64) | lo
                return x % (limit + 1)
            }
            switch type.physicalType {
            case .int32: i32.append(Int32(v))
            case .int64: i64.append(Int64(v))
            default:
                let width = FieldType.decimalByteWidth(p)
                bytes.append((0..<width).reversed().map { UInt8(truncatingIfNeeded: v >> (8 * $0)) })
            }
            return .decimal(Self.decimalText(v, scale: s))
        case .date:
            let v = Int32.random(in: -300_000...2_900_000, using: &r)
            i32.append(v)
            return .date(v)
        case .timestamp(let unit, let utc):
            let secs = Int64.random(in: -2_208_988_800...7_258_118_400, using: &r)
            let v = unit == .nanos
                ? Int64.random(in: -9_000_000_000_000_000_000...9_000_000_000_000_000_000, using: &r)
                : secs * unit.perSecond + Int64.random(in: 0..<unit.perSecond, using: &r)
            i64.append(v)
            return .timestamp(v, unit, isAdjustedToUTC: utc)
        case .group, .list, .map:
            return .null  // nested values come from NestedData
        }
    }

    static func decimalText(_ v: Int128, scale: Int) -> String {
        var digits = String(v.magnitude)
        if scale > 0 {
            if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
        }
        return (v < 0 ? "-" : "") + digits
    }
}

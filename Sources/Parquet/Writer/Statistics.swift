import Foundation
import TributaryCore

/// How min/max of a column compare (the column order of its logical type).
enum StatOrder {
    case boolean, int32, int64, float, double, unsignedBytes, signedBytes

    init(field: FieldType) {
        switch field {
        case .boolean: self = .boolean
        case .int32, .date: self = .int32
        case .int64, .timestamp: self = .int64
        case .float: self = .float
        case .double: self = .double
        case .string, .json, .binary, .fixedLenByteArray, .group, .list, .map: self = .unsignedBytes
        case .decimal(let p, _): self = p <= 9 ? .int32 : p <= 18 ? .int64 : .signedBytes
        }
    }

    /// Compares two PLAIN-encoded statistics values.
    func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        func load<T: BitwiseCopyable>(_ x: [UInt8], _: T.Type) -> T? {
            guard x.count >= MemoryLayout<T>.size else { return nil }
            return x.withUnsafeBytes { $0.loadUnaligned(as: T.self) }
        }
        func cmp<T: Comparable>(_ x: T?, _ y: T?) -> Int {
            guard let x, let y else { return 0 }
            return x < y ? -1 : x > y ? 1 : 0
        }
        switch self {
        case .boolean: return cmp(a.first, b.first)
        case .int32: return cmp(load(a, Int32.self), load(b, Int32.self))
        case .int64: return cmp(load(a, Int64.self), load(b, Int64.self))
        case .float: return cmp(load(a, Float.self), load(b, Float.self))
        case .double: return cmp(load(a, Double.self), load(b, Double.self))
        case .unsignedBytes, .signedBytes:
            let joined = a + b
            return joined.withUnsafeBytes { compareBytes($0, 0, a.count, a.count, b.count, signed: self == .signedBytes) }
        }
    }
}

/// Running min/max/null count of a column chunk, merged from its pages.
struct StatsAccumulator {
    let order: StatOrder
    var min: [UInt8]?
    var max: [UInt8]?
    var nullCount: Int64 = 0
    /// False once a page had values but no usable min/max (e.g. oversize strings).
    var exact = true

    init(order: StatOrder) { self.order = order }

    mutating func merge(_ s: Statistics, hadValues: Bool) {
        nullCount += s.nullCount ?? 0
        guard let lo = s.min, let hi = s.max else {
            if hadValues { exact = false }
            return
        }
        if min == nil || order.compare(lo, min ?? []) < 0 { min = lo }
        if max == nil || order.compare(hi, max ?? []) > 0 { max = hi }
    }

    var statistics: Statistics {
        exact ? Statistics(min: min, max: max, nullCount: nullCount) : Statistics(nullCount: nullCount)
    }
}

/// Bytes of statistics values we keep; longer strings get no min/max (like parquet-cpp).
let maxStatisticsValueSize = 4096

@inline(__always)
func plainBytes<T: BitwiseCopyable>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }

/// Min/max of numeric values in rows `range` (nulls and NaN skipped).
func numericMinMax<T: Comparable & BitwiseCopyable>(
    _ v: UnsafeBufferPointer<T>, _ range: Range<Int>, validity: [Bool]?, isNaN: (T) -> Bool
) -> (T, T)? {
    var lo: T?
    var hi: T?
    for i in range {
        if let validity, !validity[i] { continue }
        let x = v[i]
        if isNaN(x) { continue }
        if let l = lo, let h = hi {
            if x < l { lo = x }
            if x > h { hi = x }
        } else {
            lo = x
            hi = x
        }
    }
    guard let lo, let hi else { return nil }
    return (lo, hi)
}

/// Parquet wants -0.0 as a min of zero and +0.0 as a max of zero.
func floatStats<T: BinaryFloatingPoint & BitwiseCopyable>(_ r: (T, T)?) -> ([UInt8], [UInt8])? {
    guard var (lo, hi) = r else { return nil }
    if lo == 0 { lo = -T(0) }
    if hi == 0 { hi = T(0) }
    return (plainBytes(lo), plainBytes(hi))
}

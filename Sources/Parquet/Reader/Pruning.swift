import TributaryCore

/// Column-chunk statistics with logical values, and row-group pruning by them.
public struct ColumnStatistics: Sendable, Equatable {
    public var min: ParquetValue?
    public var max: ParquetValue?
    public var nullCount: Int64?
}

extension ParquetFileReader {
    /// Statistics of a flat top-level column in each row group (nil where absent or unusable).
    public func statistics(column name: String) throws -> [ColumnStatistics?] {
        let node = schema.fields[try fieldIndex(name)]
        guard let leaf = node.leafIndex else { throw ParquetError(.invalidArgument, "column \(name) is nested") }
        let d = schema.columns[leaf]
        let conv = ValueConverter(descriptor: d)
        return metadata.rowGroups.map { g in
            guard let s = g.columns[leaf].metaData?.statistics else { return nil }
            // Legacy min/max of byte arrays used signed byte order: not safe to prune with.
            let usable = !(s.isLegacy && (d.physicalType == .byteArray || d.physicalType == .fixedLenByteArray))
            func decode(_ b: [UInt8]?) -> ParquetValue? {
                guard usable, let b else { return nil }
                var buf = ValueBuffer(type: d.physicalType, fixedWidth: d.typeLength)
                let ok: Bool = b.withUnsafeBytes { raw in
                    var c = ByteCursor(raw)
                    switch d.physicalType {
                    case .byteArray: buf.bytes.append(raw); return true
                    case .fixedLenByteArray: guard raw.count == d.typeLength else { return false }; buf.bytes.append(raw); return true
                    default: return (try? ValueDecoding.plain(&c, count: 1, into: &buf)) != nil
                    }
                }
                return ok ? conv.value(buf.values, 0) : nil
            }
            return ColumnStatistics(min: decode(s.min), max: decode(s.max), nullCount: s.nullCount)
        }
    }

    /// Row groups whose statistics allow a value of `column` within `lower...upper`
    /// (either bound may be nil). Groups without usable statistics are kept.
    public func rowGroups(column: String, overlapping lower: ParquetValue?, _ upper: ParquetValue?) throws -> [Int] {
        let stats = try statistics(column: column)
        return stats.indices.filter { i in
            guard let s = stats[i], let mn = s.min, let mx = s.max else { return true }
            if let lower, let c = compareValues(mx, lower), c < 0 { return false }
            if let upper, let c = compareValues(mn, upper), c > 0 { return false }
            return true
        }
    }
}

/// Orders two values of the same logical kind; nil when they do not compare.
func compareValues(_ a: ParquetValue, _ b: ParquetValue) -> Int? {
    func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : x > y ? 1 : 0 }
    switch (a, b) {
    case (.int(let x), .int(let y)): return cmp(x, y)
    case (.uint(let x), .uint(let y)): return cmp(x, y)
    case (.double(let x), .double(let y)): return x.isNaN || y.isNaN ? nil : cmp(x, y)
    case (.float(let x), .float(let y)): return x.isNaN || y.isNaN ? nil : cmp(x, y)
    case (.string(let x), .string(let y)):
        // Parquet orders strings by unsigned bytes (UTF-8), not by Swift's String order.
        let xb = Array(x.utf8), yb = Array(y.utf8)
        return xb == yb ? 0 : xb.lexicographicallyPrecedes(yb) ? -1 : 1
    case (.bytes(let x), .bytes(let y)): return x == y ? 0 : x.lexicographicallyPrecedes(y) ? -1 : 1
    case (.date(let x), .date(let y)): return cmp(x, y)
    case (.timestamp(let x, let u1, _), .timestamp(let y, let u2, _)) where u1 == u2: return cmp(x, y)
    case (.bool(let x), .bool(let y)): return cmp(x ? 1 : 0, y ? 1 : 0)
    default: return nil
    }
}

import Foundation
import ObjectStore
import Parquet

/// Record count and column metrics of a Parquet base file, from its footer only (two
/// ranged gets), mapped to Iceberg field ids by top-level column name.
enum FooterStats {
    /// A source over the footer bytes fetched; other reads fail.
    private struct TailSource: ParquetSource {
        let size: Int
        let start: Int
        let tail: [UInt8]
        func read(offset: Int, length: Int) throws -> [UInt8] {
            if offset == 0 && length == 4 { return Array("PAR1".utf8) }
            guard offset >= start, offset + length <= start + tail.count else {
                throw CatalogError.invalidTable("footer read outside the fetched tail")
            }
            return Array(tail[(offset - start)..<(offset - start + length)])
        }
    }

    static func read(store: any ObjectStore, key: String, size: Int) async throws -> FileMetaData {
        guard size >= 12 else { throw CatalogError.invalidTable("\(key) is too small to be Parquet") }
        let last = [UInt8](try await store.get(key, range: (size - 8)..<size))
        let length = Int(UInt32(last[0]) | UInt32(last[1]) << 8 | UInt32(last[2]) << 16 | UInt32(last[3]) << 24)
        guard length > 0, length <= size - 12 else { throw CatalogError.invalidTable("\(key): bad footer length \(length)") }
        let start = size - 8 - length
        let tail = [UInt8](try await store.get(key, range: start..<size))
        return try ParquetFileReader(source: TailSource(size: size, start: start, tail: tail)).metadata
    }

    /// Fills `file`'s record count and metrics from `footer`.
    static func apply(_ footer: FileMetaData, schema: IcebergSchema, to file: inout IcebergDataFile) {
        file.recordCount = footer.numRows
        var boundsOK: Set<Int> = []
        var nullsOK: Set<Int> = []
        var lower: [Int: [UInt8]] = [:]
        var upper: [Int: [UInt8]] = [:]
        var first = true
        for group in footer.rowGroups {
            var seen: Set<Int> = []
            for chunk in group.columns {
                guard let meta = chunk.metaData, meta.pathInSchema.count == 1, let name = meta.pathInSchema.first,
                      let field = schema.field(named: name) else { continue }
                let id = field.id
                seen.insert(id)
                file.columnSizes[id, default: 0] += meta.totalCompressedSize
                file.valueCounts[id, default: 0] += meta.numValues
                let stats = meta.statistics
                if let n = stats?.nullCount {
                    if first || nullsOK.contains(id) { nullsOK.insert(id) }
                    file.nullValueCounts[id, default: 0] += n
                } else {
                    nullsOK.remove(id)
                }
                // Parquet's plain encoding of min/max equals Iceberg's single-value
                // serialization for these types (little-endian numbers, UTF-8, raw bytes).
                let comparable: Bool
                switch field.type {
                case .boolean, .int, .long, .float, .double, .date, .string, .binary, .timestamptz, .timestamp:
                    comparable = isMicros(meta, footer: footer, name: name) || ![.timestamptz, .timestamp].contains(field.type)
                default:
                    comparable = false
                }
                if comparable, let s = stats, !s.isLegacy, let mn = s.min, let mx = s.max {
                    if first || boundsOK.contains(id) { boundsOK.insert(id) }
                    if let cur = lower[id] { lower[id] = less(mn, cur, field.type) ? mn : cur } else { lower[id] = mn }
                    if let cur = upper[id] { upper[id] = less(cur, mx, field.type) ? mx : cur } else { upper[id] = mx }
                } else {
                    boundsOK.remove(id)
                }
            }
            first = false
            boundsOK.formIntersection(seen)
            nullsOK.formIntersection(seen)
        }
        file.nullValueCounts = file.nullValueCounts.filter { nullsOK.contains($0.key) }
        file.lowerBounds = lower.filter { boundsOK.contains($0.key) }
        file.upperBounds = upper.filter { boundsOK.contains($0.key) }
    }

    /// Whether a timestamp column is stored in microseconds (Iceberg's unit).
    private static func isMicros(_ meta: ColumnMetaData, footer: FileMetaData, name: String) -> Bool {
        guard let element = footer.schema.first(where: { $0.name == name }) else { return false }
        if case .timestamp(_, let unit)? = element.logicalType { return unit == .micros }
        return false
    }

    /// Compares two encoded values of `type` (for merging row groups' bounds).
    private static func less(_ a: [UInt8], _ b: [UInt8], _ type: IcebergType) -> Bool {
        func le(_ x: [UInt8]) -> UInt64 { x.reversed().reduce(0) { $0 << 8 | UInt64($1) } }
        switch type {
        case .int, .date:
            return Int32(truncatingIfNeeded: le(a)) < Int32(truncatingIfNeeded: le(b))
        case .long, .timestamp, .timestamptz:
            return Int64(bitPattern: le(a)) < Int64(bitPattern: le(b))
        case .float:
            return Float(bitPattern: UInt32(truncatingIfNeeded: le(a))) < Float(bitPattern: UInt32(truncatingIfNeeded: le(b)))
        case .double:
            return Double(bitPattern: le(a)) < Double(bitPattern: le(b))
        default:
            return a.lexicographicallyPrecedes(b)
        }
    }
}

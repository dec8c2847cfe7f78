import Foundation
import ObjectStore
import Parquet

/// Record count and column metrics of a Parquet base file, from its footer only (two
/// ranged gets), mapped to Iceberg field ids by column path.
enum FooterStats {
    /// A source over the footer bytes fetched; other reads fail.
    private struct TailSource: ParquetSource {
        let size: Int
        let start: Int
        let tail: [UInt8]
        func read(offset: Int, length: Int) throws -> [UInt8] {
            if offset == 0 && length == 4 { return Array("PAR1".utf8) }
            guard offset >= start, offset + length <= start + tail.count else {
                throw CatalogError(.invalidTable, "footer read outside the fetched tail")
            }
            return Array(tail[(offset - start)..<(offset - start + length)])
        }
    }

    static func read(store: any ObjectStore, key: String, size: Int) async throws -> FileMetaData {
        guard size >= 12 else { throw CatalogError(.invalidTable, "\(key) is too small to be Parquet") }
        let last = [UInt8](try await store.get(key, range: (size - 8)..<size))
        let length = Int(UInt32(last[0]) | UInt32(last[1]) << 8 | UInt32(last[2]) << 16 | UInt32(last[3]) << 24)
        guard length > 0, length <= size - 12 else { throw CatalogError(.invalidTable, "\(key): bad footer length \(length)") }
        let start = size - 8 - length
        let tail = [UInt8](try await store.get(key, range: start..<size))
        return try ParquetFileReader(source: TailSource(size: size, start: start, tail: tail)).metadata
    }

    /// A leaf column's Iceberg field, and whether it lies in a list or a map.
    struct Leaf {
        var id: Int
        var type: IcebergType
        var repeated: Bool
    }

    /// The leaf columns of `schema` by Parquet path (our writer's standard layouts: a
    /// list's element under `list`, a map's key and value under `key_value`).
    static func leaves(of schema: IcebergSchema) -> [[String]: Leaf] {
        var out: [[String]: Leaf] = [:]
        func visit(_ id: Int, _ type: IcebergType, _ path: [String], _ repeated: Bool) {
            let children = type.children
            guard !children.isEmpty else {
                out[path] = Leaf(id: id, type: type, repeated: repeated)
                return
            }
            var group: [String] = []
            if case .list = type { group = ["list"] }
            if case .map = type { group = ["key_value"] }
            for c in children { visit(c.id, c.type, path + group + [c.name], repeated || !group.isEmpty) }
        }
        for f in schema.fields { visit(f.id, f.type, [f.name], false) }
        return out
    }

    /// Fills `file`'s record count and metrics from `footer`, keyed by each leaf column's
    /// field id. Leaves inside a list or a map get their size only: their Parquet counts
    /// are of entries (an empty or null list counts as a null element) and Iceberg cannot
    /// filter on them anyway; leaves of structs get counts and bounds like top-level columns.
    static func apply(_ footer: FileMetaData, schema: IcebergSchema, to file: inout IcebergDataFile) {
        file.recordCount = footer.numRows
        let leaves = leaves(of: schema)
        let elements = Dictionary(((try? Parquet.Schema(elements: footer.schema))?.columns ?? []).map { ($0.path, $0.element) },
                                  uniquingKeysWith: { a, _ in a })
        var boundsOK: Set<Int> = []
        var nullsOK: Set<Int> = []
        var lower: [Int: [UInt8]] = [:]
        var upper: [Int: [UInt8]] = [:]
        var first = true
        for group in footer.rowGroups {
            var seen: Set<Int> = []
            for chunk in group.columns {
                guard let meta = chunk.metaData, let leaf = leaves[meta.pathInSchema] else { continue }
                let id = leaf.id
                file.columnSizes[id, default: 0] += meta.totalCompressedSize
                if leaf.repeated { continue }
                seen.insert(id)
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
                switch leaf.type {
                case .timestamptz, .timestamp:
                    if case .timestamp(_, let unit)? = elements[meta.pathInSchema]?.logicalType { comparable = unit == .micros } else { comparable = false }
                case .boolean, .int, .long, .float, .double, .date, .string, .binary:
                    comparable = true
                default:
                    comparable = false
                }
                if comparable, let s = stats, !s.isLegacy, let mn = s.min, let mx = s.max {
                    if first || boundsOK.contains(id) { boundsOK.insert(id) }
                    if let cur = lower[id] { lower[id] = less(mn, cur, leaf.type) ? mn : cur } else { lower[id] = mn }
                    if let cur = upper[id] { upper[id] = less(cur, mx, leaf.type) ? mx : cur } else { upper[id] = mx }
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

import Foundation
@testable import Parquet
import TributaryCore

/// A random table of nested (and some flat) fields: the columns to write and the values
/// every reader must see.
struct NestedTable {
    var fields: [Field]
    var columns: [FieldColumn]
    var expected: [[ParquetValue]]

    var expectedLines: [String] {
        let names = fields.map(\.name)
        return expected.map { renderJSONLine(names: names, row: $0) }
    }

    /// The Arrow schema pyarrow must report (oracle/nested.py's signature).
    var signature: String { fields.map(NestedData.signature).joined(separator: ",") }
}

enum NestedData {
    static func signature(_ f: Field) -> String { "\(f.name):\(signature(f.type))\(f.nullable ? "" : "!")" }

    static func signature(_ t: FieldType) -> String {
        switch t {
        case .group(let children): return "struct<\(children.map(signature).joined(separator: ","))>"
        case .list(let element): return "list<\(signature(element))>"
        case .map(let key, let value): return "map<\(signature(key)),\(signature(value))>"
        default: return RoundTripTests.arrowType(t)
        }
    }

    /// A random type, nested up to `maxDepth` levels below `depth`; `nested` forces a group, list or map.
    static func randomType(_ r: inout SeededRandom, depth: Int, maxDepth: Int, nested: Bool = false) -> FieldType {
        if !nested && (depth >= maxDepth || Double.random(in: 0..<1, using: &r) < 0.3) {
            return RandomTable.randomType(&r)
        }
        let nullable = { (r: inout SeededRandom) in Double.random(in: 0..<1, using: &r) < 0.8 }
        switch Int.random(in: 0..<3, using: &r) {
        case 0:
            let n = Int.random(in: 1...4, using: &r)
            return .group((0..<n).map { i in
                Field("f\(i)", randomType(&r, depth: depth + 1, maxDepth: maxDepth), nullable: nullable(&r))
            })
        case 1:
            return .list(Field("element", randomType(&r, depth: depth + 1, maxDepth: maxDepth), nullable: nullable(&r)))
        default:
            let key: FieldType = [.string, .int32, .int64][Int.random(in: 0..<3, using: &r)]
            return .map(key: Field("key", key, nullable: false),
                        value: Field("value", randomType(&r, depth: depth + 1, maxDepth: maxDepth), nullable: nullable(&r)))
        }
    }

    static func generate(seed: UInt64) throws -> NestedTable {
        var r = SeededRandom(seed: seed)
        let maxDepth = Int.random(in: 2...4, using: &r)
        let rowCount = [0, 1, 3, 40, 300, 1500][Int.random(in: 0..<6, using: &r)]
        var gen = NestedValueGen(r: SeededRandom(seed: r.next()), nullRate: [0.0, 0.2, 0.5][Int.random(in: 0..<3, using: &r)])
        var fields: [Field] = []
        var columns: [FieldColumn] = []
        var rows = [[ParquetValue]](repeating: [], count: rowCount)
        for f in 0..<Int.random(in: 1...5, using: &r) {
            // The first field is always nested; the others sometimes flat.
            let type = randomType(&r, depth: 0, maxDepth: maxDepth, nested: f == 0)
            let field = Field("c\(f)", type, nullable: Double.random(in: 0..<1, using: &r) < 0.8)
            fields.append(field)
            if type.isNested {
                var builder = try NestedColumnBuilder(field)
                for row in 0..<rowCount { rows[row].append(try gen.value(field, into: &builder)) }
                columns.append(.nested(try builder.finish()))
            } else {
                var values = ValueGen(type: type)
                var validity: [Bool] = []
                for row in 0..<rowCount {
                    let valid = !field.nullable || Double.random(in: 0..<1, using: &r) >= gen.nullRate
                    let v = values.append(valid: valid, using: &r)
                    validity.append(valid)
                    rows[row].append(valid ? v : .null)
                }
                columns.append(.flat(Column(values.values, validity: field.nullable ? validity : nil)))
            }
        }
        return NestedTable(fields: fields, columns: columns, expected: rows)
    }
}

/// Random values of a nested field, appended to a builder the way a decoder would: group
/// fields in any order, null fields sometimes left out.
struct NestedValueGen {
    var r: SeededRandom
    let nullRate: Double

    private mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &r) < p }

    mutating func value(_ field: Field, into b: inout NestedColumnBuilder) throws -> ParquetValue {
        if field.nullable && chance(nullRate) {
            try b.appendNull()
            return .null
        }
        switch field.type {
        case .group(let children):
            try b.beginGroup()
            var values = [ParquetValue](repeating: .null, count: children.count)
            for i in children.indices.shuffled(using: &r) {
                if children[i].nullable && chance(nullRate / 2) { continue }  // left out: null
                try b.field(i)
                values[i] = try value(children[i], into: &b)
            }
            try b.endGroup()
            return .record(zip(children, values).map { ParquetValue.NamedValue(name: $0.name, value: $1) })
        case .list(let element):
            let n = [0, 0, 1, 2, 3, 5, 12][Int.random(in: 0..<7, using: &r)]
            try b.beginList()
            var items: [ParquetValue] = []
            for _ in 0..<n { items.append(try value(element, into: &b)) }
            try b.endList()
            return .list(items)
        case .map(let key, let valueField):
            let n = [0, 1, 2, 4][Int.random(in: 0..<4, using: &r)]
            try b.beginMap()
            var entries: [ParquetValue.MapEntry] = []
            for k in Array(0..<40).shuffled(using: &r).prefix(n) {
                let keyValue: ParquetValue
                switch key.type {
                case .int32: try b.append(Int32(k - 20)); keyValue = .int(Int64(k - 20))
                case .int64: try b.append(Int64(k) * 1_000_000_007); keyValue = .int(Int64(k) * 1_000_000_007)
                default: try b.append("k\(k)"); keyValue = .string("k\(k)")
                }
                entries.append(ParquetValue.MapEntry(key: keyValue, value: try value(valueField, into: &b)))
            }
            try b.endMap()
            return .map(entries)
        default:
            var gen = ValueGen(type: field.type)
            let v = gen.append(valid: true, using: &r)
            switch field.type.physicalType {
            case .boolean: try b.append(gen.bools[0])
            case .int32: try b.append(gen.i32[0])
            case .int64: try b.append(gen.i64[0])
            case .float: try b.append(gen.f32[0])
            case .double: try b.append(gen.f64[0])
            case .byteArray, .fixedLenByteArray, .int96: try Array(gen.bytes[0]).withUnsafeBytes { try b.append(bytes: $0) }
            }
            return v
        }
    }
}

extension ShreddedLeaf {
    /// Same levels and the same values where defined (placeholders may differ; NaN bitwise).
    func sameData(_ o: ShreddedLeaf) -> Bool {
        guard definitionLevels == o.definitionLevels, repetitionLevels == o.repetitionLevels,
              maxDefinitionLevel == o.maxDefinitionLevel, maxRepetitionLevel == o.maxRepetitionLevel,
              entryCount == o.entryCount else { return false }
        let defined = column.validity
        func same<T: Equatable>(_ a: [T], _ b: [T]) -> Bool {
            a.indices.allSatisfy { defined?[$0] == false || a[$0] == b[$0] }
        }
        switch (values, o.values) {
        case (.boolean(let a), .boolean(let b)): return same(a, b)
        case (.int32(let a), .int32(let b)): return same(a, b)
        case (.int64(let a), .int64(let b)): return same(a, b)
        case (.float(let a), .float(let b)): return same(a.map(\.bitPattern), b.map(\.bitPattern))
        case (.double(let a), .double(let b)): return same(a.map(\.bitPattern), b.map(\.bitPattern))
        case (.byteArray(let a), .byteArray(let b)), (.fixedLenByteArray(let a), .fixedLenByteArray(let b)):
            return (0..<a.count).allSatisfy { defined?[$0] == false || a[$0] == b[$0] }
        default: return false
        }
    }
}

extension NestedData {
    /// A nested column from value trees (records by field name; any leaf value our reader
    /// returns for the model's types).
    static func column(_ field: Field, _ rows: [ParquetValue]) throws -> FieldColumn {
        var b = try NestedColumnBuilder(field)
        for row in rows { try shred(row, field, into: &b) }
        return .nested(try b.finish())
    }

    static func shred(_ v: ParquetValue, _ field: Field, into b: inout NestedColumnBuilder) throws {
        switch (v, field.type) {
        case (.null, _): try b.appendNull()
        case (.record(let values), .group(let children)):
            try b.beginGroup()
            for named in values {
                guard let i = b.fieldIndex(named.name) else { throw NestedColumnError("no field \(named.name)") }
                try b.field(i)
                try shred(named.value, children[i], into: &b)
            }
            try b.endGroup()
        case (.list(let items), .list(let element)):
            try b.beginList()
            for item in items { try shred(item, element, into: &b) }
            try b.endList()
        case (.map(let entries), .map(let key, let value)):
            try b.beginMap()
            for e in entries {
                try shred(e.key, key, into: &b)
                try shred(e.value, value, into: &b)
            }
            try b.endMap()
        case (.int(let x), _): field.type.physicalType == .int32 ? try b.append(Int32(x)) : try b.append(x)
        case (.string(let s), _): try b.append(s)
        case (.double(let x), _): try b.append(x)
        case (.float(let x), _): try b.append(x)
        case (.bool(let x), _): try b.append(x)
        case (.bytes(let x), _): try x.withUnsafeBytes { try b.append(bytes: $0) }
        case (.date(let x), _): try b.append(x)
        case (.timestamp(let x, _, _), _): try b.append(x)
        case (.decimal(let text), _):
            // Unscaled digits of the exact text, stored as the field's decimal storage.
            let unscaled = Int128(text.filter { $0 != "." }) ?? 0
            switch field.type.physicalType {
            case .int32: try b.append(Int32(unscaled))
            case .int64: try b.append(Int64(unscaled))
            default:
                let width = field.type.typeLength ?? 16
                try (0..<width).reversed().map { UInt8(truncatingIfNeeded: unscaled >> (8 * $0)) }.withUnsafeBytes { try b.append(bytes: $0) }
            }
        default: throw NestedColumnError("cannot shred \(v) as \(field.type)")
        }
    }
}

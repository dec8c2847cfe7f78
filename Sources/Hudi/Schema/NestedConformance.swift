import Parquet
import TributaryCore

/// Nested data written under an older shape of a field, read as the evolved field
/// (``SchemaEvolution/evolvedFields(_:tableFields:refuseRemovedMembers:)``): members in the
/// evolved order, members the data lacks as null, nullability widened. Shredded leaves are
/// rewritten level by level (a rewrite of an old file copies no record); row values (our
/// reader) member by member.
enum NestedConformance {
    /// `data` (shredded as `source`) shredded as `target`. A leaf of `target` that `source`
    /// has keeps its values and repetition levels, its definition levels renumbered for any
    /// node that became nullable. A new leaf copies the levels of a leaf under its deepest
    /// existing ancestor, cut at that ancestor: null wherever the ancestor is present.
    static func conform(_ data: NestedColumn, from source: Field, to target: Field) throws -> NestedColumn {
        let sourceLeaves = Self.leaves(of: source)
        let targetLeaves = Self.leaves(of: target)
        guard sourceLeaves.count == data.leaves.count else {
            throw HudiError(.corrupt, "nested column \(source.name) has \(data.leaves.count) leaves for \(sourceLeaves.count) in its schema")
        }
        let sourceIndex = Dictionary(sourceLeaves.enumerated().map { ($1.names, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [ShreddedLeaf] = []
        for t in targetLeaves {
            if let s = sourceIndex[t.names] {
                out.append(try renumbered(data.leaves[s], from: sourceLeaves[s], to: t, keptNodes: t.names.count))
                continue
            }
            // The deepest ancestor the source has, and a source leaf below it.
            var kept = t.names.count - 1
            var sibling: Int?
            while kept > 0, sibling == nil {
                let prefix = Array(t.names.prefix(kept))
                sibling = sourceLeaves.firstIndex { Array($0.names.prefix(kept)) == prefix }
                if sibling == nil { kept -= 1 }
            }
            guard let s = sibling else {
                throw HudiError(.corrupt, "nested column \(source.name) shares no node with member \(t.names.joined(separator: "."))")
            }
            var leaf = try renumbered(data.leaves[s], from: sourceLeaves[s], to: t, keptNodes: kept)
            leaf.values = ColumnGather.nulls(t.type, count: leaf.entryCount).values
            out.append(leaf)
        }
        return NestedColumn(leaves: out, rowCount: data.rowCount)
    }

    /// `data` as `target` when `source` is shaped otherwise (other leaves, order or levels).
    static func conformIfNeeded(_ data: NestedColumn, from source: Field, to target: Field) throws -> NestedColumn {
        let a = leaves(of: source), b = leaves(of: target)
        if a.map(\.names) == b.map(\.names), a.map(\.steps) == b.map(\.steps) { return data }
        return try conform(data, from: source, to: target)
    }

    /// Row values of top-level columns `names` (`rows[r][k]` of column `names[k]`) read as
    /// the table's `fields` (nested ones conformed, the others as they are).
    static func conform(rows: inout [[ParquetValue]], names: [String], to fields: [Field]) {
        let nested = Dictionary(fields.filter(\.type.isNested).map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a })
        for (k, name) in names.enumerated() {
            guard let type = nested[name] else { continue }
            for r in rows.indices { rows[r][k] = conform(rows[r][k], to: type) }
        }
    }

    /// One level step of a leaf's path: node `node` (0: the top-level field) being non-null
    /// (`repeated` false) or, for a list or map, having an entry (`repeated` true).
    struct Step: Comparable {
        var node: Int
        var repeated: Bool
        static func < (a: Step, b: Step) -> Bool { (a.node, a.repeated ? 1 : 0) < (b.node, b.repeated ? 1 : 0) }
    }

    /// A leaf of a nested field: its node names from the top-level field, its steps, its type.
    struct LeafPath {
        var names: [String]
        var steps: [Step]
        var type: FieldType
    }

    /// The leaves of `field` in ``NestedLayout``'s depth-first order.
    static func leaves(of field: Field) -> [LeafPath] {
        var out: [LeafPath] = []
        func walk(_ f: Field, names: [String], steps: [Step]) {
            let node = names.count
            var steps = steps
            if f.nullable { steps.append(Step(node: node, repeated: false)) }
            let names = names + [f.name]
            switch f.type {
            case .group(let members):
                for m in members { walk(m, names: names, steps: steps) }
            case .list(let element):
                walk(element, names: names, steps: steps + [Step(node: node, repeated: true)])
            case .map(let key, let value):
                let entry = steps + [Step(node: node, repeated: true)]
                walk(key, names: names + ["key"], steps: entry)
                walk(value, names: names + ["value"], steps: entry)
            default:
                out.append(LeafPath(names: names, steps: steps, type: f.type))
            }
        }
        walk(field, names: [], steps: [])
        return out
    }

    /// `leaf` (levels of `source`) with the levels of `target`, counting only the nodes
    /// before `keptNodes`: entries repeating a deeper list are dropped, and a definition
    /// level reaching past the kept nodes stops at the last of them.
    static func renumbered(_ leaf: ShreddedLeaf, from source: LeafPath, to target: LeafPath, keptNodes: Int) throws -> ShreddedLeaf {
        let entries = leaf.entryCount
        let keptSource = source.steps.filter { $0.node < keptNodes }
        let keptTarget = target.steps.filter { $0.node < keptNodes }
        let maxRepetition = keptSource.filter(\.repeated).count
        // Target definition level per source level: the target steps before the first
        // source step the entry does not reach.
        let definitionMap: [UInt8] = (0...max(leaf.maxDefinitionLevel, 0)).map { d in
            let next = d < source.steps.count && source.steps[d].node < keptNodes ? source.steps[d] : nil
            return UInt8(keptTarget.filter { step in next.map { step < $0 } ?? true }.count)
        }
        let targetMaxDefinition = target.steps.count
        let targetMaxRepetition = target.steps.filter(\.repeated).count
        var definitions: [UInt8] = []
        var repetitions: [UInt8] = []
        var keep: [Int] = []
        keep.reserveCapacity(entries)
        for e in 0..<entries {
            let r = leaf.repetitionLevels.isEmpty ? 0 : leaf.repetitionLevels[e]
            guard Int(r) <= maxRepetition else { continue }
            keep.append(e)
            let d = leaf.definitionLevels.isEmpty ? leaf.maxDefinitionLevel : Int(leaf.definitionLevels[e])
            if targetMaxDefinition > 0 { definitions.append(definitionMap[d]) }
            if targetMaxRepetition > 0 { repetitions.append(r) }
        }
        let values = keep.count == entries ? leaf.values
            : try ColumnGather.gather([Column(leaf.values)], keep.map { RowPick(source: 0, row: UInt32($0)) }, type: leaf.values.physicalType).values
        return ShreddedLeaf(values: values, definitionLevels: definitions, repetitionLevels: repetitions,
                            maxDefinitionLevel: targetMaxDefinition, maxRepetitionLevel: targetMaxRepetition)
    }

    /// A row value read from a file of an older shape as `type` (members in `type`'s order,
    /// missing members null), so every file of a table reads with the table's schema.
    static func conform(_ value: ParquetValue, to type: FieldType) -> ParquetValue {
        switch (value, type) {
        case (.record(let members), .group(let fields)):
            return .record(fields.map { f in
                ParquetValue.NamedValue(name: f.name, value: members.first { $0.name == f.name }.map { conform($0.value, to: f.type) } ?? .null)
            })
        case (.list(let elements), .list(let element)):
            return .list(elements.map { conform($0, to: element.type) })
        case (.map(let entries), .map(_, let v)):
            return .map(entries.map { ParquetValue.MapEntry(key: $0.key, value: conform($0.value, to: v.type)) })
        default:
            return value
        }
    }
}

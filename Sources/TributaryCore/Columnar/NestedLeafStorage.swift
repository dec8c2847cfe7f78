/// What `NestedColumnBuilder` appends to: its layout as plain values and a buffer per leaf.

/// A layout node as plain values, for the append path.
struct NodeInfo: Sendable {
    enum Kind: UInt8, Sendable { case leaf, group, list, map }
    var kind = Kind.leaf
    var nullable: Bool
    /// Definition level when present.
    var definition: UInt8
    /// Lists and maps: repetition level of their later entries.
    var repetition: UInt8
    /// Leaf: leaf index. List: element node. Map: key node. Group: first slot in `children`.
    var a: Int32 = 0
    /// Map: value node. Group: number of children.
    var b: Int32 = 0
    var leafStart: Int32
    var leafEnd: Int32

    static func table(_ layout: NestedLayout) -> ([NodeInfo], [Int32]) {
        var children: [Int32] = []
        let nodes = layout.nodes.map { n -> NodeInfo in
            // A leaf until the switch says otherwise.
            var info = NodeInfo(nullable: n.field.nullable, definition: UInt8(n.definitionLevel), repetition: UInt8(n.repetitionLevel),
                                leafStart: Int32(n.leaves.lowerBound), leafEnd: Int32(n.leaves.upperBound))
            switch n.kind {
            case .leaf(let l): info.a = Int32(l)
            case .group(let ids):
                info.kind = .group
                info.a = Int32(children.count)
                info.b = Int32(ids.count)
                children += ids.map { Int32($0) }
            case .list(let element):
                info.kind = .list
                info.a = Int32(element)
            case .map(let key, let value):
                info.kind = .map
                info.a = Int32(key)
                info.b = Int32(value)
            }
            return info
        }
        return (nodes, children)
    }
}

/// Values and levels of one leaf while building.
struct LeafBuilder: Sendable {
    var buffer: ValueBuffer
    let maxDefinition: Int
    let maxRepetition: Int
    var definitions: [UInt8] = []
    var repetitions: [UInt8] = []

    init(_ leaf: NestedLayout.Leaf) {
        buffer = ValueBuffer(type: leaf.field.type.physicalType, fixedWidth: leaf.field.type.typeLength ?? 0)
        maxDefinition = leaf.maxDefinitionLevel
        maxRepetition = leaf.maxRepetitionLevel
    }

    var type: PhysicalType { buffer.type }
    var width: Int { buffer.fixedWidth }
    var count: Int { buffer.count }

    mutating func reserve(_ n: Int) {
        buffer.reserve(n)
        if maxDefinition > 0 { definitions.reserveCapacity(n) }
        if maxRepetition > 0 { repetitions.reserveCapacity(n) }
    }

    mutating func levels(definition: UInt8, repetition: UInt8) {
        if maxDefinition > 0 { definitions.append(definition) }
        if maxRepetition > 0 { repetitions.append(repetition) }
    }

    mutating func placeholder() { buffer.appendPlaceholder() }

    mutating func truncate(_ n: Int) {
        guard n < count else { return }
        buffer.truncate(n)
        if maxDefinition > 0 { definitions.removeLast(definitions.count - n) }
        if maxRepetition > 0 { repetitions.removeLast(repetitions.count - n) }
    }

    var leaf: ShreddedLeaf {
        ShreddedLeaf(values: buffer.values, definitionLevels: definitions, repetitionLevels: repetitions,
                     maxDefinitionLevel: maxDefinition, maxRepetitionLevel: maxRepetition)
    }
}

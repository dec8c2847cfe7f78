/// What `NestedColumnBuilder` appends to: its layout as plain values and a buffer per leaf.

/// A layout node as plain values, for the append path.
struct NodeInfo: Sendable {
    enum Kind: UInt8, Sendable { case leaf, group, list, map }
    var kind: Kind
    var nullable: Bool
    /// Definition level when present.
    var definition: UInt8
    /// Lists and maps: repetition level of their later entries.
    var repetition: UInt8
    /// Leaf: leaf index. List: element node. Map: key node. Group: first slot in `children`.
    var a: Int32
    /// Map: value node. Group: number of children.
    var b: Int32
    var leafStart: Int32
    var leafEnd: Int32

    static func table(_ layout: NestedLayout) -> ([NodeInfo], [Int32]) {
        var children: [Int32] = []
        let nodes = layout.nodes.map { n -> NodeInfo in
            var info = NodeInfo(kind: .leaf, nullable: n.field.nullable, definition: UInt8(n.definitionLevel),
                                repetition: UInt8(n.repetitionLevel), a: 0, b: 0,
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

/// Values and levels of one leaf while building (one array per physical type, so appends
/// stay in place instead of copying an enum payload).
struct LeafBuilder: Sendable {
    let type: PhysicalType
    let width: Int
    let maxDefinition: Int
    let maxRepetition: Int
    var bools: [Bool] = []
    var i32: [Int32] = []
    var i64: [Int64] = []
    var f32: [Float] = []
    var f64: [Double] = []
    var bytes = ByteArrays()
    var definitions: [UInt8] = []
    var repetitions: [UInt8] = []

    init(_ leaf: NestedLayout.Leaf) {
        type = leaf.field.type.physicalType
        width = leaf.field.type.typeLength ?? 0
        maxDefinition = leaf.maxDefinitionLevel
        maxRepetition = leaf.maxRepetitionLevel
    }

    var count: Int {
        switch type {
        case .boolean: return bools.count
        case .int32: return i32.count
        case .int64: return i64.count
        case .int96: return 0
        case .float: return f32.count
        case .double: return f64.count
        case .byteArray, .fixedLenByteArray: return bytes.count
        }
    }

    mutating func reserve(_ n: Int) {
        switch type {
        case .boolean: bools.reserveCapacity(n)
        case .int32: i32.reserveCapacity(n)
        case .int64: i64.reserveCapacity(n)
        case .float: f32.reserveCapacity(n)
        case .double: f64.reserveCapacity(n)
        case .byteArray, .fixedLenByteArray, .int96: bytes.offsets.reserveCapacity(n + 1)
        }
        if maxDefinition > 0 { definitions.reserveCapacity(n) }
        if maxRepetition > 0 { repetitions.reserveCapacity(n) }
    }

    mutating func levels(definition: UInt8, repetition: UInt8) {
        if maxDefinition > 0 { definitions.append(definition) }
        if maxRepetition > 0 { repetitions.append(repetition) }
    }

    mutating func placeholder() {
        switch type {
        case .boolean: bools.append(false)
        case .int32: i32.append(0)
        case .int64: i64.append(0)
        case .float: f32.append(0)
        case .double: f64.append(0)
        case .byteArray, .fixedLenByteArray, .int96: bytes.appendEmpty()
        }
    }

    mutating func truncate(_ n: Int) {
        guard n < count else { return }
        switch type {
        case .boolean: bools.removeLast(bools.count - n)
        case .int32: i32.removeLast(i32.count - n)
        case .int64: i64.removeLast(i64.count - n)
        case .float: f32.removeLast(f32.count - n)
        case .double: f64.removeLast(f64.count - n)
        case .byteArray, .fixedLenByteArray, .int96:
            bytes.data.removeLast(bytes.data.count - Int(bytes.offsets[n]))
            bytes.offsets.removeLast(bytes.offsets.count - n - 1)
        }
        if maxDefinition > 0 { definitions.removeLast(definitions.count - n) }
        if maxRepetition > 0 { repetitions.removeLast(repetitions.count - n) }
    }

    var leaf: ShreddedLeaf {
        let values: ColumnValues
        switch type {
        case .boolean: values = .boolean(bools)
        case .int32: values = .int32(i32)
        case .int64: values = .int64(i64)
        case .int96: values = .int96([])
        case .float: values = .float(f32)
        case .double: values = .double(f64)
        case .byteArray: values = .byteArray(bytes)
        case .fixedLenByteArray: values = .fixedLenByteArray(bytes)
        }
        return ShreddedLeaf(values: values, definitionLevels: definitions, repetitionLevels: repetitions,
                            maxDefinitionLevel: maxDefinition, maxRepetitionLevel: maxRepetition)
    }
}

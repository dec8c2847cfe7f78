/// Shreds values into a ``NestedColumn`` as a decoder walks a record, without allocating
/// per value: each call appends one level entry (and value slot) to the leaves it
/// touches. One value per row at the top; inside a group, `field(_:)` selects the child
/// the next value belongs to; inside a list every value is an element; inside a map,
/// values alternate key, value.
///
///     // tags: list<string>, customer: {name: string, address: {city: string}}
///     try tags.beginList(); try tags.append("a"); try tags.append("b"); try tags.endList()
///     try customer.beginGroup()
///     try customer.field(0); try customer.append("Ada")
///     try customer.endGroup()      // `address`, not given, is null
///
/// After an error the builder is mid-row: call `cancelRow()` to drop the partial row.
public struct NestedColumnBuilder: Sendable {
    public let field: Field
    public let layout: NestedLayout
    private var leaves: [LeafBuilder]
    /// Open groups, lists and maps, innermost last (capacity kept between rows).
    private var frames: [Frame] = []
    /// Per node: the open group received a value for it.
    private var given: [Bool]
    /// Entries per leaf when the current row started (for `cancelRow`).
    private var rowMarks: [Int]
    /// A row has started and is not complete.
    private var rowOpen = false
    public private(set) var rowCount = 0

    private struct Frame {
        var node: Int
        /// Repetition level of the first entries inside this frame.
        var repetition: UInt8
        /// Lists and maps: entries completed so far.
        var count = 0
        /// Groups: the child node the next value is for (-1: none). Maps: 0 key next, 1 value next.
        var child = -1
    }

    public init(_ field: Field) throws {
        self.field = field
        layout = try NestedLayout(field)
        leaves = layout.leaves.map { LeafBuilder($0) }
        given = [Bool](repeating: false, count: layout.nodes.count)
        rowMarks = [Int](repeating: 0, count: layout.leaves.count)
    }

    /// Rows completed, plus the open one: for reserving.
    public mutating func reserve(rows: Int) {
        for i in leaves.indices { leaves[i].reserve(rows) }
    }

    // MARK: Values

    public mutating func appendNull() throws {
        let (node, repetition) = try target()
        guard layout.nodes[node].field.nullable else {
            throw NestedColumnError("\(path(node)) is required but got null")
        }
        appendEntries(below: node, definition: layout.nodes[node].definitionLevel - 1, repetition: repetition)
        completed()
    }

    public mutating func append(_ v: Bool) throws { try appendLeaf(.boolean) { $0.bools.append(v) } }
    public mutating func append(_ v: Int32) throws { try appendLeaf(.int32) { $0.i32.append(v) } }
    public mutating func append(_ v: Int64) throws { try appendLeaf(.int64) { $0.i64.append(v) } }
    public mutating func append(_ v: Float) throws { try appendLeaf(.float) { $0.f32.append(v) } }
    public mutating func append(_ v: Double) throws { try appendLeaf(.double) { $0.f64.append(v) } }

    /// Text for STRING/JSON leaves (or any BYTE_ARRAY leaf).
    public mutating func append(_ s: String) throws {
        var s = s
        try s.withUTF8 { try append(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Bytes for BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY leaves (big-endian unscaled decimals too).
    public mutating func append(bytes: UnsafeRawBufferPointer) throws {
        let (node, _) = try target()
        guard case .leaf(let l) = layout.nodes[node].kind else { throw mismatch(node, "bytes") }
        if leaves[l].type == .fixedLenByteArray {
            guard bytes.count == leaves[l].width else {
                throw NestedColumnError("\(path(node)) holds \(leaves[l].width)-byte values, got \(bytes.count) bytes")
            }
            try appendLeaf(.fixedLenByteArray) { $0.bytes.append(bytes) }
        } else {
            try appendLeaf(.byteArray) { $0.bytes.append(bytes) }
        }
    }

    // MARK: Groups, lists, maps

    /// Starts a present group; follow with `field(_:)` + value pairs, then `endGroup()`.
    public mutating func beginGroup() throws {
        let (node, repetition) = try target()
        guard case .group(let children) = layout.nodes[node].kind else { throw mismatch(node, "a group") }
        for c in children { given[c] = false }
        frames.append(Frame(node: node, repetition: repetition))
    }

    /// Index of the child named `name` of the open group, nil if it has none.
    public func fieldIndex(_ name: String) -> Int? {
        guard let f = frames.last, case .group(let children) = layout.nodes[f.node].kind else { return nil }
        return children.firstIndex { layout.nodes[$0].field.name == name }
    }

    /// The next value is for child `index` of the open group.
    public mutating func field(_ index: Int) throws {
        guard let i = frames.indices.last, case .group(let children) = layout.nodes[frames[i].node].kind else {
            throw NestedColumnError("field(\(index)) called outside a group of \(field.name)")
        }
        guard children.indices.contains(index) else { throw NestedColumnError("\(path(frames[i].node)) has no field \(index)") }
        let child = children[index]
        guard frames[i].child < 0 else { throw NestedColumnError("\(path(frames[i].child)) got no value") }
        guard !given[child] else { throw NestedColumnError("\(path(child)) given twice") }
        frames[i].child = child
    }

    /// Ends the open group; children not given are null (an error if required).
    public mutating func endGroup() throws {
        guard let f = frames.last, case .group(let children) = layout.nodes[f.node].kind else {
            throw NestedColumnError("endGroup() without an open group in \(field.name)")
        }
        guard f.child < 0 else { throw NestedColumnError("\(path(f.child)) got no value") }
        for c in children where !given[c] {
            guard layout.nodes[c].field.nullable else { throw NestedColumnError("required \(path(c)) is missing") }
            appendEntries(below: c, definition: layout.nodes[c].definitionLevel - 1, repetition: f.repetition)
        }
        frames.removeLast()
        completed()
    }

    /// Starts a present list: each value until `endList()` is an element.
    public mutating func beginList() throws {
        let (node, repetition) = try target()
        guard case .list = layout.nodes[node].kind else { throw mismatch(node, "a list") }
        frames.append(Frame(node: node, repetition: repetition))
    }

    public mutating func endList() throws {
        guard let f = frames.last, case .list = layout.nodes[f.node].kind else {
            throw NestedColumnError("endList() without an open list in \(field.name)")
        }
        try endRepeated(f)
    }

    /// Starts a present map: values until `endMap()` alternate key, value.
    public mutating func beginMap() throws {
        let (node, repetition) = try target()
        guard case .map = layout.nodes[node].kind else { throw mismatch(node, "a map") }
        frames.append(Frame(node: node, repetition: repetition, child: 0))
    }

    public mutating func endMap() throws {
        guard let f = frames.last, case .map = layout.nodes[f.node].kind else {
            throw NestedColumnError("endMap() without an open map in \(field.name)")
        }
        guard f.child == 0 else { throw NestedColumnError("\(path(f.node)) ends after a key without its value") }
        try endRepeated(f)
    }

    // MARK: Rows

    /// Drops the partly appended current row (after an error) and closes every open frame.
    public mutating func cancelRow() {
        guard rowOpen else { return }
        for i in leaves.indices { leaves[i].truncate(rowMarks[i]) }
        frames.removeAll(keepingCapacity: true)
        rowOpen = false
    }

    /// The rows appended so far; the builder starts over empty.
    public mutating func finish() throws -> NestedColumn {
        guard frames.isEmpty else { throw NestedColumnError("\(path(frames[frames.count - 1].node)) is still open") }
        let column = NestedColumn(leaves: leaves.map { $0.leaf }, rowCount: rowCount)
        leaves = layout.leaves.map { LeafBuilder($0) }
        rowCount = 0
        rowOpen = false
        return column
    }

    // MARK: Internals

    /// Where the next value goes: its node and the repetition level of its first entries.
    private mutating func target() throws -> (node: Int, repetition: UInt8) {
        guard let f = frames.last else {
            if !rowOpen {
                for i in leaves.indices { rowMarks[i] = leaves[i].count }
                rowOpen = true
            }
            return (0, 0)
        }
        let node = layout.nodes[f.node]
        let next = f.count == 0 ? f.repetition : UInt8(node.repetitionLevel)
        switch node.kind {
        case .group:
            guard f.child >= 0 else { throw NestedColumnError("a value inside \(path(f.node)) needs field(_:) first") }
            return (f.child, f.repetition)
        case .list(let element): return (element, next)
        case .map(let key, let value): return (f.child == 0 ? key : value, next)
        case .leaf: return (f.node, f.repetition)
        }
    }

    private mutating func appendLeaf(_ type: PhysicalType, _ write: (inout LeafBuilder) -> Void) throws {
        let (node, repetition) = try target()
        guard case .leaf(let l) = layout.nodes[node].kind, leaves[l].type == type else { throw mismatch(node, "\(type)") }
        write(&leaves[l])
        leaves[l].levels(definition: UInt8(layout.nodes[node].definitionLevel), repetition: repetition)
        completed()
    }

    /// One entry without a value in every leaf below `node`.
    private mutating func appendEntries(below node: Int, definition: Int, repetition: UInt8) {
        for l in layout.nodes[node].leaves {
            leaves[l].placeholder()
            leaves[l].levels(definition: UInt8(definition), repetition: repetition)
        }
    }

    private mutating func endRepeated(_ f: Frame) throws {
        if f.count == 0 {
            // Present but empty: one entry at the list's own definition level.
            appendEntries(below: f.node, definition: layout.nodes[f.node].definitionLevel, repetition: f.repetition)
        }
        frames.removeLast()
        completed()
    }

    /// A value for the current target is complete.
    private mutating func completed() {
        guard let i = frames.indices.last else {
            rowCount += 1
            rowOpen = false
            return
        }
        switch layout.nodes[frames[i].node].kind {
        case .group:
            given[frames[i].child] = true
            frames[i].child = -1
        case .map:
            if frames[i].child == 0 {
                frames[i].child = 1
            } else {
                frames[i].child = 0
                frames[i].count += 1
            }
        case .list, .leaf:
            frames[i].count += 1
        }
    }

    private func path(_ node: Int) -> String {
        let n = layout.nodes[node]
        if case .leaf(let l) = n.kind { return layout.leaves[l].path.joined(separator: ".") }
        return node == 0 ? field.name : n.field.name
    }

    private func mismatch(_ node: Int, _ got: String) -> NestedColumnError {
        let type: String
        switch layout.nodes[node].kind {
        case .leaf(let l): type = "\(leaves[l].type)"
        case .group: type = "a group"
        case .list: type = "a list"
        case .map: type = "a map"
        }
        return NestedColumnError("\(path(node)) is \(type), got \(got)")
    }
}

/// Values and levels of one leaf while building (one array per physical type, so appends
/// stay in place instead of copying an enum payload).
private struct LeafBuilder: Sendable {
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

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
    /// `layout.nodes` as plain values (no reference counting on the append path).
    private let nodes: [NodeInfo]
    /// Group children: `nodes[g].first ..< first + second` index into this.
    private let children: [Int32]
    private var leaves: [LeafBuilder]
    /// The innermost open group, list or map (a stored value: updated in place)...
    private var top: Frame?
    /// ...and the ones around it, innermost last (capacity kept between rows).
    private var outer: [Frame] = []
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
        (nodes, children) = NodeInfo.table(layout)
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
        guard nodes[node].nullable else {
            throw NestedColumnError("\(path(node)) is required but got null")
        }
        appendEntries(below: node, definition: nodes[node].definition &- 1, repetition: repetition)
        completed()
    }

    public mutating func append(_ v: Bool) throws { try appendLeaf(.boolean) { $0.buffer.bools.append(v) } }
    public mutating func append(_ v: Int32) throws { try appendLeaf(.int32) { $0.buffer.i32.append(v) } }
    public mutating func append(_ v: Int64) throws { try appendLeaf(.int64) { $0.buffer.i64.append(v) } }
    public mutating func append(_ v: Float) throws { try appendLeaf(.float) { $0.buffer.f32.append(v) } }
    public mutating func append(_ v: Double) throws { try appendLeaf(.double) { $0.buffer.f64.append(v) } }

    /// Text for STRING/JSON leaves (or any BYTE_ARRAY leaf).
    public mutating func append(_ s: String) throws {
        var s = s
        try s.withUTF8 { try append(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Bytes for BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY leaves (big-endian unscaled decimals too).
    public mutating func append(bytes: UnsafeRawBufferPointer) throws {
        let (node, _) = try target()
        guard nodes[node].kind == .leaf else { throw mismatch(node, "bytes") }
        let l = Int(nodes[node].a)
        if leaves[l].type == .fixedLenByteArray {
            guard bytes.count == leaves[l].width else {
                throw NestedColumnError("\(path(node)) holds \(leaves[l].width)-byte values, got \(bytes.count) bytes")
            }
            try appendLeaf(.fixedLenByteArray) { $0.buffer.bytes.append(bytes) }
        } else {
            try appendLeaf(.byteArray) { $0.buffer.bytes.append(bytes) }
        }
    }

    // MARK: Groups, lists, maps

    /// Starts a present group; follow with `field(_:)` + value pairs, then `endGroup()`.
    public mutating func beginGroup() throws {
        let (node, repetition) = try target()
        guard nodes[node].kind == .group else { throw mismatch(node, "a group") }
        for c in childRange(node) { given[Int(children[c])] = false }
        push(Frame(node: node, repetition: repetition))
    }

    /// Index of the child named `name` of the open group, nil if it has none.
    public func fieldIndex(_ name: String) -> Int? {
        guard let f = top, nodes[f.node].kind == .group else { return nil }
        return childRange(f.node).firstIndex { layout.nodes[Int(children[$0])].field.name == name }.map { $0 - childRange(f.node).lowerBound }
    }

    /// The next value is for child `index` of the open group.
    public mutating func field(_ index: Int) throws {
        guard let f = top, nodes[f.node].kind == .group else {
            throw NestedColumnError("field(\(index)) called outside a group of \(field.name)")
        }
        let range = childRange(f.node)
        guard index >= 0, index < range.count else { throw NestedColumnError("\(path(f.node)) has no field \(index)") }
        let child = Int(children[range.lowerBound + index])
        guard f.child < 0 else { throw NestedColumnError("\(path(f.child)) got no value") }
        guard !given[child] else { throw NestedColumnError("\(path(child)) given twice") }
        top?.child = child
    }

    /// Ends the open group; children not given are null (an error if required).
    public mutating func endGroup() throws {
        guard let f = top, nodes[f.node].kind == .group else {
            throw NestedColumnError("endGroup() without an open group in \(field.name)")
        }
        guard f.child < 0 else { throw NestedColumnError("\(path(f.child)) got no value") }
        for slot in childRange(f.node) {
            let c = Int(children[slot])
            guard !given[c] else { continue }
            guard nodes[c].nullable else { throw NestedColumnError("required \(path(c)) is missing") }
            appendEntries(below: c, definition: nodes[c].definition &- 1, repetition: f.repetition)
        }
        pop()
        completed()
    }

    /// Starts a present list: each value until `endList()` is an element.
    public mutating func beginList() throws {
        let (node, repetition) = try target()
        guard nodes[node].kind == .list else { throw mismatch(node, "a list") }
        push(Frame(node: node, repetition: repetition))
    }

    public mutating func endList() throws {
        guard let f = top, nodes[f.node].kind == .list else {
            throw NestedColumnError("endList() without an open list in \(field.name)")
        }
        try endRepeated(f)
    }

    /// Starts a present map: values until `endMap()` alternate key, value.
    public mutating func beginMap() throws {
        let (node, repetition) = try target()
        guard nodes[node].kind == .map else { throw mismatch(node, "a map") }
        push(Frame(node: node, repetition: repetition, child: 0))
    }

    public mutating func endMap() throws {
        guard let f = top, nodes[f.node].kind == .map else {
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
        top = nil
        outer.removeAll(keepingCapacity: true)
        rowOpen = false
    }

    /// The rows appended so far; the builder starts over empty.
    public mutating func finish() throws -> NestedColumn {
        if let f = top { throw NestedColumnError("\(path(f.node)) is still open") }
        let column = NestedColumn(leaves: leaves.map { $0.leaf }, rowCount: rowCount)
        leaves = layout.leaves.map { LeafBuilder($0) }
        rowCount = 0
        rowOpen = false
        return column
    }

    // MARK: Internals

    /// Where the next value goes: its node and the repetition level of its first entries.
    private mutating func target() throws -> (node: Int, repetition: UInt8) {
        guard let f = top else {
            if !rowOpen {
                for i in leaves.indices { rowMarks[i] = leaves[i].count }
                rowOpen = true
            }
            return (0, 0)
        }
        let node = nodes[f.node]
        let next = f.count == 0 ? f.repetition : node.repetition
        switch node.kind {
        case .group:
            guard f.child >= 0 else { throw NestedColumnError("a value inside \(path(f.node)) needs field(_:) first") }
            return (f.child, f.repetition)
        case .list: return (Int(node.a), next)
        case .map: return (Int(f.child == 0 ? node.a : node.b), next)
        case .leaf: return (f.node, f.repetition)
        }
    }

    private mutating func appendLeaf(_ type: PhysicalType, _ write: (inout LeafBuilder) -> Void) throws {
        let (node, repetition) = try target()
        let info = nodes[node]
        let l = Int(info.a)
        guard info.kind == .leaf, leaves[l].type == type else { throw mismatch(node, "\(type)") }
        write(&leaves[l])
        leaves[l].levels(definition: info.definition, repetition: repetition)
        completed()
    }

    /// One entry without a value in every leaf below `node`.
    private mutating func appendEntries(below node: Int, definition: UInt8, repetition: UInt8) {
        for l in Int(nodes[node].leafStart)..<Int(nodes[node].leafEnd) {
            leaves[l].placeholder()
            leaves[l].levels(definition: definition, repetition: repetition)
        }
    }

    private func childRange(_ node: Int) -> Range<Int> {
        Int(nodes[node].a)..<Int(nodes[node].a + nodes[node].b)
    }

    private mutating func endRepeated(_ f: Frame) throws {
        if f.count == 0 {
            // Present but empty: one entry at the list's own definition level.
            appendEntries(below: f.node, definition: nodes[f.node].definition, repetition: f.repetition)
        }
        pop()
        completed()
    }

    private mutating func push(_ frame: Frame) {
        if let t = top { outer.append(t) }
        top = frame
    }

    private mutating func pop() {
        top = outer.popLast()
    }

    /// A value for the current target is complete.
    private mutating func completed() {
        guard let f = top else {
            rowCount += 1
            rowOpen = false
            return
        }
        switch nodes[f.node].kind {
        case .group:
            given[f.child] = true
            top?.child = -1
        case .map:
            if f.child == 0 {
                top?.child = 1
            } else {
                top?.child = 0
                top?.count += 1
            }
        case .list, .leaf:
            top?.count += 1
        }
    }

    private func path(_ node: Int) -> String {
        let n = layout.nodes[node]
        if case .leaf(let l) = n.kind { return layout.leaves[l].path.joined(separator: ".") }
        return node == 0 ? field.name : n.field.name
    }

    private func mismatch(_ node: Int, _ got: String) -> NestedColumnError {
        let type: String
        switch nodes[node].kind {
        case .leaf: type = "\(leaves[Int(nodes[node].a)].type)"
        case .group: type = "a group"
        case .list: type = "a list"
        case .map: type = "a map"
        }
        return NestedColumnError("\(path(node)) is \(type), got \(got)")
    }
}

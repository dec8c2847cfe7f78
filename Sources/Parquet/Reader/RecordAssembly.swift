/// Position in one leaf column's levels and values during record assembly.
struct LeafCursor {
    let data: LeafColumnData
    let descriptor: ColumnDescriptor
    let converter: ValueConverter
    var entry = 0
    var value = 0

    init(data: LeafColumnData, descriptor: ColumnDescriptor) {
        self.data = data
        self.descriptor = descriptor
        self.converter = ValueConverter(descriptor: descriptor)
    }

    var atEnd: Bool { entry >= data.entryCount }
    var def: Int { data.definitionLevels.map { Int($0[entry]) } ?? descriptor.maxDefinitionLevel }
    var rep: Int { data.repetitionLevels.map { Int($0[entry]) } ?? 0 }
}

/// Rebuilds nested values from leaf levels (Dremel record assembly), following the
/// LIST/MAP backward-compatibility rules of the format.
struct RecordAssembler {
    var leaves: [Int: LeafCursor]

    /// The first leaf under `node`, whose levels stand for the whole subtree.
    private func firstLeaf(_ node: SchemaNode) -> Int {
        var n = node
        while n.leafIndex == nil {
            guard let c = n.children.first else { return -1 }
            n = c
        }
        return n.leafIndex ?? -1
    }

    private func peek(_ node: SchemaNode) throws -> LeafCursor {
        guard let c = leaves[firstLeaf(node)], !c.atEnd else {
            throw ParquetError(.corrupt, "levels of \(node.name) end before the rows do")
        }
        return c
    }

    /// Advances every leaf under `node` past one entry (a null or empty subtree).
    private mutating func skip(_ node: SchemaNode) throws {
        if let l = node.leafIndex {
            guard var c = leaves[l], !c.atEnd else { throw ParquetError(.corrupt, "levels of \(node.name) end early") }
            if c.def == c.descriptor.maxDefinitionLevel { c.value += 1 }
            c.entry += 1
            leaves[l] = c
            return
        }
        for child in node.children { try skip(child) }
    }

    /// Reads one value of `node` (with its own repetition) for the current parent instance.
    mutating func read(_ node: SchemaNode) throws -> ParquetValue {
        switch node.repetition {
        case .repeated:
            return .list(try readRepeated(node) { a, n in try a.readBody(n) })
        case .optional:
            if try peek(node).def < node.definitionLevel {
                try skip(node)
                return .null
            }
            return try readBody(node)
        case .required:
            return try readBody(node)
        }
    }

    /// Reads all instances of repeated `node` in the current parent instance.
    private mutating func readRepeated(_ node: SchemaNode, _ body: (inout RecordAssembler, SchemaNode) throws -> ParquetValue) throws -> [ParquetValue] {
        if try peek(node).def < node.definitionLevel {
            try skip(node)
            return []
        }
        var items: [ParquetValue] = []
        while true {
            items.append(try body(&self, node))
            guard let c = leaves[firstLeaf(node)] else { break }
            if c.atEnd || c.rep < node.repetitionLevel { break }
            guard c.rep == node.repetitionLevel else {
                throw ParquetError(.corrupt, "repetition level \(c.rep) unexpected in \(node.name)")
            }
        }
        return items
    }

    /// Reads a present node (ignoring its own optional/repeated marker).
    private mutating func readBody(_ node: SchemaNode) throws -> ParquetValue {
        if let l = node.leafIndex {
            guard var c = leaves[l], !c.atEnd else { throw ParquetError(.corrupt, "levels of \(node.name) end early") }
            defer { leaves[l] = c }
            c.entry += 1
            guard c.value < c.data.values.count else { throw ParquetError(.corrupt, "column \(node.name) has fewer values than levels say") }
            c.value += 1
            return c.converter.value(c.data.values, c.value - 1)
        }
        let annotation = node.element.logicalType
        let converted = node.element.convertedType
        if (annotation == .list || converted == .list), node.children.count == 1, node.children[0].repetition == .repeated {
            let rep = node.children[0]
            let elementIsGroup = !rep.isLeaf && rep.children.count == 1 && rep.name != "array" && rep.name != "\(node.name)_tuple"
            let items = try readRepeated(rep) { a, r in
                elementIsGroup ? try a.read(r.children[0]) : try a.readBody(r)
            }
            return .list(items)
        }
        if (annotation == .map || converted == .map || converted == .mapKeyValue), node.children.count == 1,
           node.children[0].repetition == .repeated, node.children[0].children.count == 2 {
            let kv = node.children[0]
            var entries: [ParquetValue.MapEntry] = []
            _ = try readRepeated(kv) { a, r in
                let k = try a.read(r.children[0])
                let v = try a.read(r.children[1])
                entries.append(ParquetValue.MapEntry(key: k, value: v))
                return .null
            }
            return .map(entries)
        }
        var fields: [ParquetValue.NamedValue] = []
        for child in node.children {
            fields.append(ParquetValue.NamedValue(name: child.name, value: try read(child)))
        }
        return .record(fields)
    }

    /// After all rows: every level and value must have been used.
    func checkFullyConsumed() throws {
        for (_, c) in leaves where !c.atEnd || c.value != c.data.values.count {
            throw ParquetError(.corrupt, "column \(c.descriptor.dottedPath) has \(c.data.entryCount - c.entry) levels and \(c.data.values.count - c.value) values left after the last row")
        }
    }
}

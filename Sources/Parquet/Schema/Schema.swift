import TributaryCore

/// A node of the schema tree: a group (with children) or a primitive leaf column.
public struct SchemaNode: Sendable {
    public var element: SchemaElement
    public var children: [SchemaNode]
    /// Index into `Schema.columns` for leaves.
    public var leafIndex: Int?
    /// Definition level when this node is present (optional and repeated ancestors, itself included).
    public var definitionLevel: Int
    /// Repetition level of this node (repeated ancestors, itself included).
    public var repetitionLevel: Int

    public var name: String { element.name }
    public var isLeaf: Bool { leafIndex != nil }
    public var repetition: Repetition { element.repetition ?? .required }
}

/// A leaf column: its path, type annotations and maximum levels.
public struct ColumnDescriptor: Sendable {
    public var path: [String]
    public var element: SchemaElement
    public var maxDefinitionLevel: Int
    public var maxRepetitionLevel: Int

    public var physicalType: PhysicalType { element.type ?? .int32 }
    public var typeLength: Int { Int(element.typeLength ?? 0) }
    /// Dotted path, e.g. `a.list.element`.
    public var dottedPath: String { path.joined(separator: ".") }

    /// The logical type, derived from the legacy converted type when only that is present.
    public var logicalType: LogicalType? {
        if let l = element.logicalType { return l }
        guard let c = element.convertedType else { return nil }
        switch c {
        case .utf8: return .string
        case .json: return .json
        case .bson: return .bson
        case .enumeration: return .enumeration
        case .decimal: return .decimal(precision: element.precision ?? 0, scale: element.scale ?? 0)
        case .date: return .date
        case .timeMillis: return .time(isAdjustedToUTC: true, unit: .millis)
        case .timeMicros: return .time(isAdjustedToUTC: true, unit: .micros)
        case .timestampMillis: return .timestamp(isAdjustedToUTC: true, unit: .millis)
        case .timestampMicros: return .timestamp(isAdjustedToUTC: true, unit: .micros)
        case .uint8: return .integer(bitWidth: 8, isSigned: false)
        case .uint16: return .integer(bitWidth: 16, isSigned: false)
        case .uint32: return .integer(bitWidth: 32, isSigned: false)
        case .uint64: return .integer(bitWidth: 64, isSigned: false)
        case .int8: return .integer(bitWidth: 8, isSigned: true)
        case .int16: return .integer(bitWidth: 16, isSigned: true)
        case .int32: return .integer(bitWidth: 32, isSigned: true)
        case .int64: return .integer(bitWidth: 64, isSigned: true)
        case .map, .mapKeyValue, .list, .interval: return nil
        }
    }
}

/// The schema of a file: the tree and its leaf columns in file order.
public struct Schema: Sendable {
    public var root: SchemaNode
    public var columns: [ColumnDescriptor]
    public var elements: [SchemaElement]

    /// Top-level fields.
    public var fields: [SchemaNode] { root.children }

    /// Builds the tree from the flattened footer list, validating child counts.
    public init(elements: [SchemaElement]) throws {
        guard let first = elements.first else { throw ParquetError(.corrupt, "empty schema") }
        var index = 1
        var columns: [ColumnDescriptor] = []
        func build(_ e: SchemaElement, path: [String], def: Int, rep: Int, depth: Int) throws -> SchemaNode {
            guard depth < 64 else { throw ParquetError(.corrupt, "schema nested too deeply") }
            let n = Int(e.numChildren ?? 0)
            var node = SchemaNode(element: e, children: [], leafIndex: nil, definitionLevel: def, repetitionLevel: rep)
            if depth > 0 && (e.type != nil || e.numChildren == nil) {
                guard e.type != nil else { throw ParquetError(.corrupt, "leaf \(e.name) has no physical type") }
                if e.type == .fixedLenByteArray && (e.typeLength ?? 0) <= 0 {
                    throw ParquetError(.corrupt, "FIXED_LEN_BYTE_ARRAY column \(e.name) has no positive type_length")
                }
                node.leafIndex = columns.count
                columns.append(ColumnDescriptor(path: path, element: e, maxDefinitionLevel: def, maxRepetitionLevel: rep))
                return node
            }
            guard n >= 0, n <= elements.count - index else {
                throw ParquetError(.corrupt, "schema element \(e.name) claims \(n) children, only \(elements.count - index) elements follow")
            }
            for _ in 0..<n {
                let c = elements[index]
                index += 1
                let r = c.repetition ?? .required
                let cdef = def + (r == .required ? 0 : 1)
                let crep = rep + (r == .repeated ? 1 : 0)
                node.children.append(try build(c, path: path + [c.name], def: cdef, rep: crep, depth: depth + 1))
            }
            return node
        }
        var rootElement = first
        if rootElement.numChildren == nil { rootElement.numChildren = 0 }
        root = try build(rootElement, path: [], def: 0, rep: 0, depth: 0)
        guard index == elements.count else {
            throw ParquetError(.corrupt, "schema has \(elements.count - index) elements not reachable from the root")
        }
        self.columns = columns
        self.elements = elements
    }

    /// Leaf indices under a top-level field.
    func leafIndices(of node: SchemaNode) -> [Int] {
        if let i = node.leafIndex { return [i] }
        return node.children.flatMap { leafIndices(of: $0) }
    }
}

extension Schema {
    /// A parquet-tools style text rendering of the schema.
    public var description: String {
        var out = ""
        func render(_ n: SchemaNode, indent: String, isRoot: Bool) {
            let e = n.element
            var annotations: [String] = []
            if let l = e.logicalType { annotations.append(l.description) } else if let c = e.convertedType { annotations.append("\(c)") }
            let ann = annotations.isEmpty ? "" : " (\(annotations.joined(separator: ", ")))"
            if isRoot {
                out += "message \(e.name) {\n"
            } else if n.isLeaf {
                var t = e.type?.description ?? "?"
                if e.type == .fixedLenByteArray { t += "(\(e.typeLength ?? 0))" }
                out += "\(indent)\(n.repetition) \(t) \(e.name)\(ann);\n"
                return
            } else {
                out += "\(indent)\(n.repetition) group \(e.name)\(ann) {\n"
            }
            for c in n.children { render(c, indent: indent + "  ", isRoot: false) }
            out += isRoot ? "}\n" : "\(indent)}\n"
        }
        render(root, indent: "", isRoot: true)
        return out
    }
}

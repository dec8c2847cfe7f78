/// How one field is shredded into leaf columns (Dremel), in Parquet's standard layout:
/// a group's children in order; a list as `<name> { repeated group list { <element> } }`;
/// a map as `<name> { repeated group key_value { <key>; <value> } }`. Each nullable node
/// adds one definition level, each list or map one definition and one repetition level.
public struct NestedLayout: Sendable {
    public enum Kind: Sendable {
        /// Index into `leaves`.
        case leaf(Int)
        /// Node indices of the children.
        case group([Int])
        case list(element: Int)
        case map(key: Int, value: Int)
    }

    public struct Node: Sendable {
        public var field: Field
        public var kind: Kind
        /// Definition level of every leaf entry below when this node is present (not null).
        public var definitionLevel: Int
        /// Lists and maps: the repetition level of their 2nd, 3rd... entries. Others: the
        /// repetition level of the innermost enclosing list or map (0 outside any).
        public var repetitionLevel: Int
        /// The leaves below this node (contiguous, depth first).
        public var leaves: Range<Int>
    }

    public struct Leaf: Sendable {
        /// Path of schema names from the top-level field, e.g. `["tags", "list", "element"]`.
        public var path: [String]
        public var field: Field
        public var maxDefinitionLevel: Int
        public var maxRepetitionLevel: Int
        public var node: Int
    }

    /// `nodes[0]` is the field itself.
    public private(set) var nodes: [Node] = []
    public private(set) var leaves: [Leaf] = []

    /// Deepest level supported (levels are stored as bytes).
    public static let maxLevel = 255

    public init(_ field: Field) throws {
        _ = try add(field, path: [field.name], parentDefinition: 0, repetition: 0, depth: 0)
    }

    private mutating func add(_ field: Field, path: [String], parentDefinition: Int, repetition: Int, depth: Int) throws -> Int {
        guard depth < 64 else { throw NestedColumnError("field \(path.joined(separator: ".")) is nested more than 64 deep") }
        let definition = parentDefinition + (field.nullable ? 1 : 0)
        guard definition + 1 <= Self.maxLevel, repetition + 1 <= Self.maxLevel else {
            throw NestedColumnError("field \(path.joined(separator: ".")) has more than \(Self.maxLevel) levels")
        }
        let index = nodes.count
        let firstLeaf = leaves.count
        nodes.append(Node(field: field, kind: .leaf(-1), definitionLevel: definition, repetitionLevel: repetition, leaves: firstLeaf..<firstLeaf))
        let kind: Kind
        switch field.type {
        case .group(let children):
            guard !children.isEmpty else { throw NestedColumnError("group \(path.joined(separator: ".")) has no fields") }
            var seen = Set<String>()
            var ids: [Int] = []
            for c in children {
                guard seen.insert(c.name).inserted else {
                    throw NestedColumnError("group \(path.joined(separator: ".")) has two fields named \(c.name)")
                }
                ids.append(try add(c, path: path + [c.name], parentDefinition: definition, repetition: repetition, depth: depth + 1))
            }
            kind = .group(ids)
        case .list(let element):
            nodes[index].repetitionLevel = repetition + 1
            kind = .list(element: try add(element, path: path + ["list", element.name], parentDefinition: definition + 1,
                                          repetition: repetition + 1, depth: depth + 1))
        case .map(let key, let value):
            guard !key.nullable else { throw NestedColumnError("map \(path.joined(separator: ".")) has a nullable key") }
            nodes[index].repetitionLevel = repetition + 1
            let k = try add(key, path: path + ["key_value", key.name], parentDefinition: definition + 1,
                            repetition: repetition + 1, depth: depth + 1)
            let v = try add(value, path: path + ["key_value", value.name], parentDefinition: definition + 1,
                            repetition: repetition + 1, depth: depth + 1)
            kind = .map(key: k, value: v)
        default:
            kind = .leaf(leaves.count)
            leaves.append(Leaf(path: path, field: field, maxDefinitionLevel: definition, maxRepetitionLevel: repetition, node: index))
        }
        nodes[index].kind = kind
        nodes[index].leaves = firstLeaf..<leaves.count
        return index
    }
}

/// A value that does not fit a nested field's schema, or a builder call out of order.
public struct NestedColumnError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

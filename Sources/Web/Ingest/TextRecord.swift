import Foundation
import Pipeline
import TributaryCore

/// Turns text values (an HTML form, a CSV row) into the JSON of a record, by the schema's
/// field types: numbers stay numbers, objects are embedded as JSON, empty optional values
/// are left out. Values that do not fit their type are written as strings, so the
/// validator, not this mapping, reports what is wrong with them. A name that is a path
/// into a nested field (`customer.address.city`, `items[0].sku`) builds the nested value;
/// objects and array items left empty are left out too.
public enum TextRecord {
    public static func json(_ values: [(name: String, value: String)], schema: TopicSchema) -> [UInt8] {
        build(values, schema: schema).json
    }

    /// The record, and its non-empty values named by where they landed in it (array items
    /// renumbered once empty ones are left out), so a refused form refills with the names
    /// the validator's paths use.
    static func build(_ values: [(name: String, value: String)], schema: TopicSchema) -> (json: [UInt8], values: [(name: String, value: String)]) {
        var root = Node.object([])
        var seen = Set<String>()
        for (name, raw) in values where !seen.contains(name) {
            seen.insert(name)
            let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if value.isEmpty { continue }
            // A name is a field's, else a path when it leads into one; else a member of its own (kept in `extra`).
            let path = schema.field(name) != nil ? FieldPath(member: name)
                : FieldPath(name).flatMap { schema.field($0.root) != nil ? $0 : nil } ?? FieldPath(member: name)
            root.insert(.value(json: encode(value, as: schema.field(at: path)?.type), text: raw), at: path.steps[...])
        }
        var placed: [(name: String, value: String)] = []
        let json = root.serialized(at: "", placed: &placed) ?? "{}"
        return (Array(json.utf8), placed)
    }

    private static func encode(_ value: String, as type: TopicFieldType?) -> String {
        switch type {
        case .decimal, .double, .integer:
            JSONText.isNumber(value) ? value : jsonQuoted(value)
        case .boolean:
            ["true", "false"].contains(value) ? value : jsonQuoted(value)
        case .timestamp:
            value.allSatisfy(\.isASCIIDigit) ? value : jsonQuoted(value)
        case .object, .group:
            JSONText.parse(Array(value.utf8))?.objectEntries != nil ? value : jsonQuoted(value)
        case .list:
            JSONText.parse(Array(value.utf8))?.arrayValues != nil ? value : jsonQuoted(value)
        case .string?, .date?, nil:
            jsonQuoted(value)
        }
    }

    /// The record being built: values by path, in the order their names first came.
    private indirect enum Node {
        case value(json: String, text: String)
        case object([(key: String, node: Node)])
        /// Items by the index their names gave (the JSON array has them in that order).
        case array([(index: Int, node: Node)])

        init(opening step: FieldPath.Step) {
            switch step {
            case .member: self = .object([])
            case .index: self = .array([])
            }
        }

        /// Puts `value` at `steps` below this node; the first value for a place wins.
        mutating func insert(_ value: Node, at steps: ArraySlice<FieldPath.Step>) {
            guard let step = steps.first else { return }
            let rest = steps.dropFirst()
            func placed(in existing: Node?) -> Node? {
                guard let next = rest.first else { return existing == nil ? value : nil }
                var node = existing ?? Node(opening: next)
                node.insert(value, at: rest)
                return node
            }
            switch (self, step) {
            case (.object(var members), .member(let key)):
                let i = members.firstIndex { $0.key == key }
                guard let node = placed(in: i.map { members[$0].node }) else { return }
                if let i { members[i].node = node } else { members.append((key, node)) }
                self = .object(members)
            case (.array(var items), .index(let index)):
                let i = items.firstIndex { $0.index == index }
                guard let node = placed(in: i.map { items[$0].node }) else { return }
                if let i { items[i].node = node } else { items.append((index, node)) }
                self = .array(items)
            default:
                return  // a value where the path needs an object or an array: the first wins
            }
        }

        /// The JSON text, nil when nothing is in it; appends each value's final path.
        func serialized(at path: String, placed: inout [(name: String, value: String)]) -> String? {
            switch self {
            case .value(let json, let text):
                placed.append((path, text))
                return json
            case .object(let members):
                var parts: [String] = []
                for (key, node) in members {
                    if let json = node.serialized(at: path.isEmpty ? key : "\(path).\(key)", placed: &placed) {
                        parts.append("\(jsonQuoted(key)):\(json)")
                    }
                }
                return parts.isEmpty ? nil : "{\(parts.joined(separator: ","))}"
            case .array(let items):
                var parts: [String] = []
                for (_, node) in items.sorted(by: { $0.index < $1.index }) {
                    if let json = node.serialized(at: "\(path)[\(parts.count)]", placed: &placed) { parts.append(json) }
                }
                return parts.isEmpty ? nil : "[\(parts.joined(separator: ","))]"
            }
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

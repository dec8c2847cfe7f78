import Foundation
import TributaryCore

/// A stream's record model compiled from its JSON Schema (and quality schema).
public struct CompiledSchema: Sendable, Equatable {
    public var fields: [TopicField]
    /// `additionalProperties: false` at the root: unknown fields are refused, not kept in `extra`.
    public var closed: Bool
    /// Quality ranges of a numeric field chosen by a category field (`x-tributary-range-by`).
    public var dependentRanges: [DependentRange] = []

    public init(fields: [TopicField], closed: Bool, dependentRanges: [DependentRange] = []) {
        self.fields = fields
        self.closed = closed
        self.dependentRanges = dependentRanges
    }
}

/// Compiles the documented subset of JSON Schema draft 2020-12 (README "Your own stream") to
/// the stream's fields; anything outside it is refused with the file, JSON pointer and reason.
public enum JSONSchemaCompiler {
    /// Reads, parses and compiles the schema file at `path`; `name` is how errors call it.
    public static func compile(contentsOf path: String, name: String? = nil) throws -> CompiledSchema {
        try compile(SchemaDocument.read(path, name: name), file: name ?? path)
    }

    public static func compile(_ document: JSONValue, file: String) throws -> CompiledSchema {
        var walker = SchemaWalker(file: file, root: document)
        try walker.checkRoot(document)
        let (type, _, _) = try walker.compile(document, at: SchemaPointer(), isRoot: true)
        guard case .group(let fields, let closed) = type else {
            throw walker.refuse(SchemaPointer(), "the root must be an object with properties (one record)")
        }
        return CompiledSchema(fields: fields, closed: closed)
    }
}

enum SchemaDocument {
    static func read(_ path: String, name: String?) throws -> JSONValue {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw SchemaRefusal(file: name ?? path, pointer: "", reason: "cannot read the file: \(error.localizedDescription)")
        }
        do { return try JSONValue.parse(data) } catch {
            throw SchemaRefusal(file: name ?? path, pointer: "", reason: "not valid JSON: \(error)")
        }
    }
}

/// Walks one schema document: resolves local `$ref`s and checks every keyword.
struct SchemaWalker {
    let file: String
    let root: JSONValue
    /// `$ref`s being expanded, to refuse recursion.
    var expanding: [String] = []

    static let annotations: Set<String> = ["title", "description", "$comment", "examples", "default", "deprecated", "readOnly", "writeOnly"]
    static let rootOnly: Set<String> = ["$schema", "$id", "$defs"]
    static let structural: Set<String> = ["type", "properties", "required", "additionalProperties", "items", "format", "$ref"]
    static let supportedDrafts: Set<String> = [
        "https://json-schema.org/draft/2020-12/schema", "http://json-schema.org/draft-07/schema",
    ]
    /// Names a record field cannot take: the processing metadata and Hudi's meta columns.
    static let reservedNames: Set<String> = ["_op", "extra", "_ingested_at", "_kafka_partition", "_kafka_offset", "_batch_id"]

    func refuse(_ pointer: SchemaPointer, _ reason: String) -> SchemaRefusal {
        SchemaRefusal(file: file, pointer: pointer.text, reason: reason)
    }

    func checkRoot(_ document: JSONValue) throws {
        if let draft = document["$schema"] {
            let uri = draft.string.map { $0.hasSuffix("#") ? String($0.dropLast()) : $0 }
            guard let uri, Self.supportedDrafts.contains(uri) else {
                throw refuse(SchemaPointer().appending("$schema"), "only JSON Schema draft 2020-12 (or draft-07) is supported")
            }
        }
        if let defs = document["$defs"], case .object = defs {} else if document["$defs"] != nil {
            throw refuse(SchemaPointer().appending("$defs"), "$defs must be an object of schemas")
        }
    }

    /// The type, whether null is allowed, and the schema rules of the schema node at `pointer`.
    mutating func compile(_ node: JSONValue, at pointer: SchemaPointer, isRoot: Bool = false) throws -> (TopicFieldType, nullable: Bool, rules: [FieldRule]) {
        guard case .object(let members) = node else {
            throw refuse(pointer, "a schema must be a JSON object here (boolean schemas are outside the subset)")
        }
        if let ref = node["$ref"] {
            let others = members.map(\.0).filter { $0 != "$ref" && !Self.annotations.contains($0) }
            if let other = others.first {
                throw refuse(pointer.appending(other), "keywords beside $ref are outside the subset; move them into the referenced schema")
            }
            let (target, targetPointer, name) = try resolve(ref, at: pointer.appending("$ref"))
            if expanding.contains(name) { throw refuse(pointer.appending("$ref"), "recursive $ref '\(name)' is outside the subset") }
            expanding.append(name)
            defer { expanding.removeLast() }
            return try compile(target, at: targetPointer)
        }
        for (key, _) in members {
            if Self.annotations.contains(key) || Self.structural.contains(key) || SchemaConstraints.keywords.contains(key) { continue }
            if isRoot && Self.rootOnly.contains(key) { continue }
            if key.hasPrefix("x-") && !key.hasPrefix("x-tributary-") { continue }
            let place = Self.rootOnly.contains(key) ? " (only at the root)" : ""
            throw refuse(pointer.appending(key), "keyword '\(key)' is outside the supported subset\(place)")
        }
        let (kind, nullable) = try typeName(node, at: pointer)
        var type: TopicFieldType
        switch kind {
        case "string": type = try stringType(node, at: pointer)
        case "integer": type = .integer
        case "number":
            type = .double
            if let decimal = node["x-tributary-decimal"] { type = try decimalType(decimal, at: pointer.appending("x-tributary-decimal")) }
        case "boolean": type = .boolean
        case "object": type = try objectType(node, at: pointer)
        case "array": type = try arrayType(node, at: pointer)
        default: throw refuse(pointer.appending("type"), "unknown type '\(kind)'")
        }
        try SchemaConstraints.checkApplicable(node, type: type, at: pointer, walker: self)
        let rules = try SchemaConstraints.rules(node, type: type, at: pointer, walker: self)
        return (type, nullable, rules)
    }

    /// The one non-null type name and whether `null` is allowed too.
    private func typeName(_ node: JSONValue, at pointer: SchemaPointer) throws -> (String, Bool) {
        let known: Set<String> = ["string", "integer", "number", "boolean", "object", "array", "null"]
        var names: [String]
        switch node["type"] {
        case .string(let name)?: names = [name]
        case .array(let items)?:
            names = []
            for (i, item) in items.enumerated() {
                guard let name = item.string else { throw refuse(pointer.appending("type").appending(i), "a type name must be a string") }
                names.append(name)
            }
        case nil:
            // `enum`/`const` of strings alone imply a string.
            let values = node["enum"].flatMap { v -> [JSONValue]? in if case .array(let a) = v { return a } else { return nil } } ?? node["const"].map { [$0] }
            if let values, !values.isEmpty, values.allSatisfy({ $0.string != nil }) { return ("string", false) }
            throw refuse(pointer, "'type' is required (string, integer, number, boolean, object or array)")
        default: throw refuse(pointer.appending("type"), "'type' must be a type name or an array of them")
        }
        for name in names where !known.contains(name) { throw refuse(pointer.appending("type"), "unknown type '\(name)'") }
        let nonNull = names.filter { $0 != "null" }
        guard nonNull.count == 1, Set(names).count == names.count else {
            throw refuse(pointer.appending("type"), "a union of types is outside the subset: one type, optionally with \"null\"")
        }
        return (nonNull[0], names.contains("null"))
    }

    private func stringType(_ node: JSONValue, at pointer: SchemaPointer) throws -> TopicFieldType {
        guard let format = node["format"] else { return .string }
        switch format.string {
        case "date-time": return .timestamp
        case "date": return .date
        case let name? where StringFormat(rawValue: name) != nil: return .string
        default:
            throw refuse(pointer.appending("format"), "format \(format.json) is outside the subset (date-time, date, uuid, email)")
        }
    }

    private func decimalType(_ value: JSONValue, at pointer: SchemaPointer) throws -> TopicFieldType {
        guard case .array(let parts) = value, parts.count == 2, let p = parts[0].int, let s = parts[1].int,
              case .int = parts[0], case .int = parts[1] else {
            throw refuse(pointer, "expected [precision, scale], like [18, 2]")
        }
        guard (1...18).contains(p), (0...p).contains(s) else {
            throw refuse(pointer, "precision must be 1…18 and scale 0…precision (stored as a 64-bit unscaled integer)")
        }
        return .decimal(precision: Int(p), scale: Int(s))
    }

    private mutating func objectType(_ node: JSONValue, at pointer: SchemaPointer) throws -> TopicFieldType {
        var closed = false
        switch node["additionalProperties"] {
        case nil, .bool(true)?: break
        case .bool(false)?: closed = true
        default: throw refuse(pointer.appending("additionalProperties"), "only true or false is supported (a schema for extra members is outside the subset)")
        }
        guard let properties = node["properties"] else {
            if node["required"] != nil { throw refuse(pointer.appending("required"), "'required' needs 'properties'") }
            if closed { throw refuse(pointer.appending("additionalProperties"), "additionalProperties false needs 'properties'") }
            return .object
        }
        guard case .object(let members) = properties, !members.isEmpty else {
            throw refuse(pointer.appending("properties"), "properties must be a non-empty object of schemas (an object without properties is stored as JSON text)")
        }
        var required = Set<String>()
        if let list = node["required"] {
            guard case .array(let names) = list else { throw refuse(pointer.appending("required"), "'required' must be an array of property names") }
            for (i, name) in names.enumerated() {
                guard let name = name.string else { throw refuse(pointer.appending("required").appending(i), "a property name must be a string") }
                guard members.contains(where: { $0.0 == name }) else {
                    throw refuse(pointer.appending("required").appending(i), "'\(name)' is not in properties")
                }
                required.insert(name)
            }
        }
        var fields: [TopicField] = []
        for (name, schema) in members {
            let at = pointer.appending("properties").appending(name)
            guard let first = name.unicodeScalars.first, first == "_" || first.properties.isAlphabetic && first.isASCII,
                  name.unicodeScalars.allSatisfy({ $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }) else {
                throw refuse(at, "field names are ASCII letters, digits and _, not starting with a digit (they become SQL columns)")
            }
            if Self.reservedNames.contains(name) || name.hasPrefix("_hoodie_") {
                throw refuse(at, "'\(name)' is reserved for Tributary's processing metadata")
            }
            let (type, _, rules) = try compile(schema, at: at)
            fields.append(TopicField(name, type, required: required.contains(name), rules: rules))
        }
        return .group(fields, closed: closed)
    }

    private mutating func arrayType(_ node: JSONValue, at pointer: SchemaPointer) throws -> TopicFieldType {
        guard let items = node["items"] else {
            throw refuse(pointer, "an array needs 'items' (one schema for every element)")
        }
        let (type, nullable, rules) = try compile(items, at: pointer.appending("items"))
        return .list(TopicField("element", type, required: !nullable, rules: rules))
    }

    /// The schema a local `$ref` (`#/$defs/...`) points at.
    func resolve(_ ref: JSONValue, at pointer: SchemaPointer) throws -> (JSONValue, SchemaPointer, String) {
        guard let text = ref.string, text.hasPrefix("#/$defs/") else {
            throw refuse(pointer, "only local references into $defs (\"#/$defs/NAME\") are supported")
        }
        var node = root
        var target = SchemaPointer()
        for token in text.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) {
            let name = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = node[name] else { throw refuse(pointer, "'\(text)' does not exist in this document") }
            node = next
            target = target.appending(name)
        }
        return (node, target, text)
    }
}

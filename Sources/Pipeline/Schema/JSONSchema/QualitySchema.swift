import Foundation
import TributaryCore

/// A stream's quality schema: a second JSON Schema that only adds constraints to the fields
/// of the record schema (types come from there); records failing them go to the DLQ with
/// stage `quality`. `x-tributary-range-by` at its root holds ranges that depend on a
/// category field (a sensor's `value` by its `sensor_type`).
extension JSONSchemaCompiler {
    public static func applyQuality(contentsOf path: String, name: String? = nil, to schema: inout CompiledSchema) throws {
        try applyQuality(SchemaDocument.read(path, name: name), file: name ?? path, to: &schema)
    }

    public static func applyQuality(_ document: JSONValue, file: String, to schema: inout CompiledSchema) throws {
        let walker = SchemaWalker(file: file, root: document)
        try walker.checkRoot(document)
        let root = SchemaPointer()
        guard case .object(let members) = document else { throw walker.refuse(root, "a quality schema must be a JSON object") }
        for (key, _) in members where !["$schema", "properties", "x-tributary-range-by"].contains(key) && !SchemaWalker.annotations.contains(key) {
            throw walker.refuse(root.appending(key), "keyword '\(key)' is outside the quality subset (properties with constraints, x-tributary-range-by)")
        }
        if let properties = document["properties"] {
            schema.fields = try walker.qualify(schema.fields, with: properties, at: root.appending("properties"))
        }
        if let ranges = document["x-tributary-range-by"] {
            schema.dependentRanges = try walker.dependentRanges(ranges, fields: schema.fields, at: root.appending("x-tributary-range-by"))
        }
    }
}

extension SchemaWalker {
    /// `fields` with the quality rules of `properties` added.
    func qualify(_ fields: [TopicField], with properties: JSONValue, at pointer: SchemaPointer) throws -> [TopicField] {
        guard case .object(let members) = properties else { throw refuse(pointer, "properties must be an object") }
        var fields = fields
        for (name, node) in members {
            let at = pointer.appending(name)
            guard let index = fields.firstIndex(where: { $0.name == name }) else {
                throw refuse(at, "the record schema has no field '\(name)'")
            }
            fields[index] = try qualify(fields[index], with: node, at: at)
        }
        return fields
    }

    private func qualify(_ field: TopicField, with node: JSONValue, at pointer: SchemaPointer) throws -> TopicField {
        guard case .object(let members) = node else { throw refuse(pointer, "a quality schema node must be a JSON object") }
        var field = field
        for (key, value) in members {
            if SchemaWalker.annotations.contains(key) || SchemaConstraints.keywords.contains(key) && key != "x-tributary-decimal" { continue }
            switch (key, field.type) {
            case ("properties", .group(let children, let closed)):
                field.type = .group(try qualify(children, with: value, at: pointer.appending(key)), closed: closed)
            case ("items", .list(let element)):
                field.type = .list(try qualify(element, with: value, at: pointer.appending(key)))
            default:
                throw refuse(pointer.appending(key), "keyword '\(key)' is outside the quality subset: constraints only, the type comes from the record schema")
            }
        }
        try SchemaConstraints.checkApplicable(node, type: field.type, at: pointer, walker: self)
        field.quality += try SchemaConstraints.rules(node, type: field.type, at: pointer, walker: self)
        return field
    }

    /// `[{"field": "value", "by": "sensor_type", "ranges": {"temperature": {"minimum": -90, "maximum": 60, "unit": "°C"}}}]`
    func dependentRanges(_ value: JSONValue, fields: [TopicField], at pointer: SchemaPointer) throws -> [DependentRange] {
        guard case .array(let items) = value else { throw refuse(pointer, "expected an array of {field, by, ranges}") }
        return try items.enumerated().map { i, item in
            let at = pointer.appending(i)
            guard case .object(let members) = item else { throw refuse(at, "expected {field, by, ranges}") }
            for (key, _) in members where !["field", "by", "ranges"].contains(key) {
                throw refuse(at.appending(key), "unknown key '\(key)' (field, by, ranges)")
            }
            guard let name = item["field"]?.string, let target = fields.first(where: { $0.name == name }) else {
                throw refuse(at.appending("field"), "expected the name of a top-level field of the record schema")
            }
            guard target.type == .double else {
                throw refuse(at.appending("field"), "'\(name)' must be a number field (type number, not a decimal)")
            }
            guard let by = item["by"]?.string, fields.first(where: { $0.name == by })?.type == .string else {
                throw refuse(at.appending("by"), "expected the name of a top-level string field of the record schema")
            }
            guard case .object(let categories)? = item["ranges"], !categories.isEmpty else {
                throw refuse(at.appending("ranges"), "expected an object: category → {minimum, maximum, unit}")
            }
            var rule = DependentRange(field: name, dependsOn: by, ranges: [:], unit: [:])
            for (category, range) in categories {
                let here = at.appending("ranges").appending(category)
                guard let low = range["minimum"]?.double, let high = range["maximum"]?.double, low <= high else {
                    throw refuse(here, "expected {\"minimum\": number, \"maximum\": number} with minimum ≤ maximum")
                }
                if case .object(let keys) = range, let other = keys.map(\.0).first(where: { !["minimum", "maximum", "unit"].contains($0) }) {
                    throw refuse(here.appending(other), "unknown key '\(other)' (minimum, maximum, unit)")
                }
                rule.ranges[category] = low...high
                if let unit = range["unit"]?.string { rule.unit[category] = unit }
            }
            return rule
        }
    }
}

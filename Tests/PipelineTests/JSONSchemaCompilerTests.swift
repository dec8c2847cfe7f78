import Testing
import TributaryCore
@testable import Pipeline

func compileSchema(_ text: String) throws -> CompiledSchema {
    try JSONSchemaCompiler.compile(JSONValue.parse(text), file: "test.schema.json")
}

@Suite struct JSONSchemaCompilerTests {
    @Test func everyTypeMapsToItsStoredColumn() throws {
        let schema = try compileSchema(#"""
            {"type": "object", "required": ["id", "n"], "properties": {
              "id": {"type": "string"},
              "n": {"type": "integer"},
              "x": {"type": "number"},
              "ok": {"type": "boolean"},
              "at": {"type": "string", "format": "date-time"},
              "day": {"type": "string", "format": "date"},
              "price": {"type": "number", "x-tributary-decimal": [12, 3]},
              "small": {"type": "number", "x-tributary-decimal": [5, 2]},
              "note": {"type": ["string", "null"]},
              "attrs": {"type": "object"},
              "customer": {"type": "object", "additionalProperties": false, "required": ["name"], "properties": {
                 "name": {"type": "string"}, "address": {"type": "object", "properties": {"city": {"type": "string"}}}}},
              "tags": {"type": "array", "items": {"type": ["string", "null"]}},
              "lines": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}, "qty": {"type": "integer"}}}}
            }}
            """#)
        #expect(!schema.closed)
        let stored = schema.fields.map(\.storedField)
        #expect(stored.map(\.name) == ["id", "n", "x", "ok", "at", "day", "price", "small", "note", "attrs", "customer", "tags", "lines"])
        #expect(stored.map(\.nullable) == [false, false, true, true, true, true, true, true, true, true, true, true, true])
        #expect(stored[0].type == .string)
        #expect(stored[1].type == .int64)
        #expect(stored[2].type == .double)
        #expect(stored[3].type == .boolean)
        #expect(stored[4].type == .timestamp(.micros, isAdjustedToUTC: true))
        #expect(stored[5].type == .date)
        #expect(stored[6].type == .decimal(precision: 12, scale: 3))
        #expect(stored[7].type == .decimal(precision: 5, scale: 2))
        #expect(stored[9].type == .json)
        #expect(stored[10].type == .group([Field("name", .string, nullable: false), Field("address", .group([Field("city", .string)]))]))
        #expect(stored[11].type == .list(Field("element", .string, nullable: true)))
        #expect(stored[12].type == .list(Field("element", .group([Field("sku", .string), Field("qty", .int64)]), nullable: false)))
        guard case .group(_, let closed) = schema.fields[10].type else { Issue.record("customer is not a group"); return }
        #expect(closed)
    }

    @Test func constraintsBecomeSchemaRules() throws {
        let schema = try compileSchema(#"""
            {"type": "object", "additionalProperties": false, "properties": {
              "kind": {"enum": ["a", "b"]},
              "level": {"type": "string", "enum": ["info", "WARN"], "x-tributary-case-insensitive": true},
              "fixed": {"const": "v1"},
              "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
              "sku": {"type": "string", "pattern": "^[a-z]+-[0-9]+$", "minLength": 3, "maxLength": 20},
              "short": {"type": "string", "minLength": 2},
              "id": {"type": "string", "format": "uuid"},
              "mail": {"type": "string", "format": "email"},
              "pct": {"type": "number", "minimum": 0, "exclusiveMaximum": 100},
              "qty": {"type": "integer", "exclusiveMinimum": 0, "multipleOf": 5},
              "at": {"type": "string", "format": "date-time", "x-tributary-max-future-seconds": 60},
              "tags": {"type": "array", "items": {"type": "string", "maxLength": 8}, "minItems": 1, "maxItems": 3}
            }}
            """#)
        #expect(schema.closed)
        let rules = Dictionary(uniqueKeysWithValues: schema.fields.map { ($0.name, $0.rules) })
        #expect(schema.fields.first?.type == .string)
        #expect(rules["kind"] == [.oneOf(["a", "b"])])
        #expect(rules["level"] == [.oneOf(["INFO", "WARN"], caseInsensitive: true)])
        #expect(rules["fixed"] == [.oneOf(["v1"])])
        #expect(rules["code"] == [.upperCaseLetters(count: 3)])
        #expect(rules["sku"] == [.length(3...20), .pattern("^[a-z]+-[0-9]+$")])
        #expect(rules["short"] == [.length(2...Int.max)])
        #expect(rules["id"] == [.format(.uuid)])
        #expect(rules["mail"] == [.format(.email)])
        #expect(rules["pct"] == [.range(min: 0, max: 100, minExclusive: false, maxExclusive: true)])
        #expect(rules["qty"] == [.range(min: 0, max: .infinity, minExclusive: true), .multipleOf(5)])
        #expect(rules["at"] == [.notInFutureBeyond(seconds: 60)])
        #expect(rules["tags"] == [.itemCount(1...3)])
        guard case .list(let element) = schema.fields.last?.type else { Issue.record("tags is not a list"); return }
        #expect(element.rules == [.length(0...8)])
    }

    @Test func localReferencesResolveIntoDefs() throws {
        let schema = try compileSchema(#"""
            {"type": "object", "properties": {
              "a": {"$ref": "#/$defs/id", "description": "annotations may sit beside $ref"},
              "b": {"$ref": "#/$defs/pair"}},
             "$defs": {"id": {"type": "string", "minLength": 1}, "pair": {"type": "object", "properties": {"x": {"$ref": "#/$defs/id"}}}}}
            """#)
        #expect(schema.fields[0] == TopicField("a", .string, rules: [.length(1...Int.max)]))
        #expect(schema.fields[1].type == .group([TopicField("x", .string, rules: [.length(1...Int.max)])], closed: false))
    }

    @Test func qualitySchemaAddsQualityRulesAtEveryLevel() throws {
        var schema = try compileSchema(#"""
            {"type": "object", "properties": {
              "value": {"type": "number"}, "kind": {"type": "string"},
              "customer": {"type": "object", "properties": {"age": {"type": "integer"}}},
              "items": {"type": "array", "items": {"type": "object", "properties": {"qty": {"type": "integer"}}}}}}
            """#)
        try JSONSchemaCompiler.applyQuality(JSONValue.parse(#"""
            {"properties": {
               "value": {"minimum": -1, "maximum": 1},
               "customer": {"properties": {"age": {"minimum": 18}}},
               "items": {"maxItems": 10, "items": {"properties": {"qty": {"exclusiveMinimum": 0}}}}},
             "x-tributary-range-by": [{"field": "value", "by": "kind", "ranges": {"t": {"minimum": 0, "maximum": 0.5, "unit": "u"}}}]}
            """#), file: "test.quality.json", to: &schema)
        #expect(schema.fields[0].rules.isEmpty)
        #expect(schema.fields[0].quality == [.range(min: -1, max: 1)])
        guard case .group(let customer, _) = schema.fields[2].type, case .list(let item) = schema.fields[3].type,
              case .group(let itemFields, _) = item.type else { Issue.record("nesting lost"); return }
        #expect(customer[0].quality == [.range(min: 18, max: .infinity)])
        #expect(schema.fields[3].quality == [.itemCount(0...10)])
        #expect(itemFields[0].quality == [.range(min: 0, max: .infinity, minExclusive: true)])
        #expect(schema.dependentRanges == [DependentRange(field: "value", dependsOn: "kind", ranges: ["t": 0...0.5], unit: ["t": "u"])])
    }

    static let refusals: [(schema: String, pointer: String, reason: String)] = [
        (#"{"type": "object", "properties": {"a": {"oneOf": [{"type": "string"}]}}}"#, "/properties/a/oneOf", "keyword 'oneOf' is outside"),
        (#"{"type": "object", "properties": {"a": {"anyOf": [{"type": "string"}]}}}"#, "/properties/a/anyOf", "outside the supported subset"),
        (#"{"type": "object", "properties": {"a": {"type": "array", "prefixItems": [{"type": "string"}], "items": {"type": "string"}}}}"#, "/properties/a/prefixItems", "outside"),
        (#"{"type": "object", "properties": {"a": {"type": "string", "x-tributary-colour": 1}}}"#, "/properties/a/x-tributary-colour", "outside"),
        (#"{"type": "object", "properties": {"a": {"$ref": "https://example.com/s.json"}}}"#, "/properties/a/$ref", "only local references"),
        (##"{"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}}"##, "/properties/a/$ref", "does not exist"),
        (##"{"type": "object", "properties": {"a": {"$ref": "#/$defs/s", "maxLength": 3}}, "$defs": {"s": {"type": "string"}}}"##, "/properties/a/maxLength", "beside $ref"),
        (##"{"type": "object", "properties": {"a": {"$ref": "#/$defs/node"}}, "$defs": {"node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"}}}}}"##, "/$defs/node/properties/next/$ref", "recursive"),
        (#"{"type": "object", "properties": {"a": {"type": "object", "$defs": {}, "properties": {"b": {"type": "string"}}}}}"#, "/properties/a/$defs", "only at the root"),
        (#"{"type": "object", "properties": {"a": true}}"#, "/properties/a", "boolean schemas"),
        (#"{"type": "object", "properties": {"a": {"type": ["string", "integer"]}}}"#, "/properties/a/type", "union of types"),
        (#"{"type": "object", "properties": {"a": {"type": "text"}}}"#, "/properties/a/type", "unknown type 'text'"),
        (#"{"type": "object", "properties": {"a": {"minLength": 1}}}"#, "/properties/a", "'type' is required"),
        (#"{"type": "object", "properties": {"a": {"type": "string", "format": "ipv4"}}}"#, "/properties/a/format", "outside the subset"),
        (#"{"type": "object", "properties": {"a": {"type": "integer", "minLength": 1}}}"#, "/properties/a/minLength", "does not apply to an integer"),
        (#"{"type": "object", "properties": {"a": {"type": "string", "format": "date-time", "pattern": "x"}}}"#, "/properties/a/pattern", "does not apply to a date-time"),
        (#"{"type": "object", "properties": {"a": {"type": "string", "maximum": 3}}}"#, "/properties/a/maximum", "does not apply to a string"),
        (#"{"type": "object", "properties": {"a": {"type": "integer", "x-tributary-decimal": [10, 2]}}}"#, "/properties/a/x-tributary-decimal", "does not apply"),
        (#"{"type": "object", "properties": {"a": {"type": "integer", "enum": [1, 2]}}}"#, "/properties/a/enum", "does not apply to an integer"),
        (#"{"type": "object", "properties": {"a": {"type": "string", "enum": ["x", 2]}}}"#, "/properties/a/enum/1", "must be strings"),
        (#"{"type": "object", "properties": {"a": {"type": "string", "enum": []}}}"#, "/properties/a/enum", "non-empty"),
        (#"{"type": "object", "properties": {"a": {"type": "string", "x-tributary-case-insensitive": true}}}"#, "/properties/a/x-tributary-case-insensitive", "'enum' only"),
        (#"{"type": "object", "properties": {"a": {"type": "number", "x-tributary-decimal": "18,2"}}}"#, "/properties/a/x-tributary-decimal", "[precision, scale]"),
        (#"{"type": "object", "properties": {"a": {"type": "number", "x-tributary-decimal": [38, 2]}}}"#, "/properties/a/x-tributary-decimal", "precision must be 1…18"),
        (#"{"type": "object", "properties": {"a": {"type": "number", "x-tributary-decimal": [4, 6]}}}"#, "/properties/a/x-tributary-decimal", "scale 0…precision"),
        (#"{"type": "object", "properties": {"a": {"type": "object", "additionalProperties": {"type": "string"}, "properties": {"b": {"type": "string"}}}}}"#, "/properties/a/additionalProperties", "only true or false"),
        (#"{"type": "object", "required": ["b"], "properties": {"a": {"type": "string"}}}"#, "/required/0", "'b' is not in properties"),
        (#"{"type": "object", "properties": {"a": {"type": "object", "properties": {}}}}"#, "/properties/a/properties", "non-empty"),
        (#"{"type": "object", "properties": {"a": {"type": "object", "required": ["x"]}}}"#, "/properties/a/required", "needs 'properties'"),
        (#"{"type": "object", "properties": {"a": {"type": "array"}}}"#, "/properties/a", "needs 'items'"),
        (#"{"type": "object", "properties": {"a b": {"type": "string"}}}"#, "/properties/a b", "ASCII letters, digits and _"),
        (#"{"type": "object", "properties": {"a/b": {"type": "string"}}}"#, "/properties/a~1b", "ASCII letters"),
        (#"{"type": "object", "properties": {"extra": {"type": "string"}}}"#, "/properties/extra", "reserved"),
        (#"{"type": "object", "properties": {"_hoodie_record_key": {"type": "string"}}}"#, "/properties/_hoodie_record_key", "reserved"),
        (#"{"$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "properties": {"a": {"type": "string"}}}"#, "/$schema", "draft 2020-12"),
        (#"{"type": "string"}"#, "", "the root must be an object with properties"),
        (#"{"type": "object", "properties": {"a": {"type": "string", "minLength": 5, "maxLength": 2}}}"#, "/properties/a/minLength", "larger than maxLength"),
        (#"{"type": "object", "properties": {"a": {"type": "string", "minLength": -1}}}"#, "/properties/a/minLength", "non-negative integer"),
        (#"{"type": "object", "properties": {"a": {"type": "number", "minimum": 5, "maximum": 2}}}"#, "/properties/a", "no allowed value"),
        (#"{"type": "object", "properties": {"a": {"type": "number", "exclusiveMinimum": true}}}"#, "/properties/a/exclusiveMinimum", "must be a number"),
        (#"{"type": "object", "properties": {"a": {"type": "number", "multipleOf": 0}}}"#, "/properties/a/multipleOf", "greater than 0"),
        (#"{"type": "object", "properties": {"a": {"type": "string", "pattern": "(unclosed"}}}"#, "/properties/a/pattern", "not a valid regular expression"),
        (#"{"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string"}, "minItems": 4, "maxItems": 1}}}"#, "/properties/a/minItems", "larger than maxItems"),
        (#"{"type": "object", "properties": {"t": {"type": "string", "format": "date-time", "x-tributary-max-future-seconds": "1h"}}}"#, "/properties/t/x-tributary-max-future-seconds", "seconds"),
    ]

    @Test(arguments: refusals)
    func outsideTheSubsetIsRefusedWithPointerAndReason(_ c: (schema: String, pointer: String, reason: String)) throws {
        #expect(throws: SchemaRefusal.self) { try compileSchema(c.schema) }
        do {
            _ = try compileSchema(c.schema)
        } catch let refusal as SchemaRefusal {
            #expect(refusal.file == "test.schema.json")
            #expect(refusal.pointer == c.pointer, "\(refusal)")
            #expect(refusal.reason.contains(c.reason), "\(refusal)")
        }
    }

    static let qualityRefusals: [(quality: String, pointer: String, reason: String)] = [
        (#"{"properties": {"nope": {"minimum": 1}}}"#, "/properties/nope", "no field 'nope'"),
        (#"{"properties": {"value": {"type": "integer"}}}"#, "/properties/value/type", "constraints only"),
        (#"{"properties": {"value": {"minLength": 1}}}"#, "/properties/value/minLength", "does not apply to a number"),
        (#"{"required": ["value"]}"#, "/required", "outside the quality subset"),
        (#"{"x-tributary-range-by": [{"field": "kind", "by": "kind", "ranges": {"a": {"minimum": 0, "maximum": 1}}}]}"#, "/x-tributary-range-by/0/field", "must be a number field"),
        (#"{"x-tributary-range-by": [{"field": "value", "by": "value", "ranges": {"a": {"minimum": 0, "maximum": 1}}}]}"#, "/x-tributary-range-by/0/by", "string field"),
        (#"{"x-tributary-range-by": [{"field": "value", "by": "kind", "ranges": {"a": {"minimum": 2, "maximum": 1}}}]}"#, "/x-tributary-range-by/0/ranges/a", "minimum ≤ maximum"),
        (#"{"x-tributary-range-by": [{"field": "value", "by": "kind", "ranges": {"a": {"minimum": 0, "maximum": 1, "max": 3}}}]}"#, "/x-tributary-range-by/0/ranges/a/max", "unknown key"),
        (#"{"x-tributary-range-by": [{"field": "value", "by": "kind", "when": 1, "ranges": {}}]}"#, "/x-tributary-range-by/0/when", "unknown key"),
    ]

    @Test(arguments: qualityRefusals)
    func qualityOutsideTheSubsetIsRefused(_ c: (quality: String, pointer: String, reason: String)) throws {
        var schema = try compileSchema(#"{"type": "object", "properties": {"value": {"type": "number"}, "kind": {"type": "string"}}}"#)
        do {
            try JSONSchemaCompiler.applyQuality(JSONValue.parse(c.quality), file: "q.json", to: &schema)
            Issue.record("accepted \(c.quality)")
        } catch let refusal as SchemaRefusal {
            #expect(refusal.file == "q.json")
            #expect(refusal.pointer == c.pointer, "\(refusal)")
            #expect(refusal.reason.contains(c.reason), "\(refusal)")
        }
    }
}

import Foundation
import TributaryCore

/// The constraint keywords of the subset and the rules they compile to; the same for a
/// stream's schema (stage `schema`) and its quality schema (stage `quality`).
enum SchemaConstraints {
    static let stringKeywords: Set<String> = ["minLength", "maxLength", "pattern", "enum", "const", "x-tributary-case-insensitive"]
    static let numberKeywords: Set<String> = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]
    static let arrayKeywords: Set<String> = ["minItems", "maxItems"]
    static let timestampKeywords: Set<String> = ["x-tributary-max-future-seconds"]
    static let keywords = stringKeywords.union(numberKeywords).union(arrayKeywords).union(timestampKeywords).union(["x-tributary-decimal"])

    /// The constraint keywords that apply to `type`.
    static func applicable(to type: TopicFieldType) -> Set<String> {
        switch type {
        case .string: stringKeywords
        case .integer, .double: numberKeywords
        case .decimal: numberKeywords.union(["x-tributary-decimal"])
        case .timestamp: timestampKeywords
        case .list: arrayKeywords
        case .boolean, .date, .object, .group: []
        }
    }

    static func checkApplicable(_ node: JSONValue, type: TopicFieldType, at pointer: SchemaPointer, walker: SchemaWalker) throws {
        guard case .object(let members) = node else { return }
        let allowed = applicable(to: type)
        for (key, _) in members where keywords.contains(key) && !allowed.contains(key) {
            throw walker.refuse(pointer.appending(key), "'\(key)' does not apply to \(describe(type))")
        }
    }

    static func describe(_ type: TopicFieldType) -> String {
        switch type {
        case .string: "a string"
        case .integer: "an integer"
        case .double: "a number"
        case .decimal: "a decimal"
        case .boolean: "a boolean"
        case .timestamp: "a date-time"
        case .date: "a date"
        case .object: "an object without properties"
        case .group: "an object"
        case .list: "an array"
        }
    }

    /// The rules of the constraint keywords of `node` for a value of `type`.
    static func rules(_ node: JSONValue, type: TopicFieldType, at pointer: SchemaPointer, walker: SchemaWalker) throws -> [FieldRule] {
        var rules: [FieldRule] = []
        func count(_ key: String) throws -> Int? {
            guard let value = node[key] else { return nil }
            guard case .int(let n) = value, n >= 0, n <= Int64(Int32.max) else {
                throw walker.refuse(pointer.appending(key), "'\(key)' must be a non-negative integer")
            }
            return Int(n)
        }
        func number(_ key: String) throws -> Double? {
            guard let value = node[key] else { return nil }
            guard let d = value.double, value.bool == nil else {
                throw walker.refuse(pointer.appending(key), "'\(key)' must be a number (draft 2020-12)")
            }
            return d
        }
        switch type {
        case .string:
            let min = try count("minLength"), max = try count("maxLength")
            if min != nil || max != nil {
                guard (min ?? 0) <= (max ?? Int.max) else { throw walker.refuse(pointer.appending("minLength"), "minLength is larger than maxLength") }
                rules.append(.length((min ?? 0)...(max ?? Int.max)))
            }
            if let format = node["format"]?.string, let known = StringFormat(rawValue: format) { rules.append(.format(known)) }
            if let pattern = node["pattern"] { rules.append(try patternRule(pattern, at: pointer.appending("pattern"), walker: walker)) }
            rules += try choices(node, at: pointer, walker: walker)
        case .integer, .double, .decimal:
            var low = -Double.infinity, high = Double.infinity, lowOpen = false, highOpen = false
            if let v = try number("minimum") { low = v }
            if let v = try number("exclusiveMinimum"), v >= low { low = v; lowOpen = true }
            if let v = try number("maximum") { high = v }
            if let v = try number("exclusiveMaximum"), v <= high { high = v; highOpen = true }
            if low > high || (low == high && (lowOpen || highOpen)) {
                throw walker.refuse(pointer, "the minimum and maximum leave no allowed value")
            }
            if low.isFinite || high.isFinite { rules.append(.range(min: low, max: high, minExclusive: lowOpen, maxExclusive: highOpen)) }
            if let m = try number("multipleOf") {
                guard m > 0 else { throw walker.refuse(pointer.appending("multipleOf"), "multipleOf must be greater than 0") }
                rules.append(.multipleOf(m))
            }
        case .timestamp:
            if let s = node["x-tributary-max-future-seconds"] {
                guard case .int(let seconds) = s, seconds >= 0 else {
                    throw walker.refuse(pointer.appending("x-tributary-max-future-seconds"), "expected a non-negative number of seconds")
                }
                rules.append(.notInFutureBeyond(seconds: seconds))
            }
        case .list:
            let min = try count("minItems"), max = try count("maxItems")
            if min != nil || max != nil {
                guard (min ?? 0) <= (max ?? Int.max) else { throw walker.refuse(pointer.appending("minItems"), "minItems is larger than maxItems") }
                rules.append(.itemCount((min ?? 0)...(max ?? Int.max)))
            }
        case .boolean, .date, .object, .group:
            break
        }
        return rules
    }

    /// `enum` / `const` of strings, optionally case-insensitive (`x-tributary-case-insensitive`:
    /// any case accepted, stored upper-case).
    private static func choices(_ node: JSONValue, at pointer: SchemaPointer, walker: SchemaWalker) throws -> [FieldRule] {
        var caseInsensitive = false
        if let flag = node["x-tributary-case-insensitive"] {
            guard let b = flag.bool else { throw walker.refuse(pointer.appending("x-tributary-case-insensitive"), "expected true or false") }
            guard node["enum"] != nil else { throw walker.refuse(pointer.appending("x-tributary-case-insensitive"), "applies to 'enum' only") }
            caseInsensitive = b
        }
        var rules: [FieldRule] = []
        for key in ["enum", "const"] {
            guard let value = node[key] else { continue }
            let values: [JSONValue]
            if key == "const" { values = [value] } else {
                guard case .array(let list) = value, !list.isEmpty else { throw walker.refuse(pointer.appending(key), "'enum' must be a non-empty array") }
                values = list
            }
            var strings: [String] = []
            for (i, v) in values.enumerated() {
                guard let s = v.string else {
                    throw walker.refuse(key == "enum" ? pointer.appending(key).appending(i) : pointer.appending(key), "'\(key)' values must be strings (on a string field)")
                }
                strings.append(caseInsensitive ? s.uppercased() : s)
            }
            rules.append(.oneOf(strings, caseInsensitive: caseInsensitive && key == "enum"))
        }
        return rules
    }

    /// `pattern`: `^[A-Z]{n}$` becomes the fast upper-case-letters rule; any other expression
    /// must compile as a regular expression.
    private static func patternRule(_ value: JSONValue, at pointer: SchemaPointer, walker: SchemaWalker) throws -> FieldRule {
        guard let text = value.string else { throw walker.refuse(pointer, "'pattern' must be a string") }
        if text.hasPrefix("^[A-Z]{"), text.hasSuffix("}$"), let n = Int(text.dropFirst(7).dropLast(2)), n > 0 {
            return .upperCaseLetters(count: n)
        }
        guard TextPattern(text) != nil else { throw walker.refuse(pointer, "not a valid regular expression: \(text)") }
        return .pattern(text)
    }
}

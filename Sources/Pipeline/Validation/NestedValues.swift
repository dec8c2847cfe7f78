import Hudi
import TributaryCore

/// Checks a nested object or array (parsed into a `JSONValue`: nested values are rarer than
/// flat ones, so they take the simple path) against its field, at every level: types,
/// required members, unknown members of closed objects, and the schema then quality rules.
struct NestedValues {
    let patterns: [String: TextPattern]

    /// Why `value` does not fit `field`; `path` names it (`customer.address.city`, `items[2]`).
    func check(_ value: JSONValue, _ field: TopicField, path: String) -> Rejection? {
        if value.isNull {
            return field.required ? Rejection(.schema, "required field '\(path)' is missing") : nil
        }
        func wrongType(_ expected: String) -> Rejection {
            Rejection(.schema, "field '\(path)' must be \(expected), got \(Self.kindName(value))")
        }
        switch field.type {
        case .string:
            guard let s = value.string else { return wrongType("a string") }
            return checkString(s, field, path: path)
        case .decimal(let precision, let scale):
            guard let unscaled = Self.unscaledDecimal(value, scale: scale) else { return wrongType("a decimal number with at most \(scale) decimal places") }
            if precision < 18, abs(unscaled) >= RecordDecoder.power10(precision) {
                return Rejection(.schema, "field '\(path)' has more than \(precision) digits (decimal(\(precision),\(scale)))")
            }
            return checkNumber(Double(unscaled) / Double(RecordDecoder.power10(scale)), field, path: path)
        case .double:
            guard let d = value.double else { return wrongType("a number") }
            return checkNumber(d, field, path: path)
        case .integer:
            guard case .int(let i) = value else { return wrongType("an integer") }
            return checkNumber(Double(i), field, path: path)
        case .boolean:
            return value.bool == nil ? wrongType("true or false") : nil
        case .date:
            guard Self.days(value) != nil else { return wrongType("a date like 2026-11-26") }
        case .timestamp:
            guard Self.micros(value) != nil else { return wrongType("an RFC 3339 timestamp or epoch milliseconds") }
        case .object:
            guard case .object = value else { return wrongType("a JSON object") }
        case .group(let children, let closed):
            guard case .object(let members) = value else { return wrongType("an object") }
            if closed, let unknown = members.first(where: { m in !children.contains { $0.name == m.0 } }) {
                return Rejection(.schema, "unknown field '\(path).\(unknown.0)' (the schema allows no additional properties)")
            }
            for child in children {
                if let rejection = check(value[child.name] ?? .null, child, path: "\(path).\(child.name)") { return rejection }
            }
        case .list(let element):
            guard case .array(let items) = value else { return wrongType("an array") }
            for (rules, stage) in [(field.rules, Rejection.Stage.schema), (field.quality, .quality)] {
                for case .itemCount(let allowed) in rules where !allowed.contains(items.count) {
                    let bound = allowed.upperBound == Int.max ? "at least \(allowed.lowerBound)" : "\(allowed.lowerBound)–\(allowed.upperBound)"
                    return Rejection(stage, "field '\(path)' must have \(bound) elements, got \(items.count)")
                }
            }
            for (i, item) in items.enumerated() {
                if item.isNull && element.required { return Rejection(.schema, "field '\(path)[\(i)]' must not be null") }
                if let rejection = check(item, element, path: "\(path)[\(i)]") { return rejection }
            }
        }
        return nil
    }

    private func checkString(_ s: String, _ field: TopicField, path: String) -> Rejection? {
        var bytes = Array(s.utf8)
        for (rules, stage) in [(field.rules, Rejection.Stage.schema), (field.quality, .quality)] {
            for rule in rules {
                if case .oneOf(let values, true) = rule {
                    bytes = Array(s.uppercased().utf8)
                    if !values.contains(s.uppercased()) {
                        return Rejection(stage, "field '\(path)' must be one of \(values.joined(separator: ", ")) (any case), got '\(s.prefix(40))'")
                    }
                    continue
                }
                let reason = bytes.withUnsafeBytes { StringRules.violation(rule, $0, patterns: patterns) }
                if let reason { return Rejection(stage, "field '\(path)' \(reason)") }
            }
        }
        return nil
    }

    private func checkNumber(_ d: Double, _ field: TopicField, path: String) -> Rejection? {
        guard d.isFinite else { return Rejection(.quality, "field '\(path)' must be finite") }
        for (rules, stage) in [(field.rules, Rejection.Stage.schema), (field.quality, .quality)] {
            for rule in rules {
                if let reason = NumberRules.violation(rule, d) { return Rejection(stage, "field '\(path)' \(reason)") }
            }
        }
        return nil
    }

    static func kindName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    static func unscaledDecimal(_ value: JSONValue, scale: Int) -> Int64? {
        let text: String
        switch value {
        case .int(let i): text = String(i)
        case .double(let d): text = "\(d)"
        case .string(let s): text = s
        default: return nil
        }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { b in
            if case .success(let v) = ScalarParsing.decimal(b, scale: scale) { return v }
            return nil
        }
    }

    static func days(_ value: JSONValue) -> Int32? {
        guard let s = value.string else { return nil }
        return Array(s.utf8).withUnsafeBytes { ScalarParsing.dateDays($0) }
    }

    static func micros(_ value: JSONValue) -> Int64? {
        switch value {
        case .string(let s): return Array(s.utf8).withUnsafeBytes { ScalarParsing.rfc3339Micros($0) }
        case .int(let ms) where ms > -62_135_596_800_000 && ms < 253_402_300_800_000: return ms * 1000
        default: return nil
        }
    }
}

/// Shreds checked nested values into a `NestedColumnBuilder` (Dremel levels).
struct NestedShredder: Sendable {
    let field: TopicField
    private var builder: NestedColumnBuilder?
    private var failure: String?

    init(_ field: TopicField) {
        self.field = field
        do { builder = try NestedColumnBuilder(field.storedField) } catch { failure = "\(error)" }
    }

    /// A missing value: null, or for a required field (a delete's row, whose values the
    /// writer ignores) a placeholder of the right shape.
    mutating func appendNull() {
        if field.required {
            append(Self.placeholder(field))
            return
        }
        do { try builder?.appendNull() } catch { note(error) }
    }

    static func placeholder(_ field: TopicField) -> JSONValue {
        switch field.type {
        case .group(let children, _): .object(children.filter(\.required).map { ($0.name, placeholder($0)) })
        case .list: .array([])
        case .string, .object: .string("")
        case .date: .string("1970-01-01")
        case .boolean: .bool(false)
        case .decimal, .double, .integer, .timestamp: .int(0)
        }
    }

    mutating func append(_ value: JSONValue) {
        guard var b = builder else { return }
        builder = nil
        do { try Self.shred(value, field, into: &b) } catch { b.cancelRow(); note(error) }
        builder = b
    }

    func finish() throws -> NestedColumn {
        if let failure { throw HudiError(.invalidArgument, "nested column \(field.name): \(failure)") }
        guard var b = builder else { throw HudiError(.invalidArgument, "nested column \(field.name) has no layout") }
        return try b.finish()
    }

    private mutating func note(_ error: any Error) {
        if failure == nil { failure = "\(error)" }
    }

    private static func shred(_ value: JSONValue, _ field: TopicField, into b: inout NestedColumnBuilder) throws {
        if value.isNull { try b.appendNull(); return }
        switch field.type {
        case .string:
            let s = value.string ?? ""
            let upper = field.rules.contains { if case .oneOf(_, true) = $0 { true } else { false } }
            try b.append(upper ? s.uppercased() : s)
        case .decimal(let precision, let scale):
            let v = NestedValues.unscaledDecimal(value, scale: scale) ?? 0
            if precision <= 9 { try b.append(Int32(truncatingIfNeeded: v)) } else { try b.append(v) }
        case .double: try b.append(value.double ?? 0)
        case .integer: try b.append(value.int ?? 0)
        case .boolean: try b.append(value.bool ?? false)
        case .date: try b.append(NestedValues.days(value) ?? 0)
        case .timestamp: try b.append(NestedValues.micros(value) ?? 0)
        case .object: try b.append(value.json)
        case .group(let children, _):
            try b.beginGroup()
            for (i, child) in children.enumerated() {
                guard let member = value[child.name], !member.isNull else { continue }
                try b.field(i)
                try shred(member, child, into: &b)
            }
            try b.endGroup()
        case .list(let element):
            try b.beginList()
            if case .array(let items) = value { for item in items { try shred(item, element, into: &b) } }
            try b.endList()
        }
    }
}

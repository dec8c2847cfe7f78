import Foundation
import TributaryCore

/// Type checks and rules of one top-level field, on the message bytes (no allocation for
/// flat values); nested objects and arrays go through `NestedValues`.
extension RecordDecoder {
    static func compilePatterns(_ fields: [TopicField]) -> [String: TextPattern] {
        var patterns: [String: TextPattern] = [:]
        func collect(_ field: TopicField) {
            for rule in field.rules + field.quality {
                if case .pattern(let source) = rule, patterns[source] == nil { patterns[source] = TextPattern(source) }
            }
            switch field.type {
            case .group(let children, _): children.forEach(collect)
            case .list(let element): collect(element)
            default: break
            }
        }
        fields.forEach(collect)
        return patterns
    }

    static func kindName(_ k: JSONObjectScanner.ValueKind) -> String {
        switch k {
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        case .object: "an object"
        case .array: "an array"
        }
    }

    mutating func parse(_ field: TopicField, index: Int, member: JSONObjectScanner.Member, message: UnsafeRawBufferPointer) -> Rejection? {
        let raw = UnsafeRawBufferPointer(rebasing: message[member.value])
        let name = field.name
        switch field.type {
        case .string:
            guard case .string(let escapes) = member.kind else {
                return Rejection(.schema, "field '\(name)' must be a string, got \(Self.kindName(member.kind))")
            }
            var range = ParsedRange.message(member.value)
            if escapes {
                let start = scratch.count
                JSONObjectScanner.unescape(raw, into: &scratch)
                range = .scratch(start..<scratch.count)
            }
            if let rejection = checkStringRules(field, field.rules, .schema, index: index, bytes(range, message), range: &range) { return rejection }
            if !field.quality.isEmpty, let rejection = checkStringRules(field, field.quality, .quality, index: nil, bytes(range, message), range: &range) { return rejection }
            parsed[index] = .string(range)
        case .decimal(let precision, let scale):
            let text: UnsafeRawBufferPointer
            switch member.kind {
            case .number, .string(hasEscapes: false): text = raw
            default: return Rejection(.schema, "field '\(name)' must be a decimal number, got \(Self.kindName(member.kind))")
            }
            switch ScalarParsing.decimal(text, scale: scale) {
            case .success(let unscaled):
                if precision < 18, abs(unscaled) >= Self.power10(precision) {
                    return Rejection(.schema, "field '\(name)' has more than \(precision) digits (decimal(\(precision),\(scale)))")
                }
                let value = Double(unscaled) / Double(Self.power10(scale))
                if let rejection = checkNumber(name, value, field.rules, .schema) ?? checkNumber(name, value, field.quality, .quality) { return rejection }
                parsed[index] = .int64(unscaled)
            case .failure(.tooManyDecimals(let s)):
                return Rejection(.schema, "field '\(name)' has more than \(s) decimal places")
            case .failure(.tooLarge):
                return Rejection(.quality, "field '\(name)' is too large for a decimal(18,\(scale))")
            case .failure(.malformed):
                return Rejection(.schema, "field '\(name)' is not a decimal number: \(String(decoding: raw.prefix(40), as: UTF8.self))")
            }
        case .double:
            guard case .number = member.kind, let value = ScalarParsing.double(raw) else {
                return Rejection(.schema, "field '\(name)' must be a number, got \(Self.kindName(member.kind))")
            }
            guard value.isFinite else { return Rejection(.quality, "field '\(name)' must be finite") }
            if let rejection = checkNumber(name, value, field.rules, .schema) ?? checkNumber(name, value, field.quality, .quality) { return rejection }
            parsed[index] = .double(value)
        case .integer:
            guard case .number(isInteger: true) = member.kind, let value = ScalarParsing.int64(raw) else {
                return Rejection(.schema, "field '\(name)' must be an integer (64-bit), got \(String(decoding: raw.prefix(40), as: UTF8.self))")
            }
            if let rejection = checkNumber(name, Double(value), field.rules, .schema) ?? checkNumber(name, Double(value), field.quality, .quality) { return rejection }
            parsed[index] = .int64(value)
        case .boolean:
            guard case .bool(let value) = member.kind else {
                return Rejection(.schema, "field '\(name)' must be true or false, got \(Self.kindName(member.kind))")
            }
            parsed[index] = .bool(value)
        case .date:
            guard case .string(hasEscapes: false) = member.kind, let days = ScalarParsing.dateDays(raw) else {
                return Rejection(.schema, "field '\(name)' is not a date like 2026-11-26: \(String(decoding: raw.prefix(40), as: UTF8.self))")
            }
            parsed[index] = .int32(days)
        case .timestamp:
            let micros: Int64
            switch member.kind {
            case .string(hasEscapes: false):
                guard let t = ScalarParsing.rfc3339Micros(raw) else {
                    return Rejection(.schema, "field '\(name)' is not an RFC 3339 timestamp with an offset (like 2026-11-26T10:15:30.123Z): \(String(decoding: raw.prefix(40), as: UTF8.self))")
                }
                micros = t
            case .number(isInteger: true):
                // Years 0001–9999 only, so the microsecond value cannot overflow.
                guard let ms = ScalarParsing.int64(raw), ms > -62_135_596_800_000, ms < 253_402_300_800_000 else {
                    return Rejection(.schema, "field '\(name)' is not epoch milliseconds in range")
                }
                micros = ms * 1000
            default:
                return Rejection(.schema, "field '\(name)' must be an RFC 3339 string or epoch milliseconds, got \(Self.kindName(member.kind))")
            }
            if let rejection = checkFuture(name, micros, field.rules, .schema) ?? checkFuture(name, micros, field.quality, .quality) { return rejection }
            parsed[index] = .int64(micros)
        case .object:
            guard member.kind == .object else {
                return Rejection(.schema, "field '\(name)' must be a JSON object, got \(Self.kindName(member.kind))")
            }
            parsed[index] = .string(.message(member.raw))
        case .group, .list:
            let value: JSONValue
            do { value = try JSONValue.parse(bytes: Array(UnsafeRawBufferPointer(rebasing: message[member.raw]))) } catch {
                return Rejection(.parse, "field '\(name)': invalid JSON")
            }
            if let rejection = NestedValues(patterns: patterns).check(value, field, path: name) { return rejection }
            parsed[index] = .nested(value)
        }
        return nil
    }

    private mutating func checkStringRules(_ field: TopicField, _ rules: [FieldRule], _ stage: Rejection.Stage, index: Int?, _ value: UnsafeRawBufferPointer, range: inout ParsedRange) -> Rejection? {
        let name = field.name
        for rule in rules {
            switch rule {
            case .oneOf(let values, let caseInsensitive):
                let allowed = index.flatMap { allowedValues[$0] } ?? values.map { Array($0.utf8) }
                if caseInsensitive {
                    let upper = value.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }
                    guard upper.withUnsafeBytes({ u in allowed.contains { Self.equal($0, u) } }) else {
                        return Rejection(stage, "field '\(name)' must be one of \(values.joined(separator: ", ")) (any case), got '\(String(decoding: value.prefix(40), as: UTF8.self))'")
                    }
                    // Stored upper-case.
                    let start = scratch.count
                    scratch.append(contentsOf: upper)
                    range = .scratch(start..<scratch.count)
                } else if !allowed.contains(where: { Self.equal($0, value) }) {
                    return Rejection(stage, "field '\(name)' must be one of \(values.joined(separator: ", ")), got '\(String(decoding: value.prefix(40), as: UTF8.self))'")
                }
            default:
                if let reason = StringRules.violation(rule, value, patterns: patterns) { return Rejection(stage, "field '\(name)' \(reason)") }
            }
        }
        return nil
    }

    func checkNumber(_ name: String, _ value: Double, _ rules: [FieldRule], _ stage: Rejection.Stage) -> Rejection? {
        for rule in rules {
            if let reason = NumberRules.violation(rule, value) { return Rejection(stage, "field '\(name)' \(reason)") }
        }
        return nil
    }

    func checkFuture(_ name: String, _ micros: Int64, _ rules: [FieldRule], _ stage: Rejection.Stage) -> Rejection? {
        for rule in rules {
            if case .notInFutureBeyond(let seconds) = rule, micros > nowMicros + seconds * 1_000_000 {
                return Rejection(stage, "field '\(name)' is more than \(seconds / 3600) h in the future")
            }
        }
        return nil
    }

    static func power10(_ n: Int) -> Int64 {
        var v: Int64 = 1
        for _ in 0..<min(n, 18) { v *= 10 }
        return v
    }
}

/// String rules other than `oneOf` (which the decoder checks on precomputed bytes).
enum StringRules {
    /// Why `value` breaks `rule` ("must be ..."), nil when it does not.
    static func violation(_ rule: FieldRule, _ value: UnsafeRawBufferPointer, patterns: [String: TextPattern]) -> String? {
        switch rule {
        case .length(let allowed):
            let n = ScalarParsing.characterCount(value)
            if !allowed.contains(n) {
                return allowed.upperBound == Int.max
                    ? "must be at least \(allowed.lowerBound) characters, got \(n)"
                    : "must be \(allowed.lowerBound)–\(allowed.upperBound) characters, got \(n)"
            }
        case .upperCaseLetters(let count):
            if value.count != count || !value.allSatisfy({ $0 >= 65 && $0 <= 90 }) {
                return "must be \(count) upper-case letters, got '\(String(decoding: value.prefix(40), as: UTF8.self))'"
            }
        case .pattern(let source):
            let text = String(decoding: value, as: UTF8.self)
            if patterns[source]?.matches(text[...]) != true { return "must match the pattern \(source), got '\(text.prefix(40))'" }
        case .format(let format):
            if !format.accepts(value) { return "must be \(format == .uuid ? "a UUID" : "an e-mail address"), got '\(String(decoding: value.prefix(40), as: UTF8.self))'" }
        case .oneOf(let values, _):
            if !values.contains(String(decoding: value, as: UTF8.self)) {
                return "must be one of \(values.joined(separator: ", ")), got '\(String(decoding: value.prefix(40), as: UTF8.self))'"
            }
        case .range, .multipleOf, .notInFutureBeyond, .itemCount:
            break
        }
        return nil
    }
}

enum NumberRules {
    static func violation(_ rule: FieldRule, _ value: Double) -> String? {
        switch rule {
        case .range(let min, let max, let minExclusive, let maxExclusive):
            if value > max || value < min || (minExclusive && value == min) || (maxExclusive && value == max) {
                return "= \(value) is outside \(rule.summary)"
            }
        case .multipleOf(let m):
            let q = value / m
            if abs(q - q.rounded()) > 1e-9 * Swift.max(1, abs(q)) { return "= \(value) is not a multiple of \(m)" }
        default:
            break
        }
        return nil
    }
}

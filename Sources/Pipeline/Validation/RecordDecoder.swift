import Foundation
import TributaryCore

/// Valid records of one topic, column by column, ready for the table writer.
public struct DecodedBatch: Sendable {
    public var schema: TopicSchema
    /// One column per `schema.storedFields` entry.
    public var columns: [Column]
    public var recordKeys = ByteArrays()
    /// `event_date` values (`yyyy-MM-dd`), the partition of each record.
    public var partitionValues = ByteArrays()
    /// The precombine value: `timestamp` in microseconds.
    public var precombine: [Int64] = []
    public var operations: [RecordOperation] = []
    public var kafkaPartitions: [Int32] = []
    public var kafkaOffsets: [Int64] = []

    public var count: Int { precombine.count }
}

/// Parses, validates and applies the data-quality rules to JSON messages of one topic,
/// appending valid records to column builders (no per-field allocation: values are
/// copied from the message bytes straight into column buffers).
public struct RecordDecoder: Sendable {
    public let schema: TopicSchema
    /// "Now" in epoch microseconds, for the future-timestamp rule.
    public var nowMicros: Int64

    private let fieldNames: [[UInt8]]
    private var nextFieldHint = 0
    /// `oneOf` values per field, as bytes (compared without building strings).
    private let allowedValues: [[[UInt8]]?]
    /// The partition value of the last record's day (records of a batch share a few days).
    private var lastDay = Int64.min
    private var lastDate: [UInt8] = []
    private let keyIndex: Int
    private let timestampIndex: Int
    private var builders: [ColumnBuilder]
    private var extra = ColumnBuilder(kind: .json)
    private var batch: DecodedBatch
    private var dependent: [(field: Int, on: Int, rule: DependentRange)]

    // Per-record scratch, reused.
    private var slots: [JSONObjectScanner.Member?]
    private var parsed: [ParsedValue]
    private var extraRanges: [Range<Int>] = []
    private var scratch: [UInt8] = []

    public init(schema: TopicSchema, nowMicros: Int64) {
        self.schema = schema
        self.nowMicros = nowMicros
        fieldNames = schema.fields.map { Array($0.name.utf8) }
        allowedValues = schema.fields.map { field in
            for rule in field.rules { if case .oneOf(let values, _) = rule { return values.map { Array($0.utf8) } } }
            return nil
        }
        keyIndex = schema.fields.firstIndex { $0.name == schema.recordKey } ?? 0
        timestampIndex = schema.fields.firstIndex { $0.name == TopicSchema.precombineField } ?? 0
        builders = schema.fields.map { ColumnBuilder(kind: .init($0.type)) }
        batch = DecodedBatch(schema: schema, columns: [])
        slots = Array(repeating: nil, count: schema.fields.count)
        parsed = Array(repeating: .none, count: schema.fields.count)
        dependent = schema.dependentRanges.compactMap { rule in
            guard let f = schema.fields.firstIndex(where: { $0.name == rule.field }),
                  let on = schema.fields.firstIndex(where: { $0.name == rule.dependsOn }) else { return nil }
            return (f, on, rule)
        }
    }

    public var count: Int { batch.count }

    /// Validates one message; appends it when valid, else returns why not (nothing appended).
    public mutating func append(_ message: UnsafeRawBufferPointer, partition: Int32, offset: Int64) -> Rejection? {
        for i in slots.indices { slots[i] = nil; parsed[i] = .none }
        extraRanges.removeAll(keepingCapacity: true)
        scratch.removeAll(keepingCapacity: true)
        var operation = RecordOperation.upsert
        var scanner = JSONObjectScanner(message)
        var duplicate: String?
        var badOp: String?
        do {
            try scanner.scanObject { member in
                let key = UnsafeRawBufferPointer(rebasing: message[member.key])
                if let index = fieldIndex(key), !member.keyHasEscapes {
                    if slots[index] != nil { duplicate = schema.fields[index].name }
                    slots[index] = member
                } else if key.elementsEqual("_op".utf8) {
                    let value = UnsafeRawBufferPointer(rebasing: message[member.value])
                    if case .string = member.kind, value.elementsEqual("delete".utf8) {
                        operation = .delete
                    } else if case .string = member.kind, value.elementsEqual("upsert".utf8) {
                        operation = .upsert
                    } else {
                        badOp = String(decoding: UnsafeRawBufferPointer(rebasing: message[member.raw]).prefix(40), as: UTF8.self)
                    }
                } else {
                    extraRanges.append(member.key.lowerBound - 1..<member.raw.upperBound)
                }
            }
        } catch let error as JSONObjectScanner.SyntaxError {
            return Rejection(.parse, "invalid JSON at byte \(error.offset): \(error.message)")
        } catch {
            return Rejection(.parse, "invalid JSON")
        }
        if let duplicate { return Rejection(.schema, "field '\(duplicate)' appears more than once") }
        if let badOp { return Rejection(.schema, "field '_op' must be \"upsert\" or \"delete\", got \(badOp)") }

        // Types and rules, field by field; deletes need only the key and the timestamp.
        for (i, field) in schema.fields.enumerated() {
            let needed = operation == .upsert ? field.required : (i == keyIndex || i == timestampIndex)
            guard let member = slots[i], member.kind != .null else {
                if needed { return Rejection(.schema, "required field '\(field.name)' is missing") }
                continue
            }
            if let rejection = parse(field, index: i, member: member, message: message) { return rejection }
        }
        for rule in dependent {
            guard case .double(let value) = parsed[rule.field], case .string(let range) = parsed[rule.on] else { continue }
            let category = String(decoding: bytes(range, message), as: UTF8.self)
            if let allowed = rule.rule.ranges[category], !allowed.contains(value) {
                let unit = rule.rule.unit[category].map { " \($0)" } ?? ""
                return Rejection(.quality, "field '\(rule.field)' = \(value) is outside \(allowed.lowerBound)…\(allowed.upperBound)\(unit) for \(rule.on) '\(category)'")
            }
        }

        // Valid: append every column and the record's write attributes.
        for i in schema.fields.indices { builders[i].append(parsed[i], message: message, scratch: scratch) }
        if extraRanges.isEmpty {
            extra.appendNull()
        } else {
            extra.appendExtra(extraRanges, message: message)
        }
        guard case .string(let keyRange) = parsed[keyIndex], case .int64(let micros) = parsed[timestampIndex] else {
            return Rejection(.schema, "record key or timestamp missing")
        }
        batch.recordKeys.append(bytes(keyRange, message))
        let day = micros >= 0 ? micros / 86_400_000_000 : (micros - 86_399_999_999) / 86_400_000_000
        if day != lastDay {
            lastDay = day
            lastDate.removeAll(keepingCapacity: true)
            ScalarParsing.appendDate(ofMicros: micros, to: &lastDate)
        }
        batch.partitionValues.append(lastDate)
        batch.precombine.append(micros)
        batch.operations.append(operation)
        batch.kafkaPartitions.append(partition)
        batch.kafkaOffsets.append(offset)
        return nil
    }

    /// The valid records so far, with the processing metadata filled in; resets the decoder.
    public mutating func finish(batchID: String, ingestedAtMicros: Int64) -> DecodedBatch {
        var result = batch
        let n = result.count
        result.columns = builders.map { $0.column() }
        var dates = result.partitionValues
        if dates.count != n { dates = ByteArrays() }
        result.columns.append(Column(.byteArray(dates)))
        result.columns.append(Column(.int64(Array(repeating: ingestedAtMicros, count: n))))
        result.columns.append(Column(.int32(result.kafkaPartitions)))
        result.columns.append(Column(.int64(result.kafkaOffsets)))
        var ids = ByteArrays()
        ids.reserve(values: n, bytes: n * batchID.utf8.count)
        for _ in 0..<n { ids.append(batchID) }
        result.columns.append(Column(.byteArray(ids)))
        result.columns.append(extra.column())
        builders = schema.fields.map { ColumnBuilder(kind: .init($0.type)) }
        extra = ColumnBuilder(kind: .json)
        batch = DecodedBatch(schema: schema, columns: [])
        return result
    }

    private func bytes(_ range: ParsedRange, _ message: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        switch range {
        case .message(let r): UnsafeRawBufferPointer(rebasing: message[r])
        case .scratch(let r): scratch.withUnsafeBytes { UnsafeRawBufferPointer(rebasing: $0[r]) }
        }
    }

    /// The schema field named `key`; members usually come in schema order, so the field
    /// after the previous match is tried first.
    private mutating func fieldIndex(_ key: UnsafeRawBufferPointer) -> Int? {
        let n = fieldNames.count
        guard n > 0 else { return nil }
        for step in 0..<n {
            let i = (nextFieldHint + step) % n
            if Self.equal(fieldNames[i], key) {
                nextFieldHint = i + 1
                return i
            }
        }
        return nil
    }

    static func equal(_ bytes: [UInt8], _ key: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == key.count else { return false }
        guard let b = key.baseAddress, !bytes.isEmpty else { return bytes.isEmpty }
        return bytes.withUnsafeBytes { own in own.baseAddress.map { memcmp($0, b, key.count) == 0 } ?? false }
    }

    private mutating func parse(_ field: TopicField, index: Int, member: JSONObjectScanner.Member, message: UnsafeRawBufferPointer) -> Rejection? {
        let raw = UnsafeRawBufferPointer(rebasing: message[member.value])
        func kindName(_ k: JSONObjectScanner.ValueKind) -> String {
            switch k {
            case .string: "a string"
            case .number: "a number"
            case .bool: "a boolean"
            case .null: "null"
            case .object: "an object"
            case .array: "an array"
            }
        }
        switch field.type {
        case .string:
            guard case .string(let escapes) = member.kind else {
                return Rejection(.schema, "field '\(field.name)' must be a string, got \(kindName(member.kind))")
            }
            var range = ParsedRange.message(member.value)
            if escapes {
                let start = scratch.count
                JSONObjectScanner.unescape(raw, into: &scratch)
                range = .scratch(start..<scratch.count)
            }
            if let rejection = checkStringRules(field, index: index, bytes(range, message), range: &range) { return rejection }
            parsed[index] = .string(range)
        case .decimal(_, let scale):
            let text: UnsafeRawBufferPointer
            switch member.kind {
            case .number, .string(hasEscapes: false): text = raw
            default: return Rejection(.schema, "field '\(field.name)' must be a decimal number, got \(kindName(member.kind))")
            }
            switch ScalarParsing.decimal(text, scale: scale) {
            case .success(let unscaled):
                let value = Double(unscaled) / pow10(scale)
                if let rejection = checkRange(field, value) { return rejection }
                parsed[index] = .int64(unscaled)
            case .failure(.tooManyDecimals(let s)):
                return Rejection(.schema, "field '\(field.name)' has more than \(s) decimal places")
            case .failure(.tooLarge):
                return Rejection(.quality, "field '\(field.name)' is too large for a decimal(18,\(scale))")
            case .failure(.malformed):
                return Rejection(.schema, "field '\(field.name)' is not a decimal number: \(String(decoding: raw.prefix(40), as: UTF8.self))")
            }
        case .double:
            guard case .number = member.kind, let value = ScalarParsing.double(raw) else {
                return Rejection(.schema, "field '\(field.name)' must be a number, got \(kindName(member.kind))")
            }
            guard value.isFinite else { return Rejection(.quality, "field '\(field.name)' must be finite") }
            if let rejection = checkRange(field, value) { return rejection }
            parsed[index] = .double(value)
        case .timestamp:
            let micros: Int64
            switch member.kind {
            case .string(hasEscapes: false):
                guard let t = ScalarParsing.rfc3339Micros(raw) else {
                    return Rejection(.schema, "field '\(field.name)' is not an RFC 3339 timestamp with an offset (like 2026-11-26T10:15:30.123Z): \(String(decoding: raw.prefix(40), as: UTF8.self))")
                }
                micros = t
            case .number(isInteger: true):
                // Years 0001–9999 only, so the microsecond value cannot overflow.
                guard let ms = ScalarParsing.int64(raw), ms > -62_135_596_800_000, ms < 253_402_300_800_000 else {
                    return Rejection(.schema, "field '\(field.name)' is not epoch milliseconds in range")
                }
                micros = ms * 1000
            default:
                return Rejection(.schema, "field '\(field.name)' must be an RFC 3339 string or epoch milliseconds, got \(kindName(member.kind))")
            }
            for rule in field.rules {
                if case .notInFutureBeyond(let seconds) = rule, micros > nowMicros + seconds * 1_000_000 {
                    return Rejection(.quality, "field '\(field.name)' is more than \(seconds / 3600) h in the future")
                }
            }
            parsed[index] = .int64(micros)
        case .object:
            guard member.kind == .object else {
                return Rejection(.schema, "field '\(field.name)' must be a JSON object, got \(kindName(member.kind))")
            }
            parsed[index] = .string(.message(member.raw))
        }
        return nil
    }

    private mutating func checkStringRules(_ field: TopicField, index: Int, _ value: UnsafeRawBufferPointer, range: inout ParsedRange) -> Rejection? {
        for rule in field.rules {
            switch rule {
            case .length(let allowed):
                let n = ScalarParsing.characterCount(value)
                if !allowed.contains(n) {
                    return Rejection(.schema, "field '\(field.name)' must be \(allowed.lowerBound)–\(allowed.upperBound) characters, got \(n)")
                }
            case .oneOf(let values, let caseInsensitive):
                let allowed = allowedValues[index] ?? values.map { Array($0.utf8) }
                if caseInsensitive {
                    let upper = value.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }
                    guard upper.withUnsafeBytes({ u in allowed.contains { Self.equal($0, u) } }) else {
                        return Rejection(.schema, "field '\(field.name)' must be one of \(values.joined(separator: ", ")) (any case), got '\(String(decoding: value.prefix(40), as: UTF8.self))'")
                    }
                    // Stored upper-case.
                    let start = scratch.count
                    scratch.append(contentsOf: upper)
                    range = .scratch(start..<scratch.count)
                } else if !allowed.contains(where: { Self.equal($0, value) }) {
                    return Rejection(.schema, "field '\(field.name)' must be one of \(values.joined(separator: ", ")), got '\(String(decoding: value.prefix(40), as: UTF8.self))'")
                }
            case .upperCaseLetters(let count):
                if value.count != count || !value.allSatisfy({ $0 >= 65 && $0 <= 90 }) {
                    return Rejection(.schema, "field '\(field.name)' must be \(count) upper-case letters, got '\(String(decoding: value.prefix(40), as: UTF8.self))'")
                }
            default:
                break
            }
        }
        return nil
    }

    private func checkRange(_ field: TopicField, _ value: Double) -> Rejection? {
        for rule in field.rules {
            if case .range(let min, let max, let minExclusive) = rule {
                if value > max || value < min || (minExclusive && value == min) {
                    return Rejection(.quality, "field '\(field.name)' = \(value) is outside \(minExclusive ? "(" : "[")\(min), \(max)]")
                }
            }
        }
        return nil
    }

    private func pow10(_ n: Int) -> Double {
        var v = 1.0
        for _ in 0..<n { v *= 10 }
        return v
    }
}

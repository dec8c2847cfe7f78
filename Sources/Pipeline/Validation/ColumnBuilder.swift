import Foundation
import TributaryCore

/// Where a parsed value's bytes are: in the message itself, or in the decoder's scratch
/// buffer (strings that had escapes to undo).
enum ParsedRange: Sendable {
    case message(Range<Int>)
    case scratch(Range<Int>)
}

/// One field's value as the decoder parsed it, before it is appended to its column.
enum ParsedValue: Sendable {
    case none
    case string(ParsedRange)
    case int64(Int64)
    case int32(Int32)
    case bool(Bool)
    case double(Double)
    /// A nested object or array, already checked against its field.
    case nested(JSONValue)
}

/// Appends values of one column.
struct ColumnBuilder: Sendable {
    enum Kind: Sendable {
        case string, json, int64, int32, bool, double, nested
        init(_ type: TopicFieldType) {
            switch type {
            case .string: self = .string
            case .object: self = .json
            case .decimal(let precision, _): self = precision <= 9 ? .int32 : .int64
            case .timestamp, .integer: self = .int64
            case .date: self = .int32
            case .boolean: self = .bool
            case .double: self = .double
            case .group, .list: self = .nested
            }
        }
    }

    let kind: Kind
    var bytes = ByteArrays()
    var int64s: [Int64] = []
    var int32s: [Int32] = []
    var bools: [Bool] = []
    var doubles: [Double] = []
    var validity: [Bool] = []
    var hasNull = false
    /// Nested fields: the shredder (nil when the field has no nested layout).
    var nested: NestedShredder?

    init(kind: Kind) { self.kind = kind }

    init(_ field: TopicField) {
        kind = Kind(field.type)
        if kind == .nested { nested = NestedShredder(field) }
    }

    mutating func appendNull() {
        validity.append(false)
        hasNull = true
        switch kind {
        case .string, .json: bytes.appendEmpty()
        case .int64: int64s.append(0)
        case .int32: int32s.append(0)
        case .bool: bools.append(false)
        case .double: doubles.append(0)
        case .nested: nested?.appendNull()
        }
    }

    mutating func append(_ value: ParsedValue, message: UnsafeRawBufferPointer, scratch: [UInt8]) {
        switch value {
        case .none: appendNull(); return
        case .string(.message(let r)): bytes.append(UnsafeRawBufferPointer(rebasing: message[r]))
        case .string(.scratch(let r)): scratch.withUnsafeBytes { bytes.append(UnsafeRawBufferPointer(rebasing: $0[r])) }
        case .int64(let v) where kind == .int32: int32s.append(Int32(truncatingIfNeeded: v))
        case .int64(let v): int64s.append(v)
        case .int32(let v): int32s.append(v)
        case .bool(let v): bools.append(v)
        case .double(let v): doubles.append(v)
        case .nested(let v): nested?.append(v)
        }
        validity.append(true)
    }

    /// `{"k":v,...}` from the raw member texts of unknown fields.
    mutating func appendExtra(_ members: [Range<Int>], message: UnsafeRawBufferPointer) {
        var text: [UInt8] = [UInt8(ascii: "{")]
        for (i, r) in members.enumerated() {
            if i > 0 { text.append(UInt8(ascii: ",")) }
            text.append(contentsOf: UnsafeRawBufferPointer(rebasing: message[r]))
        }
        text.append(UInt8(ascii: "}"))
        bytes.append(text)
        validity.append(true)
    }

    func column() -> Column {
        let values: ColumnValues = switch kind {
        case .string, .json: .byteArray(bytes)
        case .int64: .int64(int64s)
        case .int32: .int32(int32s)
        case .bool: .boolean(bools)
        case .double: .double(doubles)
        // Nested fields are taken from `nestedColumn()`; this slot only keeps the row count.
        case .nested: .boolean(validity)
        }
        return Column(values, validity: hasNull ? validity : nil)
    }

    func nestedColumn() throws -> NestedColumn? {
        try nested?.finish()
    }
}

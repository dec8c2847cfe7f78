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
    case double(Double)
}

/// Appends values of one column.
struct ColumnBuilder: Sendable {
    enum Kind: Sendable {
        case string, json, int64, double
        init(_ type: TopicFieldType) {
            switch type {
            case .string: self = .string
            case .object: self = .json
            case .decimal, .timestamp: self = .int64
            case .double: self = .double
            }
        }
    }

    let kind: Kind
    var bytes = ByteArrays()
    var int64s: [Int64] = []
    var doubles: [Double] = []
    var validity: [Bool] = []
    var hasNull = false

    init(kind: Kind) { self.kind = kind }

    mutating func appendNull() {
        validity.append(false)
        hasNull = true
        switch kind {
        case .string, .json: bytes.appendEmpty()
        case .int64: int64s.append(0)
        case .double: doubles.append(0)
        }
    }

    mutating func append(_ value: ParsedValue, message: UnsafeRawBufferPointer, scratch: [UInt8]) {
        switch value {
        case .none: appendNull(); return
        case .string(.message(let r)): bytes.append(UnsafeRawBufferPointer(rebasing: message[r]))
        case .string(.scratch(let r)): scratch.withUnsafeBytes { bytes.append(UnsafeRawBufferPointer(rebasing: $0[r])) }
        case .int64(let v): int64s.append(v)
        case .double(let v): doubles.append(v)
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
        case .double: .double(doubles)
        }
        return Column(values, validity: hasNull ? validity : nil)
    }
}

import Foundation

/// A JSON document as a value, with object keys kept in order (commit metadata reads and
/// writes in the order Hudi does; query results keep DuckDB's column order). The one JSON
/// value type of the project: the zero-copy `JSONObjectScanner` of the decoder is the only
/// other reader, for the hot path.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Keys in insertion order.
    case object([(String, JSONValue)])

    /// Equality as a reader sees it: NaN equals NaN, objects compare key by key in order.
    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public func hash(into h: inout Hasher) {
        switch self {
        case .null: h.combine(0)
        case .bool(let v): h.combine(v)
        case .int(let v): h.combine(v)
        case .double(let v): h.combine(v.isNaN ? Double.nan.bitPattern : v.bitPattern)
        case .string(let v): h.combine(v)
        case .array(let v): h.combine(v)
        case .object(let v): for (k, x) in v { h.combine(k); h.combine(x) }
        }
    }

    /// The value of `key` in an object (the last one when a key repeats), nil otherwise.
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o.last(where: { $0.0 == key })?.1 }
        return nil
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// An integer, also from an integral double or a decimal string.
    public var int: Int64? {
        switch self {
        case .int(let v): return v
        case .double(let d): return Int64(exactly: d)
        case .string(let s): return Int64(s)
        default: return nil
        }
    }

    /// A number as a double (integers converted).
    public var double: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .double(let d): return d
        default: return nil
        }
    }

    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var objectEntries: [(String, JSONValue)]? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var arrayValues: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// Parses JSON text (RFC 8259), keeping object key order.
    public static func parse(_ data: Data, options: JSONParser.Options = .strict) throws -> JSONValue {
        try parse(bytes: [UInt8](data), options: options)
    }

    public static func parse(_ text: String, options: JSONParser.Options = .strict) throws -> JSONValue {
        try parse(bytes: Array(text.utf8), options: options)
    }

    public static func parse(bytes: [UInt8], options: JSONParser.Options = .strict) throws -> JSONValue {
        var p = JSONParser(bytes: bytes, options: options)
        return try p.document()
    }
}

/// Building values from Swift literals, for tests and small documents.
extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(nilLiteral: ()) { self = .null }
}

/// Why JSON text could not be read: the byte offset and what was expected there.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var reason: String
    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

import TributaryCore

/// A validating scanner for one JSON object (a Kafka message value), built for the
/// processor's hot path: it reports each top-level member as byte ranges into the
/// input — no allocation per field, no intermediate tree. Nested objects and arrays are
/// validated and handed back whole, as raw JSON text.
struct JSONObjectScanner {
    enum ValueKind: Equatable {
        case string(hasEscapes: Bool)
        case number(isInteger: Bool)
        case bool(Bool)
        case null
        case object
        case array
    }

    struct Member {
        /// The key's bytes without quotes (escapes not decoded: keys with escapes are rare
        /// and compare unequal to every schema field, which is what we want).
        var key: Range<Int>
        var keyHasEscapes: Bool
        var kind: ValueKind
        /// The value's bytes; for strings without the quotes.
        var value: Range<Int>
        /// The value's raw JSON text (strings with their quotes).
        var raw: Range<Int>
    }

    struct SyntaxError: Error, Equatable {
        var offset: Int
        var message: String
    }

    static let maximumDepth = 64

    let bytes: UnsafeRawBufferPointer
    private(set) var position = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Scans the whole input, which must be exactly one JSON object, calling `member`
    /// for each of its top-level members in order.
    mutating func scanObject(_ member: (Member) throws -> Void) throws {
        skipWhitespace()
        guard peek() == UInt8(ascii: "{") else { throw error(position < bytes.count ? "expected a JSON object" : "empty message") }
        position += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw error("expected a member name in quotes") }
                let keyStart = position + 1
                let keyEscapes = try skipString()
                let key = keyStart..<(position - 1)
                skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { throw error("expected ':' after a member name") }
                position += 1
                skipWhitespace()
                let rawStart = position
                let kind = try skipValue(depth: 1)
                let raw = rawStart..<position
                let value: Range<Int>
                if case .string = kind { value = (raw.lowerBound + 1)..<(raw.upperBound - 1) } else { value = raw }
                try member(Member(key: key, keyHasEscapes: keyEscapes, kind: kind, value: value, raw: raw))
                skipWhitespace()
                if peek() == UInt8(ascii: ",") { position += 1; continue }
                if peek() == UInt8(ascii: "}") { position += 1; break }
                throw error("expected ',' or '}' in the object")
            }
        }
        skipWhitespace()
        guard position == bytes.count else { throw error("unexpected text after the JSON object") }
    }

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private func error(_ message: String) -> SyntaxError { SyntaxError(offset: position, message: message) }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// Bytes that end the fast run through a string: the quote, the backslash and the
    /// control characters (invalid unescaped).
    private static let stringStops: [Bool] = (0..<256).map { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }

    /// Skips a string starting at its opening quote; returns whether it has escapes.
    private mutating func skipString() throws -> Bool {
        position += 1
        var escapes = false
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { throw error("unterminated string") }
        let end = bytes.count
        try Self.stringStops.withUnsafeBufferPointer { stops in
            while true {
                // Most string bytes are ordinary: run over them with one table load each.
                var i = position
                while i < end && !stops[Int(base[i])] { i += 1 }
                position = i
                guard i < end else { throw error("unterminated string") }
                let c = base[i]
                if c == UInt8(ascii: "\"") { position += 1; return }
                if c == UInt8(ascii: "\\") {
                    escapes = true
                    guard position + 1 < end else { throw error("unterminated string") }
                    switch base[position + 1] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                         UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        position += 2
                    case UInt8(ascii: "u"):
                        guard position + 5 < end, (2...5).allSatisfy({ JSONEscapes.hexValue(base[position + $0]) != nil }) else {
                            throw error("invalid \\u escape in a string")
                        }
                        position += 6
                    default:
                        throw error("invalid escape in a string")
                    }
                    continue
                }
                throw error("control character in a string")
            }
        }
        return escapes
    }

    private mutating func skipValue(depth: Int) throws -> ValueKind {
        guard depth <= Self.maximumDepth else { throw error("nested deeper than \(Self.maximumDepth) levels") }
        guard let c = peek() else { throw error("expected a value") }
        switch c {
        case UInt8(ascii: "\""):
            return .string(hasEscapes: try skipString())
        case UInt8(ascii: "{"):
            try skipContainer(isObject: true, depth: depth)
            return .object
        case UInt8(ascii: "["):
            try skipContainer(isObject: false, depth: depth)
            return .array
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default:
            return .number(isInteger: try skipNumber())
        }
    }

    /// Skips an object or an array from its opening bracket through its closing one: the
    /// comma-separated entries, each a value (in an object, after a member name and ':').
    private mutating func skipContainer(isObject: Bool, depth: Int) throws {
        let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        position += 1
        skipWhitespace()
        if peek() == close { position += 1; return }
        while true {
            skipWhitespace()
            if isObject {
                guard peek() == UInt8(ascii: "\"") else { throw error("expected a member name in quotes") }
                _ = try skipString()
                skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { throw error("expected ':' after a member name") }
                position += 1
                skipWhitespace()
            }
            _ = try skipValue(depth: depth + 1)
            skipWhitespace()
            if peek() == UInt8(ascii: ",") { position += 1; continue }
            if peek() == close { position += 1; return }
            throw error(isObject ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array")
        }
    }

    private mutating func literal(_ text: StaticString) throws {
        let n = text.utf8CodeUnitCount
        guard position + n <= bytes.count else { throw error("invalid literal") }
        for i in 0..<n where bytes[position + i] != text.utf8Start[i] { throw error("invalid literal") }
        position += n
    }

    /// Skips a number (JSON grammar); returns whether it is an integer.
    private mutating func skipNumber() throws -> Bool {
        let start = position
        var integer = true
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else {
            position = start
            throw error("expected a value")
        }
        if first == UInt8(ascii: "0") { position += 1 } else { skipDigits() }
        if peek() == UInt8(ascii: ".") {
            integer = false
            position += 1
            guard skipDigits() > 0 else { throw error("expected digits after '.'") }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            integer = false
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            guard skipDigits() > 0 else { throw error("expected digits in the exponent") }
        }
        return integer
    }

    @discardableResult
    private mutating func skipDigits() -> Int {
        let start = position
        while let c = peek(), c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { position += 1 }
        return position - start
    }

    /// Decodes a JSON string's content (between the quotes) with escapes into UTF-8.
    static func unescape(_ content: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        JSONEscapes.unescape(content, into: &out)
    }
}

/// The one recursive-descent JSON parser (RFC 8259) behind `JSONValue.parse`.
public struct JSONParser {
    /// What the parser accepts beyond RFC 8259.
    public struct Options: Sendable {
        /// Bare `NaN`, `Infinity`, `-Infinity` (and `nan`, `inf`, `-inf`), as DuckDB prints doubles.
        public var allowsNonFiniteNumbers: Bool
        /// Integers beyond Int64 kept as their exact digits in `.string` instead of a rounded double.
        public var keepsBigIntegersAsText: Bool
        /// Nesting deeper than this is refused (stack safety on hostile input).
        public var maxDepth: Int

        public init(allowsNonFiniteNumbers: Bool = false, keepsBigIntegersAsText: Bool = false, maxDepth: Int = 200) {
            self.allowsNonFiniteNumbers = allowsNonFiniteNumbers
            self.keepsBigIntegersAsText = keepsBigIntegersAsText
            self.maxDepth = maxDepth
        }

        public static let strict = Options()
    }

    private let bytes: [UInt8]
    private let options: Options
    private var at = 0

    init(bytes: [UInt8], options: Options) {
        self.bytes = bytes
        self.options = options
    }

    /// One value with nothing but whitespace around it.
    mutating func document() throws -> JSONValue {
        skipSpace()
        let v = try value(depth: 0)
        skipSpace()
        guard at == bytes.count else { throw fail("trailing characters after the JSON value") }
        return v
    }

    private mutating func skipSpace() {
        while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
    }

    private func fail(_ reason: String) -> JSONError { JSONError(offset: at, reason: reason) }

    private mutating func value(depth: Int) throws -> JSONValue {
        guard depth < options.maxDepth else { throw fail("nested too deeply") }
        guard at < bytes.count else { throw fail("unexpected end") }
        switch bytes[at] {
        case UInt8(ascii: "{"):
            at += 1
            var o: [(String, JSONValue)] = []
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .object(o) }
            while true {
                skipSpace()
                let k = try string()
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                at += 1
                skipSpace()
                o.append((k, try value(depth: depth + 1)))
                skipSpace()
                guard at < bytes.count else { throw fail("unterminated object") }
                if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                if bytes[at] == UInt8(ascii: "}") { at += 1; return .object(o) }
                throw fail("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            at += 1
            var a: [JSONValue] = []
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return .array(a) }
            while true {
                skipSpace()
                a.append(try value(depth: depth + 1))
                skipSpace()
                guard at < bytes.count else { throw fail("unterminated array") }
                if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                if bytes[at] == UInt8(ascii: "]") { at += 1; return .array(a) }
                throw fail("expected ',' or ']'")
            }
        case UInt8(ascii: "\""): return .string(try string())
        default:
            if literal("true") { return .bool(true) }
            if literal("false") { return .bool(false) }
            if literal("null") { return .null }
            if options.allowsNonFiniteNumbers {
                if literal("NaN") || literal("nan") || literal("-nan") { return .double(.nan) }
                if literal("Infinity") || literal("inf") { return .double(.infinity) }
                if literal("-Infinity") || literal("-inf") { return .double(-.infinity) }
            }
            return try number()
        }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard at + n <= bytes.count else { return false }
        let matches = word.withUTF8Buffer { w in (0..<n).allSatisfy { bytes[at + $0] == w[$0] } }
        if matches { at += n }
        return matches
    }

    private mutating func number() throws -> JSONValue {
        let start = at
        var isInteger = true
        while at < bytes.count {
            let c = bytes[at]
            if (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") { at += 1; continue }
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { isInteger = false; at += 1; continue }
            break
        }
        guard at > start else { throw fail("unexpected character") }
        let text = String(decoding: bytes[start..<at], as: UTF8.self)
        if isInteger, let i = Int64(text) { return .int(i) }
        if isInteger, options.keepsBigIntegersAsText { return .string(text) }
        guard let d = Double(text) else { at = start; throw fail("bad number '\(text)'") }
        return .double(d)
    }

    private mutating func string() throws -> String {
        guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw fail("expected string") }
        at += 1
        let start = at
        var escaped = false
        // Find the end, checking the escapes; then unescape only when there are any.
        while true {
            guard at < bytes.count else { throw fail("unterminated string") }
            let c = bytes[at]
            if c == UInt8(ascii: "\"") { break }
            guard c == UInt8(ascii: "\\") else { at += 1; continue }
            escaped = true
            guard at + 1 < bytes.count else { throw fail("bad escape") }
            if bytes[at + 1] == UInt8(ascii: "u") {
                guard at + 6 <= bytes.count, (at + 2..<at + 6).allSatisfy({ JSONEscapes.hexValue(bytes[$0]) != nil }) else {
                    throw fail("bad \\u escape")
                }
                at += 6
            } else {
                at += 2
            }
        }
        let end = at
        at += 1
        guard escaped else { return String(decoding: bytes[start..<end], as: UTF8.self) }
        var out = [UInt8]()
        out.reserveCapacity(end - start)
        bytes.withUnsafeBytes { JSONEscapes.unescape(UnsafeRawBufferPointer(rebasing: $0[start..<end]), into: &out) }
        return String(decoding: out, as: UTF8.self)
    }
}

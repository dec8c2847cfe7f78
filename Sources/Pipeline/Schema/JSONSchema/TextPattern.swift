/// A JSON Schema `pattern`: a regular expression that matches anywhere in the string
/// (anchors are the schema's own), as draft 2020-12 says.
struct TextPattern: @unchecked Sendable {
    // A compiled Regex is immutable; it is only read after init.
    private let regex: Regex<AnyRegexOutput>

    init?(_ source: String) {
        guard let regex = try? Regex(source) else { return nil }
        self.regex = regex
    }

    func matches(_ text: Substring) -> Bool { (try? regex.firstMatch(in: text)) != nil }
}

/// String formats of the subset, checked without regular expressions.
extension StringFormat {
    func accepts(_ bytes: UnsafeRawBufferPointer) -> Bool {
        switch self {
        case .uuid:
            // 8-4-4-4-12 hexadecimal digits.
            guard bytes.count == 36 else { return false }
            for (i, b) in bytes.enumerated() {
                if i == 8 || i == 13 || i == 18 || i == 23 {
                    if b != UInt8(ascii: "-") { return false }
                } else if !((48...57).contains(b) || (65...70).contains(b) || (97...102).contains(b)) {
                    return false
                }
            }
            return true
        case .email:
            // local@domain.tld: one @, no spaces, a dot inside the domain.
            guard let at = bytes.firstIndex(of: UInt8(ascii: "@")), at > 0,
                  bytes.lastIndex(of: UInt8(ascii: "@")) == at, at < bytes.count - 1 else { return false }
            if bytes.contains(where: { $0 <= 32 }) { return false }
            let domain = bytes[(at + 1)...]
            guard let dot = domain.firstIndex(of: UInt8(ascii: ".")) else { return false }
            return dot > at + 1 && domain.last != UInt8(ascii: ".")
        }
    }
}

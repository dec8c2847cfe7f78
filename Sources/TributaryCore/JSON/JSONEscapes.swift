/// JSON string escapes, read back: the one unescaper behind `JSONValue.parse` and the
/// decoder's zero-copy scanner (both check the escapes while finding the string's end).
public enum JSONEscapes {
    /// Decodes a JSON string's content (between the quotes, escapes checked) into UTF-8;
    /// an unknown escape stands for its character, a lone surrogate for U+FFFD.
    public static func unescape(_ content: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        var i = 0
        while i < content.count {
            let c = content[i]
            guard c == UInt8(ascii: "\\"), i + 1 < content.count else { out.append(c); i += 1; continue }
            let e = content[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(content, i)
                i += 4
                // A surrogate pair spells one scalar above U+FFFF.
                if (0xD800...0xDBFF).contains(scalar), i + 5 < content.count,
                   content[i] == UInt8(ascii: "\\"), content[i + 1] == UInt8(ascii: "u") {
                    let low = hex4(content, i + 2)
                    if (0xDC00...0xDFFF).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                let s = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                out.append(contentsOf: String(Character(s)).utf8)
            default: out.append(e)
            }
        }
    }

    /// The value of a hexadecimal digit.
    public static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func hex4(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt32 {
        guard i + 3 < b.count else { return 0xFFFD }
        var v: UInt32 = 0
        for k in 0..<4 { v = v << 4 | UInt32(hexValue(b[i + k]) ?? 0) }
        return v
    }
}

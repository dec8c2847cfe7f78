import Foundation

/// Reads and writes `java.util.Properties` text (the format of `hoodie.properties` and
/// `.hoodie_partition_metadata`), so Java readers load what we write unchanged.
public enum JavaProperties {
    /// Parses `key=value` / `key:value` / `key value` lines; `#` and `!` start comments;
    /// backslash escapes and line continuations as `Properties.load` handles them.
    public static func parse(_ text: String) -> [(key: String, value: String)] {
        var result: [(key: String, value: String)] = []
        var logical: [String] = []
        var current = ""
        var continuing = false
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            var line = Substring(raw)
            if continuing {
                line = line.drop(while: { $0 == " " || $0 == "\t" || $0 == "\u{0C}" })
            } else {
                let trimmed = line.drop(while: { $0 == " " || $0 == "\t" || $0 == "\u{0C}" })
                if trimmed.isEmpty || trimmed.first == "#" || trimmed.first == "!" { continue }
                line = trimmed
            }
            // An odd number of trailing backslashes continues the line.
            var backslashes = 0
            for c in line.reversed() { if c == "\\" { backslashes += 1 } else { break } }
            if backslashes % 2 == 1 {
                current += line.dropLast()
                continuing = true
            } else {
                current += line
                logical.append(current)
                current = ""
                continuing = false
            }
        }
        if continuing { logical.append(current) }
        for line in logical {
            var key = ""
            var value = ""
            var chars = Array(line)
            var i = 0
            // Key ends at an unescaped separator.
            var keyRaw: [Character] = []
            while i < chars.count {
                let c = chars[i]
                if c == "\\", i + 1 < chars.count {
                    keyRaw.append(c); keyRaw.append(chars[i + 1]); i += 2; continue
                }
                if c == "=" || c == ":" || c == " " || c == "\t" || c == "\u{0C}" { break }
                keyRaw.append(c)
                i += 1
            }
            while i < chars.count, chars[i] == " " || chars[i] == "\t" || chars[i] == "\u{0C}" { i += 1 }
            if i < chars.count, chars[i] == "=" || chars[i] == ":" { i += 1 }
            while i < chars.count, chars[i] == " " || chars[i] == "\t" || chars[i] == "\u{0C}" { i += 1 }
            key = unescape(keyRaw)
            chars = Array(chars[i...])
            value = unescape(chars)
            result.append((key, value))
        }
        return result
    }

    private static func unescape(_ chars: [Character]) -> String {
        var out = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            guard c == "\\", i + 1 < chars.count else { out.append(c); i += 1; continue }
            let n = chars[i + 1]
            i += 2
            switch n {
            case "t": out.append("\t")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "f": out.append("\u{0C}")
            case "u":
                let hex = String(chars[i..<min(i + 4, chars.count)])
                if let v = UInt32(hex, radix: 16), let s = Unicode.Scalar(v) { out.unicodeScalars.append(s) }
                i += 4
            default: out.append(n)
            }
        }
        return out
    }

    /// Renders entries in the given order like `Properties.store`: a date comment line, then
    /// `key=value` with `\`, `=`, `:`, `#`, `!` and leading spaces escaped; non-ASCII as `\uXXXX`.
    public static func render(_ entries: [(key: String, value: String)], comments: [String], date: Date = Date()) -> String {
        var out = ""
        for c in comments { out += "#\(c)\n" }
        out += "#\(javaDateString(date))\n"
        for (k, v) in entries {
            out += escape(k, isKey: true) + "=" + escape(v, isKey: false) + "\n"
        }
        return out
    }

    static func escape(_ s: String, isKey: Bool) -> String {
        var out = ""
        for (i, u) in s.unicodeScalars.enumerated() {
            switch u {
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\u{0C}": out += "\\f"
            case "\\", "=", ":", "#", "!": out += "\\" + String(u)
            case " ": out += (i == 0 || isKey) ? "\\ " : " "
            default:
                if u.value < 0x20 || u.value > 0x7E {
                    // Java escapes as UTF-16 code units.
                    for unit in String(u).utf16 {
                        let h = String(unit, radix: 16, uppercase: true)
                        out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                    }
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out
    }

    /// `Date.toString()` style, in UTC: `Thu Nov 26 11:05:00 UTC 2026`.
    static func javaDateString(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE MMM dd HH:mm:ss 'UTC' yyyy"
        return f.string(from: date)
    }
}

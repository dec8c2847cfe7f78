/// Writing JSON: the one string escaper, compact text and Jackson-style pretty text.

/// Appends `s` as a JSON string literal (quotes and escapes).
public func appendJSONString(_ s: String, to out: inout String) {
    out += "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 {
                let h = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    out += "\""
}

/// `s` as a JSON string literal.
public func jsonQuoted(_ s: String) -> String {
    var out = ""
    appendJSONString(s, to: &out)
    return out
}

/// Appends a double as JSON: NaN and the infinities as the strings `"NaN"`, `"Infinity"`,
/// `"-Infinity"` (JSON has no such numbers; readers such as pandas and DuckDB accept these).
public func appendJSONNumber(_ d: Double, to out: inout String) {
    if d.isNaN { out += "\"NaN\"" } else if d.isInfinite { out += d < 0 ? "\"-Infinity\"" : "\"Infinity\"" } else { out += "\(d)" }
}

extension JSONValue {
    /// Compact JSON text.
    public var json: String {
        var out = ""
        appendCompact(to: &out)
        return out
    }

    public func appendCompact(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): appendJSONNumber(d, to: &out)
        case .string(let s): appendJSONString(s, to: &out)
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                v.appendCompact(to: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for (i, (k, v)) in o.enumerated() {
                if i > 0 { out += "," }
                appendJSONString(k, to: &out)
                out += ":"
                v.appendCompact(to: &out)
            }
            out += "}"
        }
    }

    /// Pretty-printed like Jackson's default pretty printer (`"key" : value`, two-space
    /// indent), as Hudi writes commit metadata.
    public func pretty() -> String {
        var out = ""
        appendPretty(to: &out, indent: 0)
        return out
    }

    private func appendPretty(to out: inout String, indent: Int) {
        let pad = String(repeating: " ", count: indent)
        switch self {
        case .null, .bool, .int, .double, .string: appendCompact(to: &out)
        case .array(let a):
            if a.isEmpty { out += "[ ]"; return }
            out += "[ "
            for (i, v) in a.enumerated() {
                if i > 0 { out += ", " }
                v.appendPretty(to: &out, indent: indent)
            }
            out += " ]"
        case .object(let o):
            if o.isEmpty { out += "{ }"; return }
            out += "{\n"
            for (i, (k, v)) in o.enumerated() {
                out += pad + "  "
                appendJSONString(k, to: &out)
                out += " : "
                v.appendPretty(to: &out, indent: indent + 2)
                out += i == o.count - 1 ? "\n" : ",\n"
            }
            out += pad + "}"
        }
    }

    /// Appends `s` as a quoted, escaped JSON string.
    public static func appendString(_ s: String, to out: inout String) {
        appendJSONString(s, to: &out)
    }
}

extension JSONValue {
    /// The value as plain text, as a message key or a table cell shows it: a string without
    /// quotes, anything else as compact JSON.
    public var plainText: String {
        if case .string(let s) = self { return s }
        return json
    }
}

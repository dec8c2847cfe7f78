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
    out.reserveCapacity(s.utf8.count + 2)
    appendJSONString(s, to: &out)
    return out
}

/// Appends a double as JSON: NaN and the infinities as the strings `"NaN"`, `"Infinity"`,
/// `"-Infinity"` (JSON has no such numbers; readers such as pandas and DuckDB accept these).
public func appendJSONNumber(_ d: Double, to out: inout String) {
    if d.isNaN { out += "\"NaN\"" } else if d.isInfinite { out += d < 0 ? "\"-Infinity\"" : "\"Infinity\"" } else { out += "\(d)" }
}

/// Appends `items` as a compact JSON array, each element written by `element`.
@inlinable
public func appendJSONArray<Items: Sequence>(_ items: Items, to out: inout String,
                                             element: (Items.Element, inout String) -> Void) {
    appendJSONContainer(items, open: "[", close: "]", to: &out, element: element)
}

/// Appends `members` as a compact JSON object, in their order: each member's name (escaped)
/// from `name`, its value written by `value`.
@inlinable
public func appendJSONObject<Members: Sequence>(_ members: Members, to out: inout String, name: (Members.Element) -> String,
                                                value: (Members.Element, inout String) -> Void) {
    appendJSONContainer(members, open: "{", close: "}", to: &out) { member, out in
        appendJSONString(name(member), to: &out)
        out += ":"
        value(member, &out)
    }
}

/// `open`, the elements separated by commas, `close`.
@inlinable
func appendJSONContainer<Items: Sequence>(_ items: Items, open: String, close: String, to out: inout String,
                                          element: (Items.Element, inout String) -> Void) {
    out += open
    var first = true
    for item in items {
        if !first { out += "," }
        first = false
        element(item, &out)
    }
    out += close
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
        case .array(let a): appendJSONArray(a, to: &out) { v, out in v.appendCompact(to: &out) }
        case .object(let o): appendJSONObject(o, to: &out, name: \.0) { member, out in member.1.appendCompact(to: &out) }
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
}

extension JSONValue {
    /// The value as plain text, as a message key or a table cell shows it: a string without
    /// quotes, anything else as compact JSON.
    public var plainText: String {
        if case .string(let s) = self { return s }
        return json
    }
}

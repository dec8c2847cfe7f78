/// The characters markup escapes by name (`'` as `&#39;`, which XML and HTML both read).
private let escapedByName: [Unicode.Scalar: String] = ["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"]
/// XML's predefined entities.
private let namedEntities: [Substring: Unicode.Scalar] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"]

/// Escapes text for XML and HTML alike (element bodies and quoted attribute values): the
/// five markup characters as entities, other control characters than tab, newline and
/// return as numeric references.
public func escapeMarkup(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for ch in text.unicodeScalars {
        if let entity = escapedByName[ch] {
            out += entity
        } else if ch.value < 0x20, ch != "\n", ch != "\t", ch != "\r" {
            out += "&#\(ch.value);"
        } else {
            out.unicodeScalars.append(ch)
        }
    }
    return out
}

/// XML text with its entities replaced: the predefined ones and numeric references
/// (`&#38;`, `&#x26;`); anything else is left as written.
public func unescapeMarkup(_ text: String) -> String {
    guard text.contains("&") else { return text }
    var out = ""
    var rest = Substring(text)
    while let amp = rest.firstIndex(of: "&") {
        out += rest[..<amp]
        rest = rest[amp...]
        guard let semi = rest.firstIndex(of: ";") else { break }
        let entity = rest[rest.index(after: amp)..<semi]
        var scalar = namedEntities[entity]
        if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
            scalar = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
        } else if entity.hasPrefix("#") {
            scalar = UInt32(entity.dropFirst(1)).flatMap(Unicode.Scalar.init)
        }
        if let scalar { out.unicodeScalars.append(scalar) } else { out += rest[amp...semi] }
        rest = rest[rest.index(after: semi)...]
    }
    out += rest
    return out
}

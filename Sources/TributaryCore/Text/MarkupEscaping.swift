/// Escapes text for XML and HTML alike (element bodies and quoted attribute values): the
/// five markup characters as entities (`'` as `&#39;`, which both languages read), other
/// control characters than tab, newline and return as numeric references.
public func escapeMarkup(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for ch in text.unicodeScalars {
        switch ch {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        case "\n", "\t", "\r": out.unicodeScalars.append(ch)
        default:
            if ch.value < 0x20 { out += "&#\(ch.value);" } else { out.unicodeScalars.append(ch) }
        }
    }
    return out
}

import Foundation

/// Renders values as JSON the way `tributary parquet cat` prints them: timestamps as
/// ISO-8601 strings, decimals as strings, binary as base64, NaN/±Infinity as strings.
extension ParquetValue {
    public var json: String {
        var out = ""
        appendJSON(to: &out)
        return out
    }

    func appendJSON(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let v): out += String(v)
        case .uint(let v): out += String(v)
        case .float(let f): appendDouble(Double(f), to: &out)
        case .double(let d): appendDouble(d, to: &out)
        case .string(let s): appendJSONString(s, to: &out)
        case .bytes(let b): out += "\"" + Data(b).base64EncodedString() + "\""
        case .decimal(let s): out += "\"" + s + "\""
        case .date(let d): out += "\"" + formatDate(Int64(d)) + "\""
        case .timestamp(let v, let unit, let utc): out += "\"" + formatTimestamp(v, unit: unit, utc: utc) + "\""
        case .time(let v, let unit): out += "\"" + formatTime(v, unit: unit) + "\""
        case .list(let items):
            out += "["
            for (i, v) in items.enumerated() {
                if i > 0 { out += "," }
                v.appendJSON(to: &out)
            }
            out += "]"
        case .map(let entries):
            out += "["
            for (i, e) in entries.enumerated() {
                if i > 0 { out += "," }
                out += "{\"key\":"
                e.key.appendJSON(to: &out)
                out += ",\"value\":"
                e.value.appendJSON(to: &out)
                out += "}"
            }
            out += "]"
        case .record(let fields):
            out += "{"
            for (i, f) in fields.enumerated() {
                if i > 0 { out += "," }
                appendJSONString(f.name, to: &out)
                out += ":"
                f.value.appendJSON(to: &out)
            }
            out += "}"
        }
    }

    /// Plain text for CSV cells (strings unquoted, nested values as JSON).
    public var text: String {
        switch self {
        case .null: return ""
        case .string(let s), .decimal(let s): return s
        case .date(let d): return formatDate(Int64(d))
        case .timestamp(let v, let unit, let utc): return formatTimestamp(v, unit: unit, utc: utc)
        case .bytes(let b): return Data(b).base64EncodedString()
        default: return json
        }
    }
}

/// One JSON object per row.
public func renderJSONLine(names: [String], row: [ParquetValue]) -> String {
    ParquetValue.record(zip(names, row).map { ParquetValue.NamedValue(name: $0, value: $1) }).json
}

private func appendDouble(_ d: Double, to out: inout String) {
    if d.isNaN { out += "\"NaN\"" } else if d.isInfinite { out += d < 0 ? "\"-Infinity\"" : "\"Infinity\"" } else { out += "\(d)" }
}

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

private func pad(_ v: Int64, _ width: Int) -> String {
    let s = String(v.magnitude)
    return (v < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - s.count)) + s
}

func formatDate(_ days: Int64) -> String {
    let (y, m, d) = CivilDate.date(days: days)
    return "\(pad(y, 4))-\(pad(Int64(m), 2))-\(pad(Int64(d), 2))"
}

private func digits(_ unit: TimeUnit) -> Int {
    switch unit { case .millis: 3; case .micros: 6; case .nanos: 9 }
}

func formatTimestamp(_ v: Int64, unit: TimeUnit, utc: Bool) -> String {
    let per = unit.perSecond
    var secs = v / per
    var frac = v % per
    if frac < 0 { frac += per; secs -= 1 }
    var days = secs / 86_400
    var sod = secs % 86_400
    if sod < 0 { sod += 86_400; days -= 1 }
    return "\(formatDate(days))T\(pad(sod / 3600, 2)):\(pad(sod / 60 % 60, 2)):\(pad(sod % 60, 2)).\(pad(frac, digits(unit)))\(utc ? "Z" : "")"
}

func formatTime(_ v: Int64, unit: TimeUnit) -> String {
    let per = unit.perSecond
    let secs = v / per, frac = v % per
    return "\(pad(secs / 3600, 2)):\(pad(secs / 60 % 60, 2)):\(pad(secs % 60, 2)).\(pad(frac, digits(unit)))"
}

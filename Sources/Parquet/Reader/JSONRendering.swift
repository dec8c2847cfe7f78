import Foundation
import TributaryCore

/// Renders values as JSON the way `tributary parquet cat` prints them: timestamps as
/// ISO-8601 strings, decimals as strings, binary as base64, NaN/±Infinity as strings,
/// maps as objects.
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
        case .float(let f): appendJSONNumber(Double(f), to: &out)
        case .double(let d): appendJSONNumber(d, to: &out)
        case .string(let s): appendJSONString(s, to: &out)
        case .bytes(let b): out += "\"" + Data(b).base64EncodedString() + "\""
        case .decimal(let s): out += "\"" + s + "\""
        case .date(let d): out += "\"" + formatDate(Int64(d)) + "\""
        case .timestamp(let v, let unit, let utc): out += "\"" + formatTimestamp(v, unit: unit, utc: utc) + "\""
        case .time(let v, let unit): out += "\"" + formatTime(v, unit: unit) + "\""
        case .list(let items): appendJSONArray(items, to: &out) { v, out in v.appendJSON(to: &out) }
        case .map(let entries):
            // An object: keys as their text (a non-string key 5 becomes "5"), in file order.
            appendJSONObject(entries, to: &out, name: \.key.text) { e, out in e.value.appendJSON(to: &out) }
        case .record(let fields): appendJSONObject(fields, to: &out, name: \.name) { f, out in f.value.appendJSON(to: &out) }
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


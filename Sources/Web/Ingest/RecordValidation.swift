import Foundation
import Pipeline
import TributaryCore

/// The verdict of the pipeline's own validator (`RecordDecoder`) on one record: the web
/// app never has rules of its own, so a record accepted here is accepted by the processor.
public enum RecordValidation {
    /// Validates the JSON text of one message of `schema`'s topic; nil when valid.
    public static func check(_ json: [UInt8], schema: TopicSchema, nowMicros now: Int64 = epochMicrosNow()) -> Rejection? {
        var decoder = RecordDecoder(schema: schema, nowMicros: now)
        return json.withUnsafeBytes { decoder.append($0, partition: 0, offset: 0) }
    }

    /// The field a rejection's reason names (`'field'`), to show the error next to it.
    public static func field(of rejection: Rejection, in schema: TopicSchema) -> String? {
        let parts = rejection.reason.split(separator: "'", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return nil }
        let name = String(parts[1])
        return schema.field(name) != nil ? name : nil
    }

    /// The record key of a valid record (the Kafka message key).
    public static func recordKey(_ json: [UInt8], schema: TopicSchema) -> String? {
        JSONText.parse(json)?[schema.recordKey]?.string
    }
}

/// Turns text values (an HTML form, a CSV row) into the JSON of a record, by the schema's
/// field types: numbers stay numbers, objects are embedded as JSON, empty optional values
/// are left out. Values that do not fit their type are written as strings, so the
/// validator, not this mapping, reports what is wrong with them.
public enum TextRecord {
    public static func json(_ values: [(name: String, value: String)], schema: TopicSchema) -> [UInt8] {
        var members: [String] = []
        var seen = Set<String>()
        for (name, raw) in values where !seen.contains(name) {
            seen.insert(name)
            let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if value.isEmpty { continue }
            let field = schema.field(name)
            let encoded: String
            switch field?.type {
            case .decimal, .double, .integer:
                encoded = JSONText.isNumber(value) ? value : JSONText.quote(value)
            case .boolean:
                encoded = ["true", "false"].contains(value) ? value : JSONText.quote(value)
            case .timestamp:
                encoded = value.allSatisfy(\.isASCIIDigit) ? value : JSONText.quote(value)
            case .object, .group:
                encoded = JSONText.parse(Array(value.utf8))?.objectEntries != nil ? value : JSONText.quote(value)
            case .list:
                encoded = JSONText.parse(Array(value.utf8))?.arrayValues != nil ? value : JSONText.quote(value)
            case .string?, .date?, nil:
                encoded = JSONText.quote(value)
            }
            members.append("\(JSONText.quote(name)):\(encoded)")
        }
        return Array("{\(members.joined(separator: ","))}".utf8)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

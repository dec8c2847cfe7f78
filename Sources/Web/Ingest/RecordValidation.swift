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

    /// The field a rejection's reason names (the first quoted path that leads to a field:
    /// `'amount'`, `'customer.address.city'`, `'items[0].sku'`), to show the error next to it.
    public static func field(of rejection: Rejection, in schema: TopicSchema) -> String? {
        let parts = rejection.reason.split(separator: "'", omittingEmptySubsequences: false)
        return stride(from: 1, to: parts.count - 1, by: 2).lazy.map { String(parts[$0]) }.first { schema.field(atPath: $0) != nil }
    }

    /// The Kafka message key of a valid message: the record key's value, or for a change
    /// event the key columns of its row as Debezium writes them (`{"id":7}`).
    public static func recordKey(_ json: [UInt8], schema: TopicSchema) -> String? {
        guard let message = JSONText.parse(json) else { return nil }
        guard schema.format == .debezium else { return message[schema.recordKey]?.string }
        let event = message["payload"] ?? message
        let row = event["op"]?.string == ChangeEventWriter.Operation.delete.rawValue ? event["before"] : event["after"]
        return row.flatMap(ChangeEventWriter(schema: schema).key)
    }
}

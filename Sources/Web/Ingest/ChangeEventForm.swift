import Pipeline
import Synchronization
import TributaryCore

/// The ingest form of a `format = "debezium"` stream, on the server: the chosen operation,
/// `after.*` (the row) and `before.*` (its key columns) become one change event, written by
/// the generator's `ChangeEventWriter`, with a `source.lsn` that increases across requests
/// (`ChangePositions`: the wall clock in microseconds, as the generator's).
final class ChangeEventForm: Sendable {
    static let operationName = "op"
    static let afterPrefix = "after."
    static let beforePrefix = "before."
    static let operations: [(ChangeEventWriter.Operation, String)] = [
        (.create, "insert"), (.update, "update"), (.delete, "delete"), (.read, "snapshot read"),
    ]

    private let positions = Mutex(ChangePositions())

    struct Event {
        var json: [UInt8]
        /// The submitted values as the event placed them (to refill a refused form).
        var values: FormData
        /// The names' prefix of the row the validator checks (`before.` for a delete).
        var rowPrefix: String
    }

    func event(_ form: FormData, schema: TopicSchema, nowMicros: Int64 = epochMicrosNow()) -> Result<Event, IngestRefusal> {
        guard let op = form[Self.operationName].flatMap(ChangeEventWriter.Operation.init(rawValue:)) else {
            return .failure(IngestRefusal(stage: Rejection.Stage.envelope.rawValue, reason: "choose an operation: c, u, d or r",
                                          field: Self.operationName))
        }
        let after = TextRecord.build(form.fieldValues(of: schema, prefix: Self.afterPrefix), schema: schema)
        let keys = form.fieldValues(of: schema, prefix: Self.beforePrefix).filter { schema.recordKeyFields.contains($0.name) }
        let before = TextRecord.build(keys, schema: schema)
        let writer = ChangeEventWriter(schema: schema)
        let position = positions.withLock { $0.next(micros: nowMicros) }
        let (row, beforeKeys) = op == .delete ? (before.json, nil) : (after.json, op == .update && !before.values.isEmpty ? before.json : nil)
        let text = writer.event(op, row: String(decoding: row, as: UTF8.self), keys: beforeKeys.map { String(decoding: $0, as: UTF8.self) },
                                position: position, millis: nowMicros / 1000)
        let values = [(name: Self.operationName, value: op.rawValue)]
            + after.values.map { (name: Self.afterPrefix + $0.name, value: $0.value) }
            + before.values.map { (name: Self.beforePrefix + $0.name, value: $0.value) }
        return .success(Event(json: Array(text.utf8), values: FormData(pairs: values),
                              rowPrefix: op == .delete ? Self.beforePrefix : Self.afterPrefix))
    }
}

extension FormData {
    /// The values whose names lead into `schema`'s fields once `prefix` is removed (not the
    /// CSRF token, nor another part of the form).
    func fieldValues(of schema: TopicSchema, prefix: String = "") -> [(name: String, value: String)] {
        pairs.compactMap { pair in
            guard pair.name.hasPrefix(prefix) else { return nil }
            let name = String(pair.name.dropFirst(prefix.count))
            return schema.field(name) != nil || FieldPath(name).map({ schema.field($0.root) != nil }) == true ? (name, pair.value) : nil
        }
    }
}

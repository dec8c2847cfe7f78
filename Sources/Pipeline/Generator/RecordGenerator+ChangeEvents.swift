import TributaryCore

/// Debezium streams: the generator's records as change events (`ChangeEventWriter`). The
/// first inserts are a snapshot (`r`), later ones `c`; updates `u`; deletes `d` with the key
/// in `before`, then a tombstone; late updates re-deliver an older `source.lsn` (what a
/// connector restart does), so they must lose; invalid ones break the envelope or the row.
/// Positions follow the event time in microseconds, strictly increasing, so events made
/// elsewhere with the current time (the web form) order after the generator's.
extension RecordGenerator {
    /// Inserts at the start of a run that are snapshot reads (`r`).
    static let snapshotRows = 20

    mutating func nextChange(_ kind: GeneratedKind, key name: String, micros: Int64) -> GeneratedRecord {
        let millis = micros / 1000
        // The snapshot ends with the first event that is not a new row.
        if kind != .insert { snapshotReadsLeft = 0 }
        switch kind {
        case .invalid:
            return invalidChange(name: name, micros: micros)
        case .delete:
            let row = SchemaDrivenRecords.json(deleteMembers(key: name, micros: micros))
            let position = nextPosition(micros)
            positions[name] = nil
            let key = messageKey(row)
            pendingTombstone = GeneratedRecord(topic: schema.topic, key: key, value: [], kind: .tombstone)
            return change(.delete, kind: kind, key: key, row: row, position: position, millis: millis)
        case .lateUpdate:
            let row = String(decoding: body(key: name, micros: micros), as: UTF8.self)
            let latest = positions[name] ?? nextPosition(micros)
            let position = latest - Int64.random(in: 1...1000, using: &random)
            return change(.update, kind: kind, key: messageKey(row), row: row, position: position, millis: millis)
        default:
            let row = String(decoding: body(key: name, micros: micros), as: UTF8.self)
            let position = nextPosition(micros)
            positions[name] = position
            let op: ChangeEventWriter.Operation = kind == .update ? .update : snapshotReadsLeft > 0 ? .read : .create
            if op == .read { snapshotReadsLeft -= 1 } else { snapshotReadsLeft = 0 }
            return change(op, kind: kind, key: messageKey(row), row: row, position: position, millis: millis)
        }
    }

    private mutating func nextPosition(_ micros: Int64) -> Int64 {
        changePositions.next(micros: micros)
    }

    private func change(_ op: ChangeEventWriter.Operation, kind: GeneratedKind, key: String, row: String, position: Int64, millis: Int64) -> GeneratedRecord {
        GeneratedRecord(topic: schema.topic, key: key, value: Array(changeEvents.event(op, row: row, position: position, millis: millis).utf8), kind: kind)
    }

    private func messageKey(_ row: String) -> String {
        (try? JSONValue.parse(row)).flatMap(changeEvents.key) ?? "null"
    }

    /// A broken event: cut short (parse), a bad envelope (no or an unknown `op`, an upsert
    /// without `after`), or a valid envelope around a row the schema (or quality) refuses.
    private mutating func invalidChange(name: String, micros: Int64) -> GeneratedRecord {
        let row = String(decoding: body(key: name, micros: micros), as: UTF8.self)
        let key = messageKey(row)
        let position = nextPosition(micros)
        let valid = changeEvents.event(.create, row: row, position: position, millis: micros / 1000)
        var text: String
        var stage: Rejection.Stage
        switch Int.random(in: 0..<6, using: &random) {
        case 0: (text, stage) = (String(valid.dropLast(2)), .parse)
        case 1: (text, stage) = (valid.replacingFirst(#""op":"c""#, with: #""op":"x""#), .envelope)
        case 2: (text, stage) = (valid.replacingFirst(#""op":"c""#, with: #""operation":"c""#), .envelope)
        case 3: (text, stage) = (valid.replacingFirst(#""after":{"#, with: #""after":null,"row":{"#), .envelope)
        default:
            let broken = genericInvalid(row, quality: true)
            (text, stage) = broken.stage == .parse
                ? (valid.replacingFirst(#""op":"c""#, with: #""op":"x""#), .envelope)
                : (changeEvents.event(.create, row: broken.text, position: position, millis: micros / 1000), broken.stage)
        }
        return GeneratedRecord(topic: schema.topic, key: key, value: Array(text.utf8), kind: .invalid(stage))
    }
}

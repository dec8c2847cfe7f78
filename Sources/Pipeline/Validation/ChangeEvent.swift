/// One Debezium change event as Kafka Connect's JSON converter writes it: the envelope
/// `{"before": …, "after": …, "source": {…}, "op": "c", "ts_ms": …}`, either as the whole
/// message (`schemas.enable=false`) or as the `payload` next to a `schema`. Only the members
/// the pipeline needs are located (byte ranges into the message, nothing copied); the row
/// itself is validated by the stream's JSON Schema afterwards.
struct ChangeEvent {
    /// `c` (insert), `r` (snapshot read) and `u` (update) upsert `after`; `d` deletes `before`.
    var operation: RecordOperation
    /// The row: `after` of an upsert, `before` of a delete (its raw JSON object).
    var row: Range<Int>
    /// The event's position in the source: `source.lsn`, else `source.ts_ms`, else `ts_ms`.
    /// `source.ts_ms` comes before the envelope's `ts_ms` because a connector that restarts
    /// re-delivers old changes with their old `source.ts_ms` but a new `ts_ms` (the time it
    /// processed them), which would make stale events win.
    var position: Int64?

    /// The event's members, or why the message is not a change event (stage `envelope`).
    static func locate(_ message: UnsafeRawBufferPointer) -> Result<ChangeEvent, Rejection> {
        var envelope = Members()
        do {
            try envelope.scan(message, base: 0)
            // With the schema envelope the event is the `payload` member.
            if envelope.op == nil, let payload = envelope.payload {
                let top = envelope
                envelope = Members()
                guard top.payloadKind == .object else { return .failure(refuse("'payload' must be an object, got \(top.payloadKindName)")) }
                try envelope.scan(UnsafeRawBufferPointer(rebasing: message[payload]), base: payload.lowerBound)
            }
        } catch let error as JSONObjectScanner.SyntaxError {
            return .failure(Rejection(.parse, "invalid JSON at byte \(error.offset): \(error.message)"))
        } catch {
            return .failure(Rejection(.parse, "invalid JSON"))
        }
        guard let op = envelope.op else { return .failure(refuse("no 'op' member (not a Debezium change event)")) }
        let opText = String(decoding: UnsafeRawBufferPointer(rebasing: message[op]).prefix(20), as: UTF8.self)
        let operation: RecordOperation
        let row: Member?
        switch opText {
        case "c", "r", "u":
            operation = .upsert
            row = envelope.after
            guard let row, row.kind == .object else { return .failure(refuse("'after' must be an object for op '\(opText)'")) }
        case "d":
            operation = .delete
            row = envelope.before
            guard let row, row.kind == .object else { return .failure(refuse("'before' must be an object for op 'd'")) }
        default:
            return .failure(refuse("unknown op '\(opText)' (c, r, u or d)"))
        }
        var position: Int64?
        do {
            if let source = envelope.source {
                var members = Members()
                try members.scan(UnsafeRawBufferPointer(rebasing: message[source.range]), base: source.range.lowerBound)
                position = members.lsn.flatMap { integer($0, message) } ?? members.tsMillis.flatMap { integer($0, message) }
            }
        } catch {
            // `source` is not an object: no position from it.
        }
        if position == nil { position = envelope.tsMillis.flatMap { integer($0, message) } }
        return .success(ChangeEvent(operation: operation, row: row?.range ?? 0..<0, position: position))
    }

    static func refuse(_ reason: String) -> Rejection { Rejection(.envelope, reason) }

    /// An integer member (a JSON integer, or a string of digits as some connectors write
    /// positions).
    private static func integer(_ member: Member, _ message: UnsafeRawBufferPointer) -> Int64? {
        switch member.kind {
        case .number(isInteger: true), .string(hasEscapes: false): ScalarParsing.int64(UnsafeRawBufferPointer(rebasing: message[member.range]))
        default: nil
        }
    }

    struct Member {
        var kind: JSONObjectScanner.ValueKind
        /// The value (strings without quotes), in message coordinates.
        var range: Range<Int>
    }

    /// The envelope members of one object level (the event, its payload, or `source`).
    private struct Members {
        var op: Range<Int>?
        var before: Member?
        var after: Member?
        var source: Member?
        var payload: Range<Int>?
        var payloadKind: JSONObjectScanner.ValueKind?
        var lsn: Member?
        var tsMillis: Member?

        var payloadKindName: String { payloadKind.map(RecordDecoder.kindName) ?? "nothing" }

        /// Scans `bytes` (which start at `base` in the message) as one object.
        mutating func scan(_ bytes: UnsafeRawBufferPointer, base: Int) throws {
            var scanner = JSONObjectScanner(bytes)
            var found = self
            try scanner.scanObject { member in
                let key = UnsafeRawBufferPointer(rebasing: bytes[member.key])
                let value = Member(kind: member.kind, range: (member.value.lowerBound + base)..<(member.value.upperBound + base))
                if key.elementsEqual("op".utf8) {
                    if case .string = member.kind { found.op = value.range }
                } else if key.elementsEqual("after".utf8) {
                    found.after = Member(kind: member.kind, range: (member.raw.lowerBound + base)..<(member.raw.upperBound + base))
                } else if key.elementsEqual("before".utf8) {
                    found.before = Member(kind: member.kind, range: (member.raw.lowerBound + base)..<(member.raw.upperBound + base))
                } else if key.elementsEqual("source".utf8) {
                    if member.kind == .object { found.source = value }
                } else if key.elementsEqual("payload".utf8) {
                    found.payload = value.range
                    found.payloadKind = member.kind
                } else if key.elementsEqual("lsn".utf8) {
                    found.lsn = value
                } else if key.elementsEqual("ts_ms".utf8) {
                    found.tsMillis = value
                }
            }
            self = found
        }
    }
}

extension RecordDecoder {
    /// A Debezium change event: its row validated and appended as an upsert or a delete with
    /// the event's ordering; tombstones (empty values, what Kafka keeps after a delete for log
    /// compaction) are counted and skipped.
    mutating func appendChangeEvent(_ message: UnsafeRawBufferPointer, partition: Int32, offset: Int64) -> Rejection? {
        guard !message.isEmpty else {
            batch.tombstones += 1
            return nil
        }
        let event: ChangeEvent
        switch ChangeEvent.locate(message) {
        case .success(let located): event = located
        case .failure(let rejection): return rejection
        }
        if schema.ordersByChangeEvent && event.position == nil {
            return ChangeEvent.refuse("no ordering value: the event has no source.lsn, source.ts_ms or ts_ms")
        }
        let row = UnsafeRawBufferPointer(rebasing: message[event.row])
        let change = Change(operation: event.operation, position: schema.ordersByChangeEvent ? event.position : nil)
        guard let rejection = appendRecord(row, partition: partition, offset: offset, change: change) else { return nil }
        if event.operation == .delete {
            return ChangeEvent.refuse("'before' does not identify the deleted row: \(rejection.reason)")
        }
        return Rejection(rejection.stage, "after: \(rejection.reason)")
    }
}

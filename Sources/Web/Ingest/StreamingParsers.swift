/// Splits a byte stream into lines without holding more than one line (plus a chunk).
struct LineSplitter {
    private var carry: [UInt8] = []

    /// Calls `emit` for every complete line in `chunk` (without `\n` / `\r\n`).
    mutating func feed(_ chunk: some Sequence<UInt8>, emit: ([UInt8]) async throws -> Void) async rethrows {
        for byte in chunk {
            if byte == UInt8(ascii: "\n") {
                if carry.last == UInt8(ascii: "\r") { carry.removeLast() }
                try await emit(carry)
                carry.removeAll(keepingCapacity: true)
            } else {
                carry.append(byte)
            }
        }
    }

    /// The last line when the stream did not end with a newline.
    mutating func finish(emit: ([UInt8]) async throws -> Void) async rethrows {
        if carry.last == UInt8(ascii: "\r") { carry.removeLast() }
        if !carry.isEmpty { try await emit(carry) }
        carry.removeAll()
    }
}

/// An RFC 4180 CSV reader over a byte stream: quoted fields may hold commas, quotes
/// (doubled) and newlines; rows end with `\n` or `\r\n`.
struct CSVRowParser {
    private var field: [UInt8] = []
    private var row: [String] = []
    private var inQuotes = false
    private var quoteSeen = false  // a quote inside a quoted field: end, or the first of `""`
    private var fieldStarted = false

    mutating func feed(_ chunk: some Sequence<UInt8>, emit: ([String]) async throws -> Void) async rethrows {
        for byte in chunk {
            if inQuotes {
                if quoteSeen {
                    quoteSeen = false
                    if byte == UInt8(ascii: "\"") { field.append(byte); continue }
                    inQuotes = false  // the quote closed the field; handle `byte` below
                } else if byte == UInt8(ascii: "\"") {
                    quoteSeen = true
                    continue
                } else {
                    field.append(byte)
                    continue
                }
            }
            switch byte {
            case UInt8(ascii: ","):
                endField()
            case UInt8(ascii: "\n"):
                if field.last == UInt8(ascii: "\r") { field.removeLast() }
                endField()
                try await endRow(emit)
            case UInt8(ascii: "\"") where !fieldStarted:
                inQuotes = true
                fieldStarted = true
            default:
                field.append(byte)
                fieldStarted = true
            }
        }
    }

    mutating func finish(emit: ([String]) async throws -> Void) async rethrows {
        if quoteSeen { inQuotes = false; quoteSeen = false }
        if fieldStarted || !field.isEmpty || !row.isEmpty {
            if field.last == UInt8(ascii: "\r") { field.removeLast() }
            endField()
            try await endRow(emit)
        }
    }

    /// True when the stream ended inside a quoted field (an unterminated quote).
    var isInsideQuotes: Bool { inQuotes && !quoteSeen }

    private mutating func endField() {
        row.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
        fieldStarted = false
    }

    private mutating func endRow(_ emit: ([String]) async throws -> Void) async rethrows {
        let done = row
        row.removeAll(keepingCapacity: true)
        // A blank line is not a row.
        if done.count == 1 && done[0].isEmpty { return }
        try await emit(done)
    }
}

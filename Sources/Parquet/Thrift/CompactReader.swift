import TributaryCore
/// Thrift compact-protocol element types (the 4-bit type codes on the wire).
enum CompactType: UInt8 {
    case stop = 0, boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6
    case double = 7, binary = 8, list = 9, set = 10, map = 11, structure = 12, uuid = 13
}

/// Decodes the Thrift compact protocol from a byte slice. Every length and count is checked
/// against the remaining bytes before anything is allocated, so corrupt input only throws.
struct CompactReader {
    private let bytes: [UInt8]
    private(set) var position: Int
    private let end: Int
    private var depth = 0

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.position = start
        self.end = min(end ?? bytes.count, bytes.count)
    }

    var remaining: Int { end - position }

    mutating func byte() throws -> UInt8 {
        guard position < end else { throw ParquetError(.corrupt, "thrift: unexpected end of data") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func varint() throws -> UInt64 {
        do { return try Varint.read(bytes, at: &position, end: end) } catch {
            throw ParquetError(.corrupt, error == .truncated ? "thrift: unexpected end of data" : "thrift: varint too long")
        }
    }

    mutating func i64() throws -> Int64 { Varint.unzigzag(try varint()) }

    mutating func i32() throws -> Int32 {
        let v = try i64()
        guard let r = Int32(exactly: v) else { throw ParquetError(.corrupt, "thrift: i32 out of range: \(v)") }
        return r
    }

    /// Reads a non-negative i32 used as a size or count.
    mutating func count(_ what: String) throws -> Int {
        let v = try i32()
        guard v >= 0 else { throw ParquetError(.corrupt, "negative \(what): \(v)") }
        return Int(v)
    }

    mutating func binary() throws -> [UInt8] {
        let n = try varint()
        guard n <= UInt64(remaining) else {
            throw ParquetError(.corrupt, "thrift: binary length \(n) exceeds the \(remaining) remaining bytes")
        }
        let start = position
        position += Int(n)
        return Array(bytes[start..<position])
    }

    mutating func string() throws -> String {
        String(decoding: try binary(), as: UTF8.self)
    }

    mutating func double() throws -> Double {
        guard remaining >= 8 else { throw ParquetError(.corrupt, "thrift: truncated double") }
        var bits: UInt64 = 0
        for i in 0..<8 { bits |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += 8
        return Double(bitPattern: bits)
    }

    /// Value of a boolean struct field: the value lives in the field's type code.
    func bool(_ type: CompactType) -> Bool { type == .boolTrue }

    /// Reads a list header and checks the count is plausible for the remaining bytes.
    mutating func listHeader() throws -> (CompactType, Int) {
        let h = try byte()
        var n = Int(h >> 4)
        if n == 15 {
            let big = try varint()
            guard big <= UInt64(remaining) else {
                throw ParquetError(.corrupt, "thrift: list of \(big) elements exceeds the \(remaining) remaining bytes")
            }
            n = Int(big)
        }
        guard let t = CompactType(rawValue: h & 0x0F) else {
            throw ParquetError(.corrupt, "thrift: unknown list element type \(h & 0x0F)")
        }
        guard n <= remaining || t == .boolTrue || t == .boolFalse else {
            throw ParquetError(.corrupt, "thrift: list of \(n) elements exceeds the \(remaining) remaining bytes")
        }
        return (t, n)
    }

    /// Reads a list whose elements are decoded by `element`.
    mutating func list<T>(_ element: (inout CompactReader) throws -> T) throws -> [T] {
        let (_, n) = try listHeader()
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try element(&self)) }
        return out
    }

    /// Walks the fields of a struct; `field` must consume (or `skip`) each value.
    mutating func readStruct(_ field: (inout CompactReader, Int16, CompactType) throws -> Void) throws {
        depth += 1
        guard depth <= 64 else { throw ParquetError(.corrupt, "thrift: structs nested too deeply") }
        defer { depth -= 1 }
        var last: Int16 = 0
        while true {
            let h = try byte()
            if h == 0 { return }
            guard let type = CompactType(rawValue: h & 0x0F) else {
                throw ParquetError(.corrupt, "thrift: unknown field type \(h & 0x0F)")
            }
            let delta = Int16(h >> 4)
            let id: Int16
            if delta == 0 {
                let v = try i64()
                guard let v16 = Int16(exactly: v) else { throw ParquetError(.corrupt, "thrift: field id \(v) out of range") }
                id = v16
            } else {
                id = last &+ delta
            }
            last = id
            try field(&self, id, type)
        }
    }

    /// Skips a value of the given type (unknown or unused fields).
    mutating func skip(_ type: CompactType) throws {
        switch type {
        case .stop: throw ParquetError(.corrupt, "thrift: unexpected stop")
        case .boolTrue, .boolFalse: return
        case .byte: _ = try byte()
        case .i16, .i32, .i64: _ = try varint()
        case .double: _ = try double()
        case .binary:
            let n = try varint()
            guard n <= UInt64(remaining) else { throw ParquetError(.corrupt, "thrift: binary length \(n) past end") }
            position += Int(n)
        case .uuid:
            guard remaining >= 16 else { throw ParquetError(.corrupt, "thrift: truncated uuid") }
            position += 16
        case .list, .set:
            let (t, n) = try listHeader()
            try nested { r in
                for _ in 0..<n {
                    if t == .boolTrue || t == .boolFalse { _ = try r.byte() } else { try r.skip(t) }
                }
            }
        case .map:
            let n = try varint()
            guard n > 0 else { return }
            guard n <= UInt64(remaining) else { throw ParquetError(.corrupt, "thrift: map of \(n) entries past end") }
            let kv = try byte()
            guard let k = CompactType(rawValue: kv >> 4), let v = CompactType(rawValue: kv & 0x0F) else {
                throw ParquetError(.corrupt, "thrift: unknown map types")
            }
            try nested { r in
                for _ in 0..<n {
                    if k == .boolTrue || k == .boolFalse { _ = try r.byte() } else { try r.skip(k) }
                    if v == .boolTrue || v == .boolFalse { _ = try r.byte() } else { try r.skip(v) }
                }
            }
        case .structure:
            try readStruct { r, _, t in try r.skip(t) }
        }
    }

    private mutating func nested(_ body: (inout CompactReader) throws -> Void) throws {
        depth += 1
        guard depth <= 64 else { throw ParquetError(.corrupt, "thrift: values nested too deeply") }
        defer { depth -= 1 }
        try body(&self)
    }
}

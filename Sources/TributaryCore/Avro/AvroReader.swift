import Foundation

/// A minimal Avro reader (object container files, codec `null`): decodes every record into a
/// `JSONValue` following the embedded writer schema. Hudi keeps commit metadata of table
/// version 8 and its service plans this way.
public enum AvroReader {
    /// A parsed Avro schema.
    public indirect enum AvroType: Sendable {
        case null, boolean, int, long, float, double, bytes, string
        case record(name: String, fields: [(String, AvroType)])
        case enumeration([String])
        case array(AvroType)
        case map(AvroType)
        case union([AvroType])
        case fixed(Int)
        case named(String)
    }

    /// All records of a container file.
    public static func records(_ data: Data) throws -> [JSONValue] {
        var c = Cursor(bytes: [UInt8](data))
        guard c.bytes.count >= 4, Array(c.bytes[0..<4]) == [0x4F, 0x62, 0x6A, 0x01] else {
            throw AvroError(.corrupt, "not an Avro container file")
        }
        c.at = 4
        var meta: [String: [UInt8]] = [:]
        try c.blocks { c in
            let k = String(decoding: try c.bytesValue(), as: UTF8.self)
            meta[k] = try c.bytesValue()
        }
        let sync = try c.take(16)
        let codec = meta["avro.codec"].map { String(decoding: $0, as: UTF8.self) } ?? "null"
        guard codec == "null" else { throw AvroError(.unsupported, "Avro codec \(codec)") }
        guard let schemaBytes = meta["avro.schema"] else { throw AvroError(.corrupt, "Avro file without schema") }
        var named: [String: AvroType] = [:]
        let schema = try parseSchema(try JSONValue.parse(Data(schemaBytes)), namespace: nil, named: &named)
        var out: [JSONValue] = []
        while c.at < c.bytes.count {
            let count = try c.long()
            _ = try c.long()
            for _ in 0..<count { out.append(try decode(schema, &c, named)) }
            guard try c.take(16) == sync else { throw AvroError(.corrupt, "Avro sync marker mismatch") }
        }
        return out
    }

    static func parseSchema(_ j: JSONValue, namespace: String?, named: inout [String: AvroType]) throws -> AvroType {
        switch j {
        case .string(let s):
            switch s {
            case "null": return .null
            case "boolean": return .boolean
            case "int": return .int
            case "long": return .long
            case "float": return .float
            case "double": return .double
            case "bytes": return .bytes
            case "string": return .string
            default:
                if named[s] != nil { return .named(s) }
                if let ns = namespace, named["\(ns).\(s)"] != nil { return .named("\(ns).\(s)") }
                throw AvroError(.corrupt, "unknown Avro type \(s)")
            }
        case .array(let members):
            return .union(try members.map { try parseSchema($0, namespace: namespace, named: &named) })
        case .object:
            guard let type = j["type"] else { throw AvroError(.corrupt, "Avro schema without type") }
            guard case .string(let t) = type else { return try parseSchema(type, namespace: namespace, named: &named) }
            let name = j["name"]?.string
            let ns = j["namespace"]?.string ?? namespace
            let full = name.map { $0.contains(".") || ns == nil ? $0 : "\(ns ?? "").\($0)" }
            switch t {
            case "record", "error":
                if let full { named[full] = .record(name: full, fields: []); if let name { named[name] = named[full] } }
                var fields: [(String, AvroType)] = []
                for f in j["fields"]?.arrayValues ?? [] {
                    guard let fname = f["name"]?.string, let ft = f["type"] else { throw AvroError(.corrupt, "bad Avro field") }
                    fields.append((fname, try parseSchema(ft, namespace: ns, named: &named)))
                }
                let r = AvroType.record(name: full ?? "", fields: fields)
                if let full { named[full] = r; if let name { named[name] = r } }
                return r
            case "enum":
                let e = AvroType.enumeration((j["symbols"]?.arrayValues ?? []).compactMap(\.string))
                if let full { named[full] = e; if let name { named[name] = e } }
                return e
            case "fixed":
                let f = AvroType.fixed(Int(j["size"]?.int ?? 0))
                if let full { named[full] = f; if let name { named[name] = f } }
                return f
            case "array":
                guard let items = j["items"] else { throw AvroError(.corrupt, "Avro array without items") }
                return .array(try parseSchema(items, namespace: ns, named: &named))
            case "map":
                guard let values = j["values"] else { throw AvroError(.corrupt, "Avro map without values") }
                return .map(try parseSchema(values, namespace: ns, named: &named))
            default:
                return try parseSchema(.string(t), namespace: ns, named: &named)
            }
        default:
            throw AvroError(.corrupt, "bad Avro schema")
        }
    }

    static func decode(_ t: AvroType, _ c: inout Cursor, _ named: [String: AvroType]) throws -> JSONValue {
        switch t {
        case .null: return .null
        case .boolean: return .bool(try c.take(1)[0] != 0)
        case .int, .long: return .int(try c.long())
        case .float:
            let b = try c.take(4)
            return .double(Double(Float(bitPattern: UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24)))
        case .double:
            let b = try c.take(8)
            var u: UInt64 = 0
            for i in 0..<8 { u |= UInt64(b[i]) << UInt64(8 * i) }
            return .double(Double(bitPattern: u))
        case .bytes: return .string(Data(try c.bytesValue()).base64EncodedString())
        case .string: return .string(String(decoding: try c.bytesValue(), as: UTF8.self))
        case .fixed(let n): return .string(Data(try c.take(n)).base64EncodedString())
        case .enumeration(let symbols):
            let i = Int(try c.long())
            guard symbols.indices.contains(i) else { throw AvroError(.corrupt, "Avro enum index \(i)") }
            return .string(symbols[i])
        case .record(_, let fields):
            var o: [(String, JSONValue)] = []
            for (n, ft) in fields { o.append((n, try decode(ft, &c, named))) }
            return .object(o)
        case .array(let item):
            var a: [JSONValue] = []
            try c.blocks { c in a.append(try decode(item, &c, named)) }
            return .array(a)
        case .map(let value):
            var o: [(String, JSONValue)] = []
            try c.blocks { c in
                let k = String(decoding: try c.bytesValue(), as: UTF8.self)
                o.append((k, try decode(value, &c, named)))
            }
            return .object(o)
        case .union(let members):
            let i = Int(try c.long())
            guard members.indices.contains(i) else { throw AvroError(.corrupt, "Avro union index \(i)") }
            return try decode(members[i], &c, named)
        case .named(let n):
            guard let real = named[n] else { throw AvroError(.corrupt, "unresolved Avro type \(n)") }
            return try decode(real, &c, named)
        }
    }

    struct Cursor {
        let bytes: [UInt8]
        var at = 0

        /// The items of an array or map: blocks of a count (negative: followed by the
        /// block's byte size) until a zero count.
        mutating func blocks(_ item: (inout Cursor) throws -> Void) throws {
            while true {
                var n = try long()
                if n == 0 { return }
                if n < 0 { n = -n; _ = try long() }
                for _ in 0..<n { try item(&self) }
            }
        }

        mutating func take(_ n: Int) throws -> [UInt8] {
            guard n >= 0, at + n <= bytes.count else { throw AvroError(.corrupt, "Avro data truncated") }
            defer { at += n }
            return Array(bytes[at..<at + n])
        }

        /// Zig-zag varint.
        mutating func long() throws -> Int64 {
            do { return Varint.unzigzag(try Varint.read(bytes, at: &at, end: bytes.count)) } catch {
                throw AvroError(.corrupt, error == .truncated ? "Avro varint truncated" : "Avro varint too long")
            }
        }

        mutating func bytesValue() throws -> [UInt8] {
            let n = try long()
            guard n >= 0 else { throw AvroError(.corrupt, "negative Avro length") }
            return try take(Int(n))
        }
    }
}

/// Why an Avro file could not be read or written (the raw value prefixes the message).
public enum AvroErrorKind: String, ModuleErrorKind {
    /// The bytes are not a valid Avro container file.
    case corrupt = "corrupt Avro data"
    /// A valid file using a feature this reader does not implement (e.g. a codec).
    case unsupported = "unsupported Avro feature"
    /// A value does not fit the schema it is written with.
    case invalidValue = "invalid Avro value"
}

/// Why an Avro file could not be read or written.
public typealias AvroError = ModuleError<AvroErrorKind>

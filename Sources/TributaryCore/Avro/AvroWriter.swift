import Foundation

/// A minimal Avro object-container writer (codec `null`, one block), the counterpart of
/// ``AvroReader``: Hudi keeps its `clean` and `rollback` plans and metadata as Avro
/// container files (`TimelineMetadataUtils.serializeAvroMetadata` in Java), in every table
/// version. Values are given as `JSONValue`s shaped like the schema: records as objects
/// (a missing field is encoded as null, so it must be nullable), maps as objects, arrays
/// as arrays, `bytes`/`fixed` as base64 strings (as the reader returns them).
/// Iceberg manifests and manifest lists are Avro files too.
public enum AvroWriter {
    /// A container file holding `records`, all of the record schema `schemaJSON`.
    /// - Parameters:
    ///   - metadata: extra file metadata entries after `avro.schema` and `avro.codec`
    ///     (Iceberg keeps e.g. `format-version` and `partition-spec` there).
    ///   - sync: the 16-byte sync marker (random by default; fixed in tests).
    public static func container(schemaJSON: String, records: [JSONValue], metadata: [(String, String)] = [],
                                 sync: [UInt8]? = nil) throws -> Data {
        var named: [String: AvroReader.AvroType] = [:]
        let schema = try AvroReader.parseSchema(try JSONValue.parse(Data(schemaJSON.utf8)), namespace: nil, named: &named)
        let marker = sync ?? (0..<16).map { _ in UInt8.random(in: 0...255) }
        guard marker.count == 16 else { throw AvroError(.invalidValue, "Avro sync marker must be 16 bytes") }
        var out = Encoder()
        out.bytes += [0x4F, 0x62, 0x6A, 0x01]
        // File metadata: a map<bytes> of one block.
        out.long(Int64(2 + metadata.count))
        out.string("avro.schema")
        out.string(schemaJSON)
        out.string("avro.codec")
        out.string("null")
        for (key, value) in metadata {
            out.string(key)
            out.string(value)
        }
        out.long(0)
        out.bytes += marker
        if !records.isEmpty {
            var block = Encoder()
            for r in records { try block.encode(r, as: schema, named: named) }
            out.long(Int64(records.count))
            out.long(Int64(block.bytes.count))
            out.bytes += block.bytes
            out.bytes += marker
        }
        return Data(out.bytes)
    }

    struct Encoder {
        var bytes: [UInt8] = []

        /// Zig-zag varint.
        mutating func long(_ v: Int64) {
            Varint.append(Varint.zigzag(v), to: &bytes)
        }

        mutating func string(_ s: String) {
            let utf8 = Array(s.utf8)
            long(Int64(utf8.count))
            bytes += utf8
        }

        mutating func encode(_ v: JSONValue, as type: AvroReader.AvroType, named: [String: AvroReader.AvroType]) throws {
            switch type {
            case .null:
                guard v == .null else { throw AvroError(.invalidValue, "Avro null expected, got \(v.pretty())") }
            case .boolean:
                guard case .bool(let b) = v else { throw mismatch("boolean", v) }
                bytes.append(b ? 1 : 0)
            case .int, .long:
                guard let i = v.int else { throw mismatch("int/long", v) }
                long(i)
            case .float:
                guard let d = Self.double(v) else { throw mismatch("float", v) }
                let u = Float(d).bitPattern
                for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: u >> (8 * i))) }
            case .double:
                guard let d = Self.double(v) else { throw mismatch("double", v) }
                let u = d.bitPattern
                for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: u >> (8 * UInt64(i)))) }
            case .string:
                guard let s = v.string else { throw mismatch("string", v) }
                string(s)
            case .bytes:
                guard let s = v.string, let d = Data(base64Encoded: s) else { throw mismatch("bytes (base64)", v) }
                long(Int64(d.count))
                bytes += d
            case .fixed(let n):
                guard let s = v.string, let d = Data(base64Encoded: s), d.count == n else { throw mismatch("fixed(\(n))", v) }
                bytes += d
            case .enumeration(let symbols):
                guard let s = v.string, let i = symbols.firstIndex(of: s) else { throw mismatch("enum \(symbols)", v) }
                long(Int64(i))
            case .record(let name, let fields):
                guard case .object = v else { throw mismatch("record \(name)", v) }
                for (fieldName, fieldType) in fields {
                    do {
                        try encode(v[fieldName] ?? .null, as: fieldType, named: named)
                    } catch let error as AvroError where error.kind == .invalidValue {
                        throw AvroError(.invalidValue, "\(name).\(fieldName): \(error.message)")
                    }
                }
            case .array(let item):
                guard let items = v.arrayValues else { throw mismatch("array", v) }
                if !items.isEmpty {
                    long(Int64(items.count))
                    for i in items { try encode(i, as: item, named: named) }
                }
                long(0)
            case .map(let value):
                guard let entries = v.objectEntries else { throw mismatch("map", v) }
                if !entries.isEmpty {
                    long(Int64(entries.count))
                    for (k, e) in entries {
                        string(k)
                        try encode(e, as: value, named: named)
                    }
                }
                long(0)
            case .union(let members):
                guard let i = members.firstIndex(where: { Self.accepts($0, v, named) }) else {
                    throw mismatch("one of the union's types", v)
                }
                long(Int64(i))
                try encode(v, as: members[i], named: named)
            case .named(let n):
                guard let real = named[n] else { throw AvroError(.invalidValue, "unresolved Avro type \(n)") }
                try encode(v, as: real, named: named)
            }
        }

        private func mismatch(_ expected: String, _ v: JSONValue) -> AvroError {
            AvroError(.invalidValue, "Avro \(expected) expected, got \(v.pretty())")
        }

        private static func double(_ v: JSONValue) -> Double? {
            switch v {
            case .double(let d): return d
            case .int(let i): return Double(i)
            default: return nil
            }
        }

        /// Whether a union branch is the one to write `v` with.
        static func accepts(_ t: AvroReader.AvroType, _ v: JSONValue, _ named: [String: AvroReader.AvroType]) -> Bool {
            switch (t, v) {
            case (.null, .null): return true
            case (.boolean, .bool): return true
            case (.int, .int), (.long, .int): return true
            case (.float, .double), (.double, .double), (.float, .int), (.double, .int): return true
            case (.string, .string), (.bytes, .string), (.fixed, .string), (.enumeration, .string): return true
            case (.array, .array): return true
            case (.record, .object), (.map, .object): return true
            case (.named(let n), _): return named[n].map { accepts($0, v, named) } ?? false
            default: return false
            }
        }
    }
}

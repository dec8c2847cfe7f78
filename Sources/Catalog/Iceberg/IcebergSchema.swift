import Foundation
import Hudi
import TributaryCore

/// An Iceberg primitive type (the subset a flat Hudi table maps to).
public enum IcebergType: Sendable, Equatable {
    case boolean, int, long, float, double, date, timestamp, timestamptz, string, binary
    case fixed(Int)
    case decimal(precision: Int, scale: Int)

    /// The type's name in table metadata JSON.
    public var jsonName: String {
        switch self {
        case .boolean: return "boolean"
        case .int: return "int"
        case .long: return "long"
        case .float: return "float"
        case .double: return "double"
        case .date: return "date"
        case .timestamp: return "timestamp"
        case .timestamptz: return "timestamptz"
        case .string: return "string"
        case .binary: return "binary"
        case .fixed(let n): return "fixed[\(n)]"
        case .decimal(let p, let s): return "decimal(\(p), \(s))"
        }
    }
}

/// A top-level field of an Iceberg schema.
public struct IcebergField: Sendable, Equatable {
    public var id: Int
    public var name: String
    public var type: IcebergType
    public var required: Bool

    public init(id: Int, name: String, type: IcebergType, required: Bool) {
        (self.id, self.name, self.type, self.required) = (id, name, type, required)
    }
}

/// A flat Iceberg schema: Hudi's meta columns first (ids 1–5, as they lead every base
/// file), then the data columns in Avro order.
public struct IcebergSchema: Sendable, Equatable {
    public var schemaID: Int
    public var fields: [IcebergField]

    public init(schemaID: Int = 0, fields: [IcebergField]) {
        self.schemaID = schemaID
        self.fields = fields
    }

    public var lastColumnID: Int { fields.map(\.id).max() ?? 0 }

    public func field(named name: String) -> IcebergField? { fields.first { $0.name == name } }

    /// The schema of a Hudi table from its writer schema (`extraMetadata.schema` of a
    /// commit: an Avro record of the data columns). `knownIDs` keeps the ids of columns an
    /// earlier schema had (by name); new columns get ids above every known one. As Hudi
    /// tables only append columns, these are the Parquet field ids our writer puts in the
    /// base files (meta columns 1–5, then by position: ``AvroSchema/baseFileFields(_:)``).
    public static func fromHudiAvro(_ avroJSON: String, schemaID: Int = 0, knownIDs: [String: Int] = [:]) throws -> IcebergSchema {
        let root: JSONValue
        do {
            root = try JSONValue.parse(Data(avroJSON.utf8))
        } catch {
            throw CatalogError.invalidTable("the commit's Avro schema is not JSON: \(error)")
        }
        guard root["type"]?.string == "record", let avroFields = root["fields"]?.arrayValues else {
            throw CatalogError.invalidTable("the commit's Avro schema is not a record")
        }
        var fields: [IcebergField] = AvroSchema.metaFieldNames.enumerated().map {
            IcebergField(id: $0.offset + 1, name: $0.element, type: .string, required: false)
        }
        var nextID = max(fields.count, knownIDs.values.max() ?? 0) + 1
        for f in avroFields {
            guard let name = f["name"]?.string, let type = f["type"] else {
                throw CatalogError.invalidTable("an Avro field without name or type")
            }
            if AvroSchema.metaFieldNames.contains(name) { continue }
            let (t, nullable) = try mapType(type, field: name)
            let id = knownIDs[name] ?? nextID
            nextID = max(nextID, id + 1)
            fields.append(IcebergField(id: id, name: name, type: t, required: !nullable))
        }
        return IcebergSchema(schemaID: schemaID, fields: fields)
    }

    /// An Avro field type as (Iceberg type, nullable). Unions must be `[null, T]`.
    static func mapType(_ avro: JSONValue, field: String) throws -> (IcebergType, Bool) {
        if let members = avro.arrayValues {
            let nonNull = members.filter { $0.string != "null" }
            guard nonNull.count == 1, members.count <= 2 else {
                throw CatalogError.unsupported("field \(field): union \(avro.pretty()) (only [null, T])")
            }
            return (try primitive(nonNull[0], field: field), members.count == 2)
        }
        return (try primitive(avro, field: field), false)
    }

    private static func primitive(_ avro: JSONValue, field: String) throws -> IcebergType {
        if let name = avro.string {
            switch name {
            case "boolean": return .boolean
            case "int": return .int
            case "long": return .long
            case "float": return .float
            case "double": return .double
            case "string": return .string
            case "bytes": return .binary
            default: throw CatalogError.unsupported("field \(field): Avro type \(name)")
            }
        }
        guard let base = avro["type"]?.string else {
            throw CatalogError.unsupported("field \(field): Avro type \(avro.pretty())")
        }
        let logical = avro["logicalType"]?.string
        switch (base, logical) {
        case ("int", "date"): return .date
        case ("long", "timestamp-micros"), ("long", "timestamp-millis"): return .timestamptz
        case ("long", "local-timestamp-micros"), ("long", "local-timestamp-millis"): return .timestamp
        case ("bytes", "decimal"), ("fixed", "decimal"):
            guard let p = avro["precision"]?.int else { throw CatalogError.invalidTable("field \(field): decimal without precision") }
            return .decimal(precision: Int(p), scale: Int(avro["scale"]?.int ?? 0))
        case ("fixed", _):
            guard let n = avro["size"]?.int else { throw CatalogError.invalidTable("field \(field): fixed without size") }
            return .fixed(Int(n))
        case ("string", _): return .string
        case (let b, nil) where ["boolean", "int", "long", "float", "double", "bytes"].contains(b):
            return try primitive(.string(b), field: field)
        default:
            throw CatalogError.unsupported("field \(field): Avro type \(avro.pretty())")
        }
    }

    /// The schema as table metadata JSON.
    public var json: JSONValue {
        .object([
            ("type", .string("struct")),
            ("schema-id", .int(Int64(schemaID))),
            ("fields", .array(fields.map { f in
                .object([
                    ("id", .int(Int64(f.id))), ("name", .string(f.name)),
                    ("required", .bool(f.required)), ("type", .string(f.type.jsonName)),
                ])
            })),
        ])
    }

    /// The default name mapping (`schema.name-mapping.default`): base files written before
    /// our writer set Parquet field ids (and files of other Hudi writers) carry none, so
    /// readers map their columns to fields by these names. Files with ids carry exactly
    /// these ids (``AvroSchema/baseFileFields(_:)``).
    public var nameMappingJSON: String {
        JSONValue.array(fields.map { f in
            .object([("field-id", .int(Int64(f.id))), ("names", .array([.string(f.name)]))])
        }).json
    }
}

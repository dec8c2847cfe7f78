import Foundation
import Hudi
import TributaryCore

/// An Iceberg type: the primitives a Hudi column maps to, and structs, lists and maps of
/// them (each nested field, list element, map key and value with a field id of its own).
public indirect enum IcebergType: Sendable, Equatable {
    case boolean, int, long, float, double, date, timestamp, timestamptz, string, binary
    case fixed(Int)
    case decimal(precision: Int, scale: Int)
    case `struct`([IcebergField])
    case list(elementID: Int, element: IcebergType, elementRequired: Bool)
    case map(keyID: Int, key: IcebergType, valueID: Int, value: IcebergType, valueRequired: Bool)

    /// The type in table metadata JSON (spec, "Schemas": a name for a primitive, an
    /// object for a struct, list or map).
    public var json: JSONValue {
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
        case .fixed(let n): return .string("fixed[\(n)]")
        case .decimal(let p, let s): return .string("decimal(\(p), \(s))")
        case .struct(let fields):
            return .object([("type", "struct"), ("fields", .array(fields.map(\.json)))])
        case .list(let id, let element, let required):
            return .object([("type", "list"), ("element-id", .int(Int64(id))), ("element", element.json),
                            ("element-required", .bool(required))])
        case .map(let keyID, let key, let valueID, let value, let required):
            return .object([("type", "map"), ("key-id", .int(Int64(keyID))), ("key", key.json),
                            ("value-id", .int(Int64(valueID))), ("value", value.json), ("value-required", .bool(required))])
        }
    }

    /// The ids and names of the fields directly inside (struct fields, list element, map
    /// key and value, named as a name mapping and a Parquet file name them), with their types.
    var children: [(id: Int, name: String, type: IcebergType)] {
        switch self {
        case .struct(let fields): return fields.map { ($0.id, $0.name, $0.type) }
        case .list(let id, let element, _): return [(id, "element", element)]
        case .map(let keyID, let key, let valueID, let value, _): return [(keyID, "key", key), (valueID, "value", value)]
        default: return []
        }
    }
}

/// A field of an Iceberg schema or of a struct in it.
public struct IcebergField: Sendable, Equatable {
    public var id: Int
    public var name: String
    public var type: IcebergType
    public var required: Bool

    public init(id: Int, name: String, type: IcebergType, required: Bool) {
        (self.id, self.name, self.type, self.required) = (id, name, type, required)
    }

    var json: JSONValue {
        .object([("id", .int(Int64(id))), ("name", .string(name)), ("required", .bool(required)), ("type", type.json)])
    }
}

/// An Iceberg schema: Hudi's meta columns first (ids 1–5, as they lead every base file),
/// then the data columns in Avro order, nested ones as structs, lists and maps.
public struct IcebergSchema: Sendable, Equatable {
    public var schemaID: Int
    public var fields: [IcebergField]

    public init(schemaID: Int = 0, fields: [IcebergField]) {
        self.schemaID = schemaID
        self.fields = fields
    }

    /// The highest field id, nested ones included.
    public var lastColumnID: Int { idsByPath.values.max() ?? 0 }

    public func field(named name: String) -> IcebergField? { fields.first { $0.name == name } }

    /// The schema as table metadata JSON.
    public var json: JSONValue {
        .object([("type", "struct"), ("schema-id", .int(Int64(schemaID))), ("fields", .array(fields.map(\.json)))])
    }

    /// Every field id by its path: top-level name, then `.`-joined names below it, a list's
    /// element as `element`, a map's key and value as `key` and `value`
    /// (`customer.address.city`, `items.element.sku`). Avro names have no dots.
    public var idsByPath: [String: Int] { Self.idsByPath(schemaJSON: json) }

    /// ``idsByPath`` of a schema in table metadata JSON (a catalog's, or ours).
    public static func idsByPath(schemaJSON: JSONValue) -> [String: Int] {
        var out: [String: Int] = [:]
        func visit(_ type: JSONValue?, _ path: String) {
            guard let type, type.string == nil else { return }
            switch type["type"]?.string {
            case "struct":
                for f in type["fields"]?.arrayValues ?? [] {
                    guard let name = f["name"]?.string, let id = f["id"]?.int else { continue }
                    let p = path.isEmpty ? name : "\(path).\(name)"
                    out[p] = Int(id)
                    visit(f["type"], p)
                }
            case "list":
                if let id = type["element-id"]?.int { out["\(path).element"] = Int(id) }
                visit(type["element"], "\(path).element")
            case "map":
                if let id = type["key-id"]?.int { out["\(path).key"] = Int(id) }
                if let id = type["value-id"]?.int { out["\(path).value"] = Int(id) }
                visit(type["key"], "\(path).key")
                visit(type["value"], "\(path).value")
            default:
                return
            }
        }
        visit(schemaJSON, "")
        return out
    }

    /// The default name mapping (`schema.name-mapping.default`), nested fields included
    /// (spec, "Column Projection"): readers map the columns of a data file without Parquet
    /// field ids to fields by these names — base files written before our writer set ids,
    /// files of other Hudi writers, and every file of a table with nested columns
    /// (``AvroSchema/baseFileFields(_:)`` says why those carry none). Files with ids carry
    /// exactly these ids.
    public var nameMappingJSON: String {
        func mapping(_ id: Int, _ name: String, _ type: IcebergType) -> JSONValue {
            var o: [(String, JSONValue)] = [("field-id", .int(Int64(id))), ("names", .array([.string(name)]))]
            let children = type.children
            if !children.isEmpty { o.append(("fields", .array(children.map { mapping($0.id, $0.name, $0.type) }))) }
            return .object(o)
        }
        return JSONValue.array(fields.map { mapping($0.id, $0.name, $0.type) }).json
    }

    /// The ids a name mapping gives, by path of names (every name of a field), nil when it
    /// is not a name mapping: to compare mappings however a catalog wrote them.
    public static func nameMappingIDs(_ json: String) -> [String: Int]? {
        guard let root = try? JSONValue.parse(json), let top = root.arrayValues else { return nil }
        var out: [String: Int] = [:]
        func visit(_ fields: [JSONValue], _ parent: String?) {
            for f in fields {
                for name in f["names"]?.arrayValues?.compactMap(\.string) ?? [] {
                    let path = parent.map { "\($0).\(name)" } ?? name
                    if let id = f["field-id"]?.int { out[path] = Int(id) }
                    visit(f["fields"]?.arrayValues ?? [], path)
                }
            }
        }
        visit(top, nil)
        return out
    }
}

import Foundation
import Hudi
import TributaryCore

/// A Hudi commit's Avro writer schema as an Iceberg schema.
extension IcebergSchema {
    /// The schema of a Hudi table from its writer schema (`extraMetadata.schema` of a
    /// commit: an Avro record of the data columns; nested records, arrays and maps become
    /// structs, lists and maps). `knownIDs` keeps the ids an earlier schema gave (by path,
    /// as ``idsByPath``): Hudi's schema evolution only appends columns and nested members,
    /// so a field keeps its id and a new one gets an id above every known one.
    ///
    /// Ids go to a struct's own fields before the fields below them (as Iceberg assigns
    /// fresh ids), so the top-level columns of a table's first schema get ids by position:
    /// the Parquet field ids our writer puts into a flat table's base files (meta columns
    /// 1–5, then the data columns: ``AvroSchema/baseFileFields(_:)``).
    public static func fromHudiAvro(_ avroJSON: String, schemaID: Int = 0, knownIDs: [String: Int] = [:]) throws -> IcebergSchema {
        let root: JSONValue
        do {
            root = try JSONValue.parse(Data(avroJSON.utf8))
        } catch {
            throw CatalogError(.invalidTable, "the commit's Avro schema is not JSON: \(error)")
        }
        guard root["type"]?.string == "record", let avroFields = root["fields"]?.arrayValues else {
            throw CatalogError(.invalidTable, "the commit's Avro schema is not a record")
        }
        let meta: [IcebergField] = AvroSchema.metaFieldNames.enumerated().map {
            IcebergField(id: $0.offset + 1, name: $0.element, type: .string, required: false)
        }
        var ids = FieldIDs(known: knownIDs, next: max(meta.count, knownIDs.values.max() ?? 0) + 1)
        let data = avroFields.filter { f in !AvroSchema.metaFieldNames.contains(where: { f["name"]?.string == $0 }) }
        return IcebergSchema(schemaID: schemaID, fields: meta + (try structFields(data, parent: nil, ids: &ids)))
    }

    /// Field ids by path: the known ones, new ones counting up.
    private struct FieldIDs {
        var known: [String: Int]
        var next: Int

        mutating func id(_ path: String) -> Int {
            if let id = known[path] { return id }
            defer { next += 1 }
            known[path] = next
            return next
        }
    }

    private static func structFields(_ avro: [JSONValue], parent: String?, ids: inout FieldIDs) throws -> [IcebergField] {
        var members: [(name: String, path: String, id: Int, type: JSONValue, nullable: Bool)] = []
        for f in avro {
            guard let name = f["name"]?.string, let type = f["type"] else {
                throw CatalogError(.invalidTable, "an Avro field without name or type")
            }
            let path = parent.map { "\($0).\(name)" } ?? name
            let (t, nullable) = try nonNull(type, path: path)
            members.append((name, path, ids.id(path), t, nullable))
        }
        return try members.map { m in
            IcebergField(id: m.id, name: m.name, type: try mapType(m.type, path: m.path, ids: &ids), required: !m.nullable)
        }
    }

    /// An Avro type without its null: (T, true) for `[null, T]`, (T, false) for `T`.
    private static func nonNull(_ avro: JSONValue, path: String) throws -> (JSONValue, Bool) {
        guard let members = avro.arrayValues else { return (avro, false) }
        let nonNull = members.filter { $0.string != "null" }
        guard nonNull.count == 1, members.count <= 2 else {
            throw CatalogError(.unsupported, "field \(path): union \(avro.pretty()) (only [null, T])")
        }
        return (nonNull[0], members.count == 2)
    }

    private static func mapType(_ avro: JSONValue, path: String, ids: inout FieldIDs) throws -> IcebergType {
        guard avro.string == nil, avro["logicalType"] == nil else { return try primitive(avro, field: path) }
        switch avro["type"]?.string {
        case "record":
            guard let fields = avro["fields"]?.arrayValues else { throw CatalogError(.invalidTable, "field \(path): a record without fields") }
            return .struct(try structFields(fields, parent: path, ids: &ids))
        case "array":
            guard let items = avro["items"] else { throw CatalogError(.invalidTable, "field \(path): an array without items") }
            let elementPath = "\(path).element"
            let (t, nullable) = try nonNull(items, path: elementPath)
            let id = ids.id(elementPath)
            return .list(elementID: id, element: try mapType(t, path: elementPath, ids: &ids), elementRequired: !nullable)
        case "map":
            // Avro map keys are strings.
            guard let values = avro["values"] else { throw CatalogError(.invalidTable, "field \(path): a map without values") }
            let (keyID, valueID) = (ids.id("\(path).key"), ids.id("\(path).value"))
            let (t, nullable) = try nonNull(values, path: "\(path).value")
            return .map(keyID: keyID, key: .string, valueID: valueID, value: try mapType(t, path: "\(path).value", ids: &ids),
                        valueRequired: !nullable)
        default:
            return try primitive(avro, field: path)
        }
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
            default: throw CatalogError(.unsupported, "field \(field): Avro type \(name)")
            }
        }
        guard let base = avro["type"]?.string else {
            throw CatalogError(.unsupported, "field \(field): Avro type \(avro.pretty())")
        }
        let logical = avro["logicalType"]?.string
        switch (base, logical) {
        case ("int", "date"): return .date
        case ("long", "timestamp-micros"), ("long", "timestamp-millis"): return .timestamptz
        case ("long", "local-timestamp-micros"), ("long", "local-timestamp-millis"): return .timestamp
        case ("bytes", "decimal"), ("fixed", "decimal"):
            guard let p = avro["precision"]?.int else { throw CatalogError(.invalidTable, "field \(field): decimal without precision") }
            return .decimal(precision: Int(p), scale: Int(avro["scale"]?.int ?? 0))
        case ("fixed", _):
            guard let n = avro["size"]?.int else { throw CatalogError(.invalidTable, "field \(field): fixed without size") }
            return .fixed(Int(n))
        case ("string", _): return .string
        case (let b, nil) where ["boolean", "int", "long", "float", "double", "bytes"].contains(b):
            return try primitive(.string(b), field: field)
        default:
            throw CatalogError(.unsupported, "field \(field): Avro type \(avro.pretty())")
        }
    }
}

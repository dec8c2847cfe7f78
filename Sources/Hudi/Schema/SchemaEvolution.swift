import Foundation
import TributaryCore

/// Hudi's schema-evolution rules on write (a nested column is compared as a whole): the table's schema is the one
/// stored with its latest commit (`extraMetadata.schema`); a batch may
/// - add nullable columns (appended; old files read them as null, rewritten files carry
///   null for the old records),
/// - omit nullable columns (the batch's records get null),
/// - make a required column nullable (Avro's `T` → `["null", T]` promotion),
/// and is rejected when it changes a column's type, omits a required column, or adds a
/// required column (old records would have no value).
public enum SchemaEvolution {
    /// The fields of an Avro record schema (as ``AvroSchema/json(tableName:fields:includeMetaFields:)``
    /// and Spark write them), nested records, arrays and maps included. Throws `unsupported`
    /// for unknown types.
    public static func fields(fromAvro json: String) throws -> [Field] {
        let root = try JSONValue.parse(Data(json.utf8))
        guard root["type"]?.string == "record", let fields = root["fields"]?.arrayValues else {
            throw HudiError.unsupported("table schema is not an Avro record: \(json.prefix(200))")
        }
        return try fields.map { f in
            guard let name = f["name"]?.string, let type = f["type"] else {
                throw HudiError.corrupt("Avro field without name or type in the table schema")
            }
            return try field(name, type)
        }
    }

    /// A field of Avro type `type` (a union with null: nullable).
    static func field(_ name: String, _ type: JSONValue) throws -> Field {
        var nullable = false
        var t = type
        if let members = type.arrayValues {
            let nonNull = members.filter { $0.string != "null" }
            guard nonNull.count == 1 else { throw HudiError.unsupported("union type of column \(name)") }
            nullable = nonNull.count < members.count
            t = nonNull[0]
        }
        return Field(name, try fieldType(t, column: name), nullable: nullable)
    }

    static func fieldType(_ t: JSONValue, column: String) throws -> FieldType {
        if let name = t.string {
            switch name {
            case "boolean": return .boolean
            case "int": return .int32
            case "long": return .int64
            case "float": return .float
            case "double": return .double
            case "string": return .string
            case "bytes": return .binary
            default: throw HudiError.unsupported("Avro type \(name) of column \(column)")
            }
        }
        let base = t["type"]?.string ?? ""
        switch (base, t["logicalType"]?.string) {
        case ("int", "date"): return .date
        case ("long", "timestamp-millis"), ("long", "local-timestamp-millis"):
            return .timestamp(.millis, isAdjustedToUTC: t["logicalType"]?.string == "timestamp-millis")
        case ("long", "timestamp-micros"), ("long", "local-timestamp-micros"):
            return .timestamp(.micros, isAdjustedToUTC: t["logicalType"]?.string == "timestamp-micros")
        case ("fixed", "decimal"), ("bytes", "decimal"):
            return .decimal(precision: Int(t["precision"]?.int ?? 0), scale: Int(t["scale"]?.int ?? 0))
        case ("fixed", nil): return .fixedLenByteArray(Int(t["size"]?.int ?? 0))
        // Nested types as AvroSchema writes them (spark-avro's names): record, array, map.
        case ("record", nil):
            return .group(try (t["fields"]?.arrayValues ?? []).map { f in
                guard let name = f["name"]?.string, let type = f["type"] else {
                    throw HudiError.corrupt("Avro field without name or type in column \(column)")
                }
                return try field(name, type)
            })
        case ("array", nil):
            guard let items = t["items"] else { throw HudiError.corrupt("Avro array without items in column \(column)") }
            return .list(try field("element", items))
        case ("map", nil):
            guard let values = t["values"] else { throw HudiError.corrupt("Avro map without values in column \(column)") }
            return .map(key: Field("key", .string, nullable: false), value: try field("value", values))
        case (let b, nil) where !b.isEmpty: return try fieldType(.string(b), column: column)
        default: throw HudiError.unsupported("Avro type \(t.pretty()) of column \(column)")
        }
    }

    /// The Avro type text of a field type (what compatibility is judged on: `json` and
    /// `string` columns are both Avro strings).
    static func avroType(_ type: FieldType, column: String) -> String {
        AvroSchema.avroType(type, fieldName: column, namespace: "")
    }

    /// The batch rewritten to the evolved schema: the table's columns in table order (types
    /// from the table, nullable if either side is), then the batch's new nullable columns;
    /// omitted nullable columns filled with nulls. Throws `invalidArgument` naming the column
    /// and both types on an incompatible change.
    public static func evolve(_ batch: RecordBatch, tableFields: [Field]) throws -> RecordBatch {
        let batchIndex = Dictionary(batch.fields.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        let tableNames = Set(tableFields.map(\.name))
        var fields: [Field] = []
        var columns: [Column] = []
        for t in tableFields {
            guard let i = batchIndex[t.name] else {
                guard t.nullable else {
                    throw HudiError.invalidArgument(
                        "schema evolution: the batch drops required column \(t.name) (\(describe(t))); only nullable columns may be omitted")
                }
                fields.append(t)
                columns.append(ColumnGather.nulls(t.type, count: batch.count))
                continue
            }
            let b = batch.fields[i]
            guard avroType(b.type, column: b.name) == avroType(t.type, column: t.name), b.type.physicalType == t.type.physicalType else {
                throw HudiError.invalidArgument(
                    "schema evolution: column \(t.name) changes type from \(describe(t)) in the table to \(describe(b)) in the batch; type changes are not supported")
            }
            var f = b
            f.nullable = t.nullable || b.nullable
            fields.append(f)
            columns.append(batch.columns[i])
        }
        for (i, b) in batch.fields.enumerated() where !tableNames.contains(b.name) {
            guard b.nullable else {
                throw HudiError.invalidArgument(
                    "schema evolution: new column \(b.name) (\(describe(b))) must be nullable; existing records have no value for it")
            }
            fields.append(b)
            columns.append(batch.columns[i])
        }
        var out = batch
        out.fields = fields
        out.columns = columns
        return out
    }

    static func describe(_ f: Field) -> String {
        let t = avroType(f.type, column: f.name)
        return f.nullable ? "[\"null\",\(t)]" : t
    }
}

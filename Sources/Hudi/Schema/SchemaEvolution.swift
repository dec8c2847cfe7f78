import Foundation
import TributaryCore

/// Hudi's schema-evolution rules on write, for columns and for members of nested columns at any depth: the table's schema is the one
/// stored with its latest commit (`extraMetadata.schema`); a batch may
/// - add nullable columns or nested members (appended; old files read them as null,
///   rewritten files carry null for the old records),
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
            throw HudiError(.unsupported, "table schema is not an Avro record: \(json.prefix(200))")
        }
        return try fields.map { f in
            guard let name = f["name"]?.string, let type = f["type"] else {
                throw HudiError(.corrupt, "Avro field without name or type in the table schema")
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
            guard nonNull.count == 1 else { throw HudiError(.unsupported, "union type of column \(name)") }
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
            default: throw HudiError(.unsupported, "Avro type \(name) of column \(column)")
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
                    throw HudiError(.corrupt, "Avro field without name or type in column \(column)")
                }
                return try field(name, type)
            })
        case ("array", nil):
            guard let items = t["items"] else { throw HudiError(.corrupt, "Avro array without items in column \(column)") }
            return .list(try field("element", items))
        case ("map", nil):
            guard let values = t["values"] else { throw HudiError(.corrupt, "Avro map without values in column \(column)") }
            return .map(key: Field("key", .string, nullable: false), value: try field("value", values))
        case (let b, nil) where !b.isEmpty: return try fieldType(.string(b), column: column)
        default: throw HudiError(.unsupported, "Avro type \(t.pretty()) of column \(column)")
        }
    }

    /// The Avro type text of a field type (what compatibility is judged on: `json` and
    /// `string` columns are both Avro strings).
    static func avroType(_ type: FieldType, column: String) -> String {
        AvroSchema.avroType(type, fieldName: column, namespace: "")
    }

    /// The batch rewritten to the evolved schema (``evolvedFields(_:tableFields:refuseRemovedMembers:)``):
    /// the table's columns in table order, then the batch's new nullable columns; omitted
    /// nullable columns filled with nulls; nested columns conformed to the evolved groups
    /// (members in table order, new members appended, omitted ones null). Throws
    /// `invalidArgument` naming the column or member path and both types on an incompatible change.
    public static func evolve(_ batch: RecordBatch, tableFields: [Field]) throws -> RecordBatch {
        let fields = try evolvedFields(batch.fields, tableFields: tableFields)
        let batchIndex = Dictionary(batch.fields.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        var columns: [Column] = []
        var nested: [String: NestedColumn] = [:]
        for f in fields {
            guard let i = batchIndex[f.name] else {
                columns.append(ColumnGather.nulls(f.type, count: batch.count))
                continue
            }
            columns.append(batch.columns[i])
            guard f.type.isNested, let data = batch.nestedColumns[f.name] else { continue }
            nested[f.name] = try NestedConformance.conformIfNeeded(data, from: batch.fields[i], to: f)
        }
        var out = batch
        out.fields = fields
        out.columns = columns
        out.nestedColumns = nested
        return out
    }

    /// The table's fields evolved by a batch's (or a stream definition's): table columns in
    /// table order, each nullable if either side is; members of nested groups likewise, at
    /// any depth (in a group, in a list's element, in a map's value); then new nullable
    /// columns and members, appended. Refused (`invalidArgument`, naming the path, e.g.
    /// `customer.address.zip` or `items[].sku`): a type change (a list's element type
    /// included), a new required column or member, an omitted required one, and with
    /// `refuseRemovedMembers` any omitted member of a nested group.
    public static func evolvedFields(_ batchFields: [Field], tableFields: [Field], refuseRemovedMembers: Bool = false) throws -> [Field] {
        try mergeMembers(table: tableFields, batch: batchFields, parent: nil, refuseRemovedMembers: refuseRemovedMembers)
    }

    private static func mergeMembers(table: [Field], batch: [Field], parent: String?, refuseRemovedMembers: Bool) throws -> [Field] {
        let byName = Dictionary(batch.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let what = parent == nil ? "column" : "member"
        var out: [Field] = []
        for t in table {
            let path = parent.map { "\($0).\(t.name)" } ?? t.name
            guard let b = byName[t.name] else {
                if parent != nil, refuseRemovedMembers {
                    throw HudiError(.invalidArgument, 
                        "schema evolution: member \(path) (\(describe(t))) is removed; members of nested fields cannot be removed")
                }
                guard t.nullable else {
                    throw HudiError(.invalidArgument, 
                        "schema evolution: the batch drops required \(what) \(path) (\(describe(t))); only nullable \(what)s may be omitted")
                }
                out.append(t)
                continue
            }
            out.append(try merge(table: t, batch: b, path: path, refuseRemovedMembers: refuseRemovedMembers))
        }
        let tableNames = Set(table.map(\.name))
        for b in batch where !tableNames.contains(b.name) {
            let path = parent.map { "\($0).\(b.name)" } ?? b.name
            guard b.nullable else {
                throw HudiError(.invalidArgument, 
                    "schema evolution: new \(what) \(path) (\(describe(b))) must be nullable; existing records have no value for it")
            }
            out.append(b)
        }
        return out
    }

    /// One column or member present on both sides (`path` names it).
    private static func merge(table t: Field, batch b: Field, path: String, refuseRemovedMembers: Bool) throws -> Field {
        var f = b
        f.nullable = t.nullable || b.nullable
        switch (t.type, b.type) {
        case (.group(let tm), .group(let bm)):
            f.type = .group(try mergeMembers(table: tm, batch: bm, parent: path, refuseRemovedMembers: refuseRemovedMembers))
        case (.list(let te), .list(let be)):
            f.type = .list(try merge(table: te, batch: be, path: path + "[]", refuseRemovedMembers: refuseRemovedMembers))
        case (.map(let tk, let tv), .map(let bk, let bv)):
            guard avroType(tk.type, column: tk.name) == avroType(bk.type, column: bk.name) else { throw typeChange(path + "{}", t: tk, b: bk) }
            f.type = .map(key: tk, value: try merge(table: tv, batch: bv, path: path + "{}", refuseRemovedMembers: refuseRemovedMembers))
        default:
            guard !t.type.isNested, !b.type.isNested, avroType(b.type, column: b.name) == avroType(t.type, column: t.name),
                  b.type.physicalType == t.type.physicalType else { throw typeChange(path, t: t, b: b) }
        }
        return f
    }

    private static func typeChange(_ path: String, t: Field, b: Field) -> HudiError {
        let subject: String
        if path.hasSuffix("[]") {
            subject = "the elements of list \(path.dropLast(2)) change"
        } else if path.hasSuffix("{}") {
            subject = "the values of map \(path.dropLast(2)) change"
        } else {
            subject = "\(path.contains(where: { $0 == "." || $0 == "[" || $0 == "{" }) ? "member" : "column") \(path) changes"
        }
        return HudiError(.invalidArgument, 
            "schema evolution: \(subject) type from \(describe(t)) in the table to \(describe(b)) in the batch; type changes are not supported")
    }

    /// A field's type as Avro writes it (nested types by kind: their members are judged one by one).
    static func describe(_ f: Field) -> String {
        let t: String
        switch f.type {
        case .group: t = "object"
        case .list(let e): t = "list of \(describe(e))"
        case .map(_, let v): t = "map of \(describe(v))"
        default: t = avroType(f.type, column: f.name)
        }
        return f.nullable ? "[\"null\",\(t)]" : t
    }
}

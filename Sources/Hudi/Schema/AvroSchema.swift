import TributaryCore

/// Avro schemas as Hudi (through spark-avro / parquet-avro) writes them for a flat table:
/// record `<table>_record` in namespace `hoodie.<table>`, nullable fields as
/// `["null", T]` with `"default": null`.
public enum AvroSchema {
    /// Hudi's five meta columns, in file order.
    public static let metaFieldNames = [
        "_hoodie_commit_time", "_hoodie_commit_seqno", "_hoodie_record_key", "_hoodie_partition_path", "_hoodie_file_name",
    ]

    /// The meta columns as Parquet fields (optional strings).
    public static var metaFields: [Field] { metaFieldNames.map { Field($0, .string, nullable: true) } }

    /// The columns of a base file — the meta columns, then the table's data columns in table
    /// order — with Parquet field ids, the Iceberg field ids the catalog exporter assigns
    /// (Catalog's `IcebergSchema.fromHudiAvro`): meta columns 1–5, data columns 6, 7, … by
    /// position. The table's schema only ever appends columns (``SchemaEvolution``), so a
    /// column keeps its id in every file and every schema of the table: the ids are stable by
    /// name. Readers that map by name (hudi-rs, Spark, DuckDB) ignore them.
    ///
    /// A table with a nested column gets no field ids at all: the ids of nested fields are
    /// the exporter's (kept by path over the table's schema history), which a writer that
    /// knows only the current schema cannot reproduce, and a file with ids on some columns
    /// only is not read by name: Iceberg's Java reader then projects by id and drops the
    /// nested members without one. Without ids every Iceberg reader (Java, pyiceberg,
    /// DuckDB) maps the file's columns through the table's name mapping, as the spec says
    /// for files without field ids.
    public static func baseFileFields(_ dataFields: [Field]) -> [Field] {
        if dataFields.contains(where: \.type.isNested) { return metaFields + dataFields }
        return (metaFields + dataFields).enumerated().map { i, f in
            var f = f
            f.fieldID = Int32(i + 1)
            return f
        }
    }

    /// The writer schema JSON of the data columns (`extraMetadata.schema`); with
    /// `includeMetaFields` the schema of a base file (`parquet.avro.schema`).
    public static func json(tableName: String, fields: [Field], includeMetaFields: Bool = false) -> String {
        let recordName = "\(tableName)_record"
        let namespace = "hoodie.\(tableName)"
        var parts: [String] = []
        if includeMetaFields {
            for name in metaFieldNames {
                parts.append(#"{"name":"\#(name)","type":["null","string"],"doc":"","default":null}"#)
            }
        }
        for f in fields {
            let t = avroType(f.type, fieldName: f.name, namespace: "\(namespace).\(recordName)")
            if f.nullable {
                parts.append(#"{"name":\#(jsonQuoted(f.name)),"type":["null",\#(t)],"default":null}"#)
            } else {
                parts.append(#"{"name":\#(jsonQuoted(f.name)),"type":\#(t)}"#)
            }
        }
        return #"{"type":"record","name":\#(jsonQuoted(recordName)),"namespace":\#(jsonQuoted(namespace)),"fields":[\#(parts.joined(separator: ","))]}"#
    }

    static func avroType(_ type: FieldType, fieldName: String, namespace: String) -> String {
        switch type {
        case .boolean: return #""boolean""#
        case .int32: return #""int""#
        case .int64: return #""long""#
        case .float: return #""float""#
        case .double: return #""double""#
        case .string, .json: return #""string""#
        case .binary: return #""bytes""#
        case .fixedLenByteArray(let n):
            return #"{"type":"fixed","name":"fixed","namespace":\#(jsonQuoted(namespace + "." + fieldName)),"size":\#(n)}"#
        case .decimal(let p, let s):
            // spark-avro writes decimals as fixed of the minimal width for the precision.
            let size = ColumnGather.decimalWidth(p)
            return #"{"type":"fixed","name":"fixed","namespace":\#(jsonQuoted(namespace + "." + fieldName)),"size":\#(size),"logicalType":"decimal","precision":\#(p),"scale":\#(s)}"#
        case .date: return #"{"type":"int","logicalType":"date"}"#
        case .timestamp(let unit, _):
            return unit == .millis ? #"{"type":"long","logicalType":"timestamp-millis"}"# : #"{"type":"long","logicalType":"timestamp-micros"}"#
        // Nested types as spark-avro names them: a record per struct, named after its field.
        case .group(let children):
            let inner = namespace + "." + fieldName
            let parts = children.map { c in
                let t = avroType(c.type, fieldName: c.name, namespace: inner)
                return c.nullable ? #"{"name":\#(jsonQuoted(c.name)),"type":["null",\#(t)],"default":null}"#
                                  : #"{"name":\#(jsonQuoted(c.name)),"type":\#(t)}"#
            }
            return #"{"type":"record","name":\#(jsonQuoted(fieldName)),"namespace":\#(jsonQuoted(namespace)),"fields":[\#(parts.joined(separator: ","))]}"#
        case .list(let element):
            let t = avroType(element.type, fieldName: element.name, namespace: namespace + "." + fieldName)
            return #"{"type":"array","items":\#(element.nullable ? "[\"null\",\(t)]" : t)}"#
        case .map(_, let value):
            let t = avroType(value.type, fieldName: value.name, namespace: namespace + "." + fieldName)
            return #"{"type":"map","values":\#(value.nullable ? "[\"null\",\(t)]" : t)}"#
        }
    }
}

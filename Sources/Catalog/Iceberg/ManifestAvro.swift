import Foundation
import Hudi
import TributaryCore

/// Iceberg v2 manifests and manifest lists as Avro container files (spec: "Manifests" and
/// "Manifest Lists"). Every field carries its Iceberg `field-id`; maps with int keys are
/// Avro arrays of key/value records with `"logicalType": "map"`, as the spec requires.
enum ManifestAvro {
    /// A partition field of the (identity) spec, for the manifest's `partition` struct.
    struct PartitionField {
        var name: String
        var fieldID: Int
    }

    // MARK: Manifest (manifest_entry records)

    static func manifestSchema(partition: [PartitionField]) -> String {
        let partitionFields = partition.map {
            #"{"name":\#(jsonQuoted($0.name)),"type":["null","string"],"default":null,"field-id":\#($0.fieldID)}"#
        }.joined(separator: ",")
        func map(_ name: String, _ id: Int, _ k: Int, _ v: Int, _ value: String) -> String {
            #"{"name":"\#(name)","type":["null",{"type":"array","logicalType":"map","items":{"type":"record","name":"k\#(k)_v\#(v)","fields":[{"name":"key","type":"int","field-id":\#(k)},{"name":"value","type":"\#(value)","field-id":\#(v)}]}}],"default":null,"field-id":\#(id)}"#
        }
        let dataFile = [
            #"{"name":"content","type":"int","field-id":134}"#,
            #"{"name":"file_path","type":"string","field-id":100}"#,
            #"{"name":"file_format","type":"string","field-id":101}"#,
            #"{"name":"partition","type":{"type":"record","name":"r102","fields":[\#(partitionFields)]},"field-id":102}"#,
            #"{"name":"record_count","type":"long","field-id":103}"#,
            #"{"name":"file_size_in_bytes","type":"long","field-id":104}"#,
            map("column_sizes", 108, 117, 118, "long"),
            map("value_counts", 109, 119, 120, "long"),
            map("null_value_counts", 110, 121, 122, "long"),
            map("lower_bounds", 125, 126, 127, "bytes"),
            map("upper_bounds", 128, 129, 130, "bytes"),
            #"{"name":"sort_order_id","type":["null","int"],"default":null,"field-id":140}"#,
        ].joined(separator: ",")
        return #"{"type":"record","name":"manifest_entry","fields":["#
            + #"{"name":"status","type":"int","field-id":0},"#
            + #"{"name":"snapshot_id","type":["null","long"],"default":null,"field-id":1},"#
            + #"{"name":"sequence_number","type":["null","long"],"default":null,"field-id":3},"#
            + #"{"name":"file_sequence_number","type":["null","long"],"default":null,"field-id":4},"#
            + #"{"name":"data_file","type":{"type":"record","name":"r2","fields":[\#(dataFile)]},"field-id":2}]}"#
    }

    /// A manifest file; `schemaJSON` / `specJSON` are the table schema and the spec's
    /// fields as table-metadata JSON (readers take them from the file's metadata).
    static func manifest(entries: [ManifestEntry], partition: [PartitionField], schemaJSON: String, schemaID: Int,
                         specFieldsJSON: String, specID: Int, sync: [UInt8]? = nil) throws -> Data {
        let records: [JSONValue] = entries.map { e in
            .object([
                ("status", .int(e.status.rawValue)),
                ("snapshot_id", .int(e.snapshotID)),
                ("sequence_number", .int(e.sequenceNumber)),
                ("file_sequence_number", .int(e.sequenceNumber)),
                ("data_file", dataFile(e.file, partition: partition)),
            ])
        }
        return try AvroWriter.container(schemaJSON: manifestSchema(partition: partition), records: records, metadata: [
            ("schema", schemaJSON), ("schema-id", String(schemaID)),
            ("partition-spec", specFieldsJSON), ("partition-spec-id", String(specID)),
            ("format-version", "2"), ("content", "data"),
        ], sync: sync)
    }

    static func dataFile(_ f: IcebergDataFile, partition: [PartitionField]) -> JSONValue {
        var values: [(String, JSONValue)] = []
        for (i, p) in partition.enumerated() {
            let v = i < f.partition.count ? f.partition[i] : nil
            values.append((p.name, v.map(JSONValue.string) ?? .null))
        }
        func counts(_ m: [Int: Int64]) -> JSONValue {
            m.isEmpty ? .null : .array(m.keys.sorted().map { .object([("key", .int(Int64($0))), ("value", .int(m[$0] ?? 0))]) })
        }
        func bounds(_ m: [Int: [UInt8]]) -> JSONValue {
            m.isEmpty ? .null : .array(m.keys.sorted().map {
                .object([("key", .int(Int64($0))), ("value", .string(Data(m[$0] ?? []).base64EncodedString()))])
            })
        }
        return .object([
            ("content", .int(0)),
            ("file_path", .string(f.path)),
            ("file_format", .string("PARQUET")),
            ("partition", .object(values)),
            ("record_count", .int(f.recordCount)),
            ("file_size_in_bytes", .int(f.fileSizeInBytes)),
            ("column_sizes", counts(f.columnSizes)),
            ("value_counts", counts(f.valueCounts)),
            ("null_value_counts", counts(f.nullValueCounts)),
            ("lower_bounds", bounds(f.lowerBounds)),
            ("upper_bounds", bounds(f.upperBounds)),
            ("sort_order_id", .null),
        ])
    }

    // MARK: Manifest list (manifest_file records)

    /// What the manifest list says about one manifest.
    struct ManifestFileEntry {
        var path: String
        var length: Int64
        /// The table's first partition spec, the only one the exporter writes.
        var specID = 0
        var sequenceNumber: Int64
        var minSequenceNumber: Int64
        var addedSnapshotID: Int64
        var added: (files: Int64, rows: Int64)
        var existing: (files: Int64, rows: Int64)
        var deleted: (files: Int64, rows: Int64)
        /// Per partition field: (contains null, lower, upper) of the live files' values.
        var partitions: [(containsNull: Bool, lower: String?, upper: String?)]
    }

    /// The manifest list's Avro schema (the spec's `manifest_file` record, every field with
    /// its field id): `Resources/manifest_list.avsc`, read once.
    static let manifestListSchema: String? = Bundle.module.url(forResource: "manifest_list", withExtension: "avsc")
        .flatMap { try? String(contentsOf: $0, encoding: .utf8) }

    static func manifestList(_ manifests: [ManifestFileEntry], snapshotID: Int64, parentID: Int64?, sequenceNumber: Int64,
                             sync: [UInt8]? = nil) throws -> Data {
        let records: [JSONValue] = manifests.map { m in
            func utf8(_ s: String?) -> JSONValue { s.map { .string(Data($0.utf8).base64EncodedString()) } ?? .null }
            return .object([
                ("manifest_path", .string(m.path)),
                ("manifest_length", .int(m.length)),
                ("partition_spec_id", .int(Int64(m.specID))),
                ("content", .int(0)),
                ("sequence_number", .int(m.sequenceNumber)),
                ("min_sequence_number", .int(m.minSequenceNumber)),
                ("added_snapshot_id", .int(m.addedSnapshotID)),
                ("added_files_count", .int(m.added.files)),
                ("existing_files_count", .int(m.existing.files)),
                ("deleted_files_count", .int(m.deleted.files)),
                ("added_rows_count", .int(m.added.rows)),
                ("existing_rows_count", .int(m.existing.rows)),
                ("deleted_rows_count", .int(m.deleted.rows)),
                ("partitions", .array(m.partitions.map { p in
                    .object([("contains_null", .bool(p.containsNull)), ("contains_nan", .null),
                             ("lower_bound", utf8(p.lower)), ("upper_bound", utf8(p.upper))])
                })),
            ])
        }
        guard let schema = manifestListSchema else {
            throw CatalogError(.unsupported, "writing manifest lists: manifest_list.avsc is missing from the Catalog resource bundle")
        }
        return try AvroWriter.container(schemaJSON: schema, records: records, metadata: [
            ("snapshot-id", String(snapshotID)),
            ("parent-snapshot-id", parentID.map(String.init) ?? "null"),
            ("sequence-number", String(sequenceNumber)),
            ("format-version", "2"),
        ], sync: sync)
    }
}

import Foundation
import Hudi
import TributaryCore

/// One Iceberg snapshot as the table metadata lists it.
public struct IcebergSnapshot: Sendable, Equatable {
    public var snapshotID: Int64
    public var parentID: Int64?
    public var sequenceNumber: Int64
    public var timestampMillis: Int64
    /// Absolute URI of the manifest list.
    public var manifestList: String
    /// The schema the snapshot's commit wrote with.
    public var schemaID: Int = 0
    /// `operation` and counters (`added-data-files`, `total-records`, `hudi.instant`, …).
    public var summary: [(String, String)]

    public static func == (a: IcebergSnapshot, b: IcebergSnapshot) -> Bool {
        a.snapshotID == b.snapshotID && a.parentID == b.parentID && a.sequenceNumber == b.sequenceNumber
            && a.timestampMillis == b.timestampMillis && a.manifestList == b.manifestList && a.schemaID == b.schemaID
            && a.summary.elementsEqual(b.summary, by: { $0 == $1 })
    }
}

/// Iceberg table metadata, format version 2 (spec: "Table Metadata Fields"), with one
/// schema, one identity partition spec and an unsorted order.
public struct IcebergTableMetadata: Sendable {
    public var tableUUID: String
    public var location: String
    /// The current schema (the latest commit's).
    public var schema: IcebergSchema
    /// Every schema a snapshot uses, by schema id (the current one last).
    public var schemas: [IcebergSchema] = []
    /// Identity partition fields: (source field, partition field id 1000…).
    public var partitionFields: [(source: IcebergField, fieldID: Int)]
    public var properties: [(String, String)]
    public var snapshots: [IcebergSnapshot]
    public var lastUpdatedMillis: Int64

    public var currentSnapshotID: Int64? { snapshots.last?.snapshotID }

    /// `schemas`, or just the current schema when none were recorded.
    var allSchemas: [IcebergSchema] {
        schemas.contains(where: { $0.schemaID == schema.schemaID }) ? schemas : schemas + [schema]
    }

    /// `schema.name-mapping.default` over every schema's columns (ids never change names).
    var nameMappingJSON: String {
        var seen = Set<Int>()
        var fields: [IcebergField] = []
        for s in allSchemas.reversed() {
            for f in s.fields where seen.insert(f.id).inserted { fields.append(f) }
        }
        return IcebergSchema(fields: fields.sorted { $0.id < $1.id }).nameMappingJSON
    }

    /// The spec's fields as JSON (also stored in each manifest's metadata).
    var specFieldsJSON: JSONValue {
        .array(partitionFields.map { p in
            .object([
                ("name", .string(p.source.name)), ("transform", .string("identity")),
                ("source-id", .int(Int64(p.source.id))), ("field-id", .int(Int64(p.fieldID))),
            ])
        })
    }

    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("format-version", .int(2)),
            ("table-uuid", .string(tableUUID)),
            ("location", .string(location)),
            ("last-sequence-number", .int(snapshots.last?.sequenceNumber ?? 0)),
            ("last-updated-ms", .int(lastUpdatedMillis)),
            ("last-column-id", .int(Int64((allSchemas.map(\.lastColumnID)).max() ?? 0))),
            ("current-schema-id", .int(Int64(schema.schemaID))),
            ("schemas", .array(allSchemas.map(\.json))),
            ("default-spec-id", .int(0)),
            ("partition-specs", .array([.object([("spec-id", .int(0)), ("fields", specFieldsJSON)])])),
            ("last-partition-id", .int(Int64(partitionFields.map(\.fieldID).max() ?? 999))),
            ("default-sort-order-id", .int(0)),
            ("sort-orders", .array([.object([("order-id", .int(0)), ("fields", .array([]))])])),
            ("properties", .object(properties.map { ($0.0, .string($0.1)) })),
            ("current-snapshot-id", .int(currentSnapshotID ?? -1)),
        ]
        if let current = currentSnapshotID {
            fields.append(("refs", .object([("main", .object([("snapshot-id", .int(current)), ("type", .string("branch"))]))])))
        } else {
            fields.append(("refs", .object([])))
        }
        fields.append(("snapshots", .array(snapshots.map { s in
            var o: [(String, JSONValue)] = [("snapshot-id", .int(s.snapshotID))]
            if let p = s.parentID { o.append(("parent-snapshot-id", .int(p))) }
            o += [
                ("sequence-number", .int(s.sequenceNumber)),
                ("timestamp-ms", .int(s.timestampMillis)),
                ("manifest-list", .string(s.manifestList)),
                ("summary", .object(s.summary.map { ($0.0, .string($0.1)) })),
                ("schema-id", .int(Int64(s.schemaID))),
            ]
            return .object(o)
        })))
        fields.append(("snapshot-log", .array(snapshots.map {
            .object([("snapshot-id", .int($0.snapshotID)), ("timestamp-ms", .int($0.timestampMillis))])
        })))
        fields.append(("metadata-log", .array([])))
        return .object(fields)
    }
}

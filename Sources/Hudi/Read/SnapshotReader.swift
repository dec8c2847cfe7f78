import Foundation
import ObjectStore
import Parquet
import TributaryCore

/// Rows read from a table: column names (union over the files, in first-seen order) and
/// one value per column per row (`.null` where a file lacks the column).
public struct HudiRows: Sendable {
    public var names: [String]
    public var rows: [[ParquetValue]]
}

/// Reads the base files of a plan through the Parquet reader.
public enum SnapshotReader {
    /// Reads `plan`'s files, optionally only `columns`, stopping after `limit` rows.
    /// With `dropMetaFields` (tables written with `hoodie.populate.meta.fields=false`, whose
    /// files may still carry empty `_hoodie_*` columns) those columns are left out, as
    /// Hudi's readers do.
    /// Slices with log files (merge-on-read) are read merged (``MergedSliceReader``), their
    /// log blocks filtered by `plan.logInstants`, ordered by `precombineField`.
    /// With the table's `fields`, nested values of files written before a nested column
    /// gained members read in the table's shape (the new members null).
    public static func read(store: any ObjectStore, plan: SnapshotPlan, columns: [String]? = nil, limit: Int? = nil,
                            dropMetaFields: Bool = false, precombineField: String? = nil, fields: [Field]? = nil) async throws -> HudiRows {
        var names: [String] = []
        var index: [String: Int] = [:]
        var rows: [[ParquetValue]] = []
        for slice in plan.slices {
            if let limit, rows.count >= limit { break }
            let fileNames: [String]
            var fileRows: [[ParquetValue]]
            if slice.logFiles.isEmpty {
                let data = try await store.get(slice.path)
                let reader = try ParquetFileReader(source: MemorySource(data))
                let present = reader.schema.fields.map(\.name).filter { !dropMetaFields || !AvroSchema.metaFieldNames.contains($0) }
                let wanted = columns.map { c in c.filter { present.contains($0) } } ?? present
                let read = try reader.readRows(columns: wanted, limit: limit.map { $0 - rows.count })
                fileNames = read.names
                fileRows = read.rows
            } else {
                let visible = plan.logInstants
                let merged = try await MergedSliceReader.read(store: store, slice: slice, isVisible: { visible?.contains($0) ?? true },
                                                             precombineField: precombineField)
                let present = merged.names.filter { !dropMetaFields || !AvroSchema.metaFieldNames.contains($0) }
                let wanted = columns.map { c in c.filter { present.contains($0) } } ?? present
                let picks = wanted.compactMap { merged.names.firstIndex(of: $0) }
                fileNames = wanted
                let kept = limit.map { merged.rows.prefix(max(0, $0 - rows.count)) } ?? merged.rows[...]
                fileRows = kept.map { r in picks.map { r[$0] } }
            }
            if let fields { NestedConformance.conform(rows: &fileRows, names: fileNames, to: fields) }
            for n in fileNames where index[n] == nil {
                index[n] = names.count
                names.append(n)
                for i in rows.indices { rows[i].append(.null) }
            }
            let mapping = fileNames.map { index[$0] ?? 0 }
            for r in fileRows {
                var row = [ParquetValue](repeating: .null, count: names.count)
                for (k, v) in r.enumerated() { row[mapping[k]] = v }
                rows.append(row)
            }
        }
        return HudiRows(names: names, rows: rows)
    }
}

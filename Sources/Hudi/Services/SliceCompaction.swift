import Foundation
import ObjectStore
import Parquet
import TributaryCore

/// The columnar merge of one file slice for compaction: base file and data blocks read as
/// columns, the surviving version of each key chosen by ``RecordMerge``, every column
/// gathered from the sources row by row. Records keep their commit time and sequence
/// number (incremental reads still see when each changed).
enum SliceCompaction {
    struct Merged {
        /// The five meta columns, then one per field (a nested field's a placeholder: its data in `nested`).
        var columns: [Column]
        var nested: [String: NestedColumn]
        var keys: ByteArrays
        /// Base records replaced by a newer version, and removed by deletes.
        var updated: Int
        var deleted: Int
        /// Records only the logs held (inserted through the logs).
        var inserted: Int
    }

    static func merge(store: any ObjectStore, op: CompactionPlan.Operation, logs: SliceLogs, fields: [Field], fileName: String,
                      precombineField: String?) async throws -> Merged {
        var sources: [(path: String, reader: ParquetFileReader)] = [
            (op.key(op.baseFile), try ParquetFileReader(source: MemorySource(try await store.get(op.key(op.baseFile))))),
        ]
        for (i, block) in logs.dataBlocks.enumerated() {
            sources.append(("\(op.key(op.fileId)) data block \(i)", try ParquetFileReader(source: MemorySource(block.parquet))))
        }
        var columns: [[String: Column]] = []
        var nestedPerSource: [[String: NestedColumn]] = []
        var versions: [RecordMerge.Version] = []
        for (s, source) in sources.enumerated() {
            let present = Set(source.reader.schema.fields.map(\.name))
            let names = AvroSchema.metaFieldNames.prefix(3) + fields.filter { !$0.type.isNested }.map(\.name).filter { present.contains($0) }
            let cols = try source.reader.readColumns(Array(names))
            nestedPerSource.append(try nestedColumns(source.reader, fields: fields, present: present))
            func strings(_ name: String) throws -> ByteArrays {
                guard let c = cols[name], case .byteArray(let b) = c.values else {
                    throw HudiError(.unsupported, "\(source.path) has no \(name) column (written without meta fields)")
                }
                return b
            }
            let keys = try strings("_hoodie_record_key"), seqnos = try strings("_hoodie_commit_seqno")
            let times = try strings("_hoodie_commit_time")
            let orderings = precombineField.flatMap { cols[$0] }.map(BloomIndex.orderingValues)
            for r in 0..<keys.count {
                versions.append(RecordMerge.Version(key: keys.string(at: r), ordering: orderings?[r] ?? 0, seqno: seqnos.string(at: r),
                                                    commitTime: times.string(at: r), position: (s, r)))
            }
            columns.append(cols)
        }
        let baseCount = versions.filter { $0.position.source == 0 }.count
        let winners = RecordMerge.winners(versions, deletes: RecordMerge.deleteMarks(logs.deletes))
        let picks = winners.map { RowPick(source: UInt32($0.position.source), row: UInt32($0.position.row)) }
        let keptBase = winners.filter { $0.position.source == 0 }.count
        let replacedBase = Set(winners.filter { $0.position.source != 0 }.map(\.key))
        let baseKeys = Set(versions.filter { $0.position.source == 0 }.map(\.key))
        let updated = replacedBase.intersection(baseKeys).count

        func gathered(_ name: String, _ type: FieldType, nullable: Bool) throws -> Column {
            let perSource = try zip(columns, sources).map { cols, source -> Column in
                let rows = source.reader.numRows
                guard let c = cols[name] else { return ColumnGather.nulls(type, count: rows) }
                guard c.values.physicalType == type.physicalType else {
                    throw HudiError(.invalidArgument, "column \(name) is \(c.values.physicalType) in \(source.path) but \(type.physicalType) in the table schema")
                }
                return c
            }
            return try ColumnGather.gather(perSource, picks, type: type.physicalType)
        }
        let keysColumn = try gathered("_hoodie_record_key", .string, nullable: true)
        guard case .byteArray(let keys) = keysColumn.values else { throw HudiError(.corrupt, "record keys are not strings") }
        var out: [Column] = [
            try gathered("_hoodie_commit_time", .string, nullable: true), try gathered("_hoodie_commit_seqno", .string, nullable: true),
            keysColumn,
            Column(.byteArray(FileGroupWriter.constant(op.partitionPath, count: picks.count))),
            Column(.byteArray(FileGroupWriter.constant(fileName, count: picks.count))),
        ]
        var nested: [String: NestedColumn] = [:]
        let nestedPicks = winners.map(\.position)
        for f in fields {
            guard f.type.isNested else {
                out.append(try gathered(f.name, f.type, nullable: f.nullable))
                continue
            }
            let perSource = try zip(nestedPerSource, sources).map { data, source in
                try data[f.name] ?? ColumnGather.nestedNulls(f, count: source.reader.numRows)
            }
            nested[f.name] = NestedColumn.gather(perSource, nestedPicks)
            out.append(ColumnGather.nulls(.boolean, count: picks.count))
        }
        return Merged(columns: out, nested: nested, keys: keys, updated: updated, deleted: baseCount - keptBase - updated,
                      inserted: replacedBase.count - updated)
    }

    /// The nested columns of `fields` a base file or data block has, in the shape of
    /// `fields` (one written before a nested column gained members reads them as null).
    static func nestedColumns(_ reader: ParquetFileReader, fields: [Field], present: Set<String>) throws -> [String: NestedColumn] {
        let wanted = fields.filter { $0.type.isNested && present.contains($0.name) }
        guard !wanted.isEmpty else { return [:] }
        let fileFields = try reader.modelFields()
        var out: [String: NestedColumn] = [:]
        for f in wanted {
            let data = try reader.readNested(f.name)
            out[f.name] = try fileFields.first { $0.name == f.name }.map { try NestedConformance.conformIfNeeded(data, from: $0, to: f) } ?? data
        }
        return out
    }
}

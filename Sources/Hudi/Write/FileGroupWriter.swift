import Foundation
import ObjectStore
import Parquet
import TributaryCore

/// Writes the files of one instant's file groups. A base file (here): the old slice's
/// records minus deletes, with updates swapped in, plus inserts; Hudi's meta columns first;
/// footer with the bloom filter, key range and Avro schema. A log file appended to the
/// group's slice (merge-on-read): `FileGroupWriter+Log.swift`.
struct FileGroupWriter: Sendable {
    let store: any ObjectStore
    let tableName: String
    let instant: String
    let fields: [Field]
    let precombineField: String?
    let options: WriteOptions

    struct Output: Sendable {
        var stat: WriteStat
        var slice: FileSlice
        var footer: BaseFileFooter
        var keys: FileKeys
    }

    /// `count` copies of one string, built without per-value work.
    static func constant(_ s: String, count: Int) -> ByteArrays {
        let bytes = Array(s.utf8)
        var data = [UInt8]()
        data.reserveCapacity(bytes.count * count)
        for _ in 0..<count { data.append(contentsOf: bytes) }
        let width = Int32(bytes.count)
        return ByteArrays(data: data, offsets: (0...count).map { Int32($0) * width })
    }

    func write(_ work: FileGroupWork, batch: RecordBatch, taskIndex: Int) async throws -> Output {
        let started = Date()
        let partition = work.id.partitionPath
        let fileName = BaseFileName(fileId: work.id.fileId, writeToken: "\(taskIndex)-0-0", instant: instant).name
        let path = partition.isEmpty ? fileName : "\(partition)/\(fileName)"

        // Old records, columns aligned with the batch's fields (nested ones by name).
        var oldData: [Column] = []
        var oldNested: [String: NestedColumn] = [:]
        var oldKeys = ByteArrays()
        var oldCommitTimes = ByteArrays()
        var oldSeqNos = ByteArrays()
        var oldCount = 0
        if let base = work.base {
            let reader = try ParquetFileReader(source: MemorySource(try await store.get(base.path)))
            let present = Set(reader.schema.fields.map(\.name))
            let names = AvroSchema.metaFieldNames.prefix(3) + fields.filter { !$0.type.isNested }.map(\.name).filter { present.contains($0) }
            let cols = try reader.readColumns(Array(names))
            oldCount = reader.numRows
            // A file written before a nested column gained members is rewritten in the
            // evolved shape (the new members null).
            oldNested = try SliceCompaction.nestedColumns(reader, fields: fields, present: present)
            func strings(_ name: String) throws -> ByteArrays {
                guard let c = cols[name], case .byteArray(let b) = c.values else {
                    throw HudiError(.unsupported, "\(base.path) has no \(name) column (written without meta fields)")
                }
                return b
            }
            oldKeys = try strings("_hoodie_record_key")
            oldCommitTimes = try strings("_hoodie_commit_time")
            oldSeqNos = try strings("_hoodie_commit_seqno")
            for f in fields {
                if f.type.isNested {
                    oldData.append(ColumnGather.nulls(.boolean, count: oldCount))
                    continue
                }
                guard let c = cols[f.name] else {
                    oldData.append(ColumnGather.nulls(f.type, count: oldCount))
                    continue
                }
                guard c.values.physicalType == f.type.physicalType else {
                    throw HudiError(.invalidArgument, "column \(f.name) is \(c.values.physicalType) in \(base.path) but \(f.type.physicalType) in the batch")
                }
                oldData.append(c)
            }
        } else {
            oldData = fields.map { ColumnGather.nulls($0.type, count: 0) }
        }

        var picks: [RowPick] = []
        picks.reserveCapacity(oldCount + work.inserts.count)
        var keys = ByteArrays(), commitTimes = ByteArrays(), seqNos = ByteArrays()
        var numUpdates: Int64 = 0, numDeletes: Int64 = 0
        let expectedRows = oldCount + work.inserts.count
        keys.reserve(values: expectedRows, bytes: oldKeys.data.count + work.inserts.count * 40)
        commitTimes.reserve(values: expectedRows, bytes: expectedRows * instant.utf8.count)
        seqNos.reserve(values: expectedRows, bytes: expectedRows * (instant.utf8.count + 12))
        var seq = 0
        let seqPrefix = Array("\(instant)_\(taskIndex)_".utf8)
        func newMeta(_ row: Int) {
            keys.append(batch.recordKeys, at: row)
            commitTimes.append(instant)
            seqNos.append(seqPrefix, decimal: seq)
            seq += 1
        }
        // What becomes of each old record, by row: kept, deleted, or replaced by a batch row.
        let fate = try Self.fates(of: work, oldKeys: oldKeys, batchKeys: batch.recordKeys, path: work.base?.path ?? "")
        for i in 0..<oldCount {
            if let fate {
                let f = fate[i]
                if f == Self.deleted {
                    numDeletes += 1
                    continue
                }
                if f >= 0 {
                    picks.append(RowPick(source: 1, row: UInt32(f)))
                    newMeta(Int(f))
                    numUpdates += 1
                    continue
                }
            }
            // Untouched records keep their commit time and sequence number, so
            // incremental reads return only what changed.
            picks.append(RowPick(source: 0, row: UInt32(i)))
            keys.append(oldKeys, at: i)
            commitTimes.append(oldCommitTimes, at: i)
            seqNos.append(oldSeqNos, at: i)
        }
        for r in work.inserts {
            picks.append(RowPick(source: 1, row: UInt32(r)))
            newMeta(r)
        }
        let rows = picks.count

        var columns: [Column] = [
            Column(.byteArray(commitTimes)), Column(.byteArray(seqNos)), Column(.byteArray(keys)),
            Column(.byteArray(Self.constant(partition, count: rows))),
            Column(.byteArray(Self.constant(fileName, count: rows))),
        ]
        var nestedData: [String: NestedColumn] = [:]
        for (k, f) in fields.enumerated() {
            if f.type.isNested {
                let old = try oldNested[f.name] ?? ColumnGather.nestedNulls(f, count: oldCount)
                let new = try batch.nestedColumns[f.name] ?? ColumnGather.nestedNulls(f, count: batch.count)
                nestedData[f.name] = NestedColumn.gather([old, new], picks.map { (source: Int($0.source), row: Int($0.row)) })
                columns.append(ColumnGather.nulls(.boolean, count: rows))
                continue
            }
            columns.append(try ColumnGather.gather([oldData[k], batch.columns[k]], picks, type: f.type.physicalType))
        }

        let file = try Self.baseFile(columns: columns, nestedData: nestedData, keys: keys, fields: fields,
                                     tableName: tableName, precombineField: precombineField, options: options)
        try await store.put(path, file.bytes)

        let millis = Int64(Date().timeIntervalSince(started) * 1000)
        var stat = WriteStat(
            fileId: work.id.fileId, path: path, prevCommit: work.base?.instant ?? "null", numWrites: Int64(rows),
            numDeletes: numDeletes, numUpdateWrites: numUpdates, numInserts: Int64(work.inserts.count),
            totalWriteBytes: Int64(file.bytes.count), partitionPath: partition, fileSizeInBytes: Int64(file.bytes.count))
        if work.base == nil { stat.totalCreateTime = millis } else { stat.totalUpsertTime = millis }
        let slice = FileSlice(partitionPath: partition, fileId: work.id.fileId, instant: instant, path: path, size: file.bytes.count)
        return Output(stat: stat, slice: slice, footer: file.footer, keys: file.keys)
    }

    /// A base file's bytes from its columns (meta columns, then `fields`' columns; a nested
    /// field's column is a placeholder, its data in `nestedData` by name), with Hudi's
    /// footer: the bloom filter and key range over every record key, the Avro schema.
    static func baseFile(columns: [Column], nestedData: [String: NestedColumn] = [:], keys: ByteArrays, fields: [Field],
                         tableName: String, precombineField: String?,
                         options: WriteOptions) throws -> (bytes: Data, footer: BaseFileFooter, keys: FileKeys) {
        let rows = keys.count
        var bloom = HudiBloomFilter(kind: .dynamicV0, numEntries: options.bloomNumEntries,
                                    falsePositiveRate: options.bloomFalsePositiveRate, maxEntries: options.bloomMaxEntries)
        var minRow: Int?, maxRow: Int?
        let orderingColumn = precombineField.flatMap { p in fields.firstIndex { $0.name == p } }.map { BloomIndex.orderingValues(columns[5 + $0]) }
        keys.withValues { values in
            for i in 0..<rows {
                let kb = values[i]
                if minRow.map({ ByteArrays.Values.precedes(kb, values[$0]) }) ?? true { minRow = i }
                if maxRow.map({ ByteArrays.Values.precedes(values[$0], kb) }) ?? true { maxRow = i }
                bloom.add(utf8: kb)
            }
        }
        var kv: [KeyValue] = []
        kv.append(KeyValue(key: "parquet.avro.schema", value: AvroSchema.json(tableName: tableName, fields: fields, includeMetaFields: true)))
        kv.append(KeyValue(key: "writer.model.name", value: "avro"))
        kv.append(KeyValue(key: HudiBloomFilter.footerKey, value: bloom.serializedString()))
        kv.append(KeyValue(key: HudiBloomFilter.typeCodeKey, value: HudiBloomFilter.Kind.dynamicV0.rawValue))
        let minString = minRow.map { keys.string(at: $0) }
        let maxString = maxRow.map { keys.string(at: $0) }
        if let minString { kv.append(KeyValue(key: HudiBloomFilter.minKeyKey, value: minString)) }
        if let maxString { kv.append(KeyValue(key: HudiBloomFilter.maxKeyKey, value: maxString)) }

        let bytes = try parquet(columns: columns, nestedData: nestedData, fields: fields, options: options, keyValueMetadata: kv)
        let footer = BaseFileFooter(minKey: minString, maxKey: maxString, bloom: bloom, numRows: rows)
        return (Data(bytes), footer, FileKeys(keys: keys, orderings: orderingColumn))
    }

    /// A Parquet file (base file or log data block) of the meta columns then `fields`'
    /// columns, nested fields' data taken from `nestedData` by name.
    static func parquet(columns: [Column], nestedData: [String: NestedColumn], fields: [Field], options: WriteOptions,
                        keyValueMetadata kv: [KeyValue]) throws -> [UInt8] {
        if nestedData.isEmpty {
            return try ParquetWriter.write(fields: AvroSchema.baseFileFields(fields), columns: columns,
                                           options: options.parquet, keyValueMetadata: kv)
        }
        // Meta columns come first: data field k is column 5 + k.
        let fieldColumns: [FieldColumn] = columns.enumerated().map { i, c in
            let f = i >= 5 ? fields[i - 5] : nil
            return f.flatMap { nestedData[$0.name] }.map { .nested($0) } ?? .flat(c)
        }
        return try ParquetWriter.write(fields: AvroSchema.baseFileFields(fields), columns: fieldColumns,
                                       options: options.parquet, keyValueMetadata: kv)
    }

    /// Marks an old record deleted in ``fates(of:oldKeys:batchKeys:path:)``.
    static let deleted: Int32 = -2

    /// Per old record: `deleted`, the batch row replacing it, or -1 (kept); nil when the
    /// group has no updates or deletes. The index named the rows; each is checked to hold
    /// the key it was named for.
    static func fates(of work: FileGroupWork, oldKeys: ByteArrays, batchKeys: ByteArrays, path: String) throws -> [Int32]? {
        guard !work.updates.isEmpty || !work.deletes.isEmpty else { return nil }
        var fate = [Int32](repeating: -1, count: oldKeys.count)
        try oldKeys.withValues { old in
            try batchKeys.withValues { new in
                func mark(_ change: RowChange, _ value: Int32) throws {
                    let row = Int(change.baseRow)
                    guard row < old.count, ByteKeyIndex.equal(old[row], new[Int(change.batchRow)]) else {
                        throw HudiError(.corrupt, "\(path): row \(row) does not hold the key the index located there")
                    }
                    fate[row] = value
                }
                for d in work.deletes { try mark(d, deleted) }
                for u in work.updates { try mark(u, u.batchRow) }
            }
        }
        return fate
    }
}

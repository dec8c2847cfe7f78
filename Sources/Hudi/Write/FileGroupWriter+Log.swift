import Foundation
import ObjectStore
import Parquet
import TributaryCore

/// Merge-on-read: a commit's updates, inserts and deletes of a file group are appended to its
/// latest file slice as a new log file: a Parquet data block with the updated and inserted
/// records and a delete block with the deleted keys.
///
/// Why Parquet data blocks (`HoodieParquetDataBlock`) and not Avro ones: our writer is
/// columnar end to end — the batch's columns go into the block with the same Parquet writer
/// the base files use, compressed and without a per-record encoder — and compaction and our
/// reader read them with the same Parquet reader as base files. Hudi's readers (hudi-rs,
/// Spark with `hoodie.logfile.data.block.format=parquet`) read them; the Spark-written v6
/// merge-on-read fixtures in hudi-rs use them too.
///
/// Object stores cannot append, so every append is a new log file (the next version of the
/// slice's log), created with put-if-absent: a concurrent writer taking the same version
/// fails with a retryable conflict instead of overwriting it.
extension FileGroupWriter {
    struct LogOutput: Sendable {
        var stat: WriteStat
        var groupID: FileGroupID
        var logFile: LogFile
    }

    /// The next log file of `slice` (version after the newest of its base instant).
    static func nextLogName(of slice: FileSlice, baseInstant: String, taskIndex: Int) -> LogFileName {
        let version = (slice.logFiles.filter { $0.name.baseInstant == baseInstant }.map(\.name.version).max() ?? 0) + 1
        return LogFileName(fileId: slice.fileId, baseInstant: baseInstant, version: version, writeToken: "\(taskIndex)-0-1")
    }

    /// Appends `work`'s updates, inserts and deletes to `slice` as its next log file.
    func appendLog(_ work: FileGroupWork, slice: FileSlice, batch: RecordBatch, taskIndex: Int) async throws -> LogOutput {
        let started = Date()
        let partition = work.id.partitionPath
        let baseInstant = slice.instant
        let name = Self.nextLogName(of: slice, baseInstant: baseInstant, taskIndex: taskIndex)
        let path = partition.isEmpty ? name.name : "\(partition)/\(name.name)"
        var seen = Set<Int32>()
        let updateRows = work.updates.map(\.batchRow).filter { seen.insert($0).inserted }.map(Int.init)
        let deleteRows = work.deletes.map(\.batchRow).filter { seen.insert($0).inserted }.map(Int.init)
        let insertRows = work.inserts.filter { seen.insert(Int32($0)).inserted }

        var blocks: [LogBlock] = []
        // Updates and inserts share one data block (Hudi's append handle writes both alike).
        if !updateRows.isEmpty || !insertRows.isEmpty {
            let schema = AvroSchema.json(tableName: tableName, fields: fields, includeMetaFields: true)
            let parquet = try dataBlockFile(rows: updateRows + insertRows, batch: batch, partition: partition, fileName: name.name,
                                            taskIndex: taskIndex, schema: schema)
            blocks.append(.parquetData(instant: instant, schema: schema, parquet: parquet))
        }
        if !deleteRows.isEmpty {
            // Ordering value 0 (a long), as Spark writes deletes: "newer than every version
            // before it" (readers then order the delete by commit time). The writer only
            // writes deletes that win over the stored version, so nothing is lost; and
            // hudi-rs 0.5 decodes no other ordering value reliably (a timestamp branch, or
            // a long beyond 32 bits, fails to parse).
            let records = deleteRows.map { r in
                DeleteRecord(recordKey: batch.recordKeys.string(at: r), partitionPath: partition, ordering: 0,
                             orderingBranch: DeleteRecord.longBranch)
            }
            blocks.append(.delete(instant: instant, records: records))
        }
        var bytes = Data()
        for b in blocks { bytes.append(b.encoded()) }
        do {
            try await store.putIfAbsent(path, bytes)
        } catch ObjectStoreError.alreadyExists {
            throw HudiError(.commitConflict, "log file \(path) was written by another writer")
        }
        var stat = WriteStat(
            fileId: work.id.fileId, path: path, prevCommit: slice.instant, numWrites: Int64(updateRows.count + insertRows.count),
            numDeletes: Int64(deleteRows.count), numUpdateWrites: Int64(updateRows.count), numInserts: Int64(insertRows.count),
            totalWriteBytes: Int64(bytes.count), partitionPath: partition, fileSizeInBytes: Int64(bytes.count))
        stat.totalUpsertTime = Int64(Date().timeIntervalSince(started) * 1000)
        stat.log = WriteStat.LogWrite(baseFile: slice.fileName, logFile: name.name, version: name.version)
        return LogOutput(stat: stat, groupID: work.id, logFile: LogFile(name: name, path: path, size: bytes.count))
    }

    /// The updated records as a Parquet file: meta columns, then the data columns.
    private func dataBlockFile(rows: [Int], batch: RecordBatch, partition: String, fileName: String,
                               taskIndex: Int, schema: String) throws -> Data {
        var keys = ByteArrays(), commitTimes = ByteArrays(), seqNos = ByteArrays()
        let seqPrefix = Array("\(instant)_\(taskIndex)_".utf8)
        for (seq, r) in rows.enumerated() {
            keys.append(batch.recordKeys, at: r)
            commitTimes.append(instant)
            seqNos.append(seqPrefix, decimal: seq)
        }
        let picks = rows.map { RowPick(source: 0, row: UInt32($0)) }
        var columns: [Column] = [
            Column(.byteArray(commitTimes)), Column(.byteArray(seqNos)), Column(.byteArray(keys)),
            Column(.byteArray(Self.constant(partition, count: rows.count))),
            Column(.byteArray(Self.constant(fileName, count: rows.count))),
        ]
        var nestedData: [String: NestedColumn] = [:]
        for (k, f) in fields.enumerated() {
            guard f.type.isNested else {
                columns.append(try ColumnGather.gather([batch.columns[k]], picks, type: f.type.physicalType))
                continue
            }
            let data = try batch.nestedColumns[f.name] ?? ColumnGather.nestedNulls(f, count: batch.count)
            nestedData[f.name] = NestedColumn.gather([data], rows.map { (source: 0, row: $0) })
            columns.append(ColumnGather.nulls(.boolean, count: rows.count))
        }
        let kv = [KeyValue(key: "parquet.avro.schema", value: schema), KeyValue(key: "writer.model.name", value: "avro")]
        return Data(try Self.parquet(columns: columns, nestedData: nestedData, fields: fields, options: options, keyValueMetadata: kv))
    }
}

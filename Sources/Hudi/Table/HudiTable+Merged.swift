import Foundation
import Parquet

/// Merge-on-read slices as one Parquet file each, for engines that read Parquet only (the
/// query layer's DuckDB views): the base file merged with the slice's committed log blocks
/// exactly as compaction would write it, meta columns included.
extension HudiTable {
    /// The merged records of `slice` as a Parquet file; log blocks count when their instant
    /// is in `logInstants` (a plan's; nil: every committed one). A slice without log files
    /// is its base file.
    public func mergedSliceFile(_ slice: FileSlice, logInstants: Set<String>?) async throws -> Data {
        if slice.logFiles.isEmpty { return try await store.get(slice.path) }
        let tl = try await timeline()
        let visible = logInstants ?? Set(tl.completedDataCommits.map(\.timestamp))
        let logs = try await SliceLogs.scan(store: store, logFiles: slice.logFiles, isVisible: { visible.contains($0) })
        let op = CompactionPlan.Operation(partitionPath: slice.partitionPath, fileId: slice.fileId, baseInstant: slice.instant,
                                          baseFile: slice.fileName, logFiles: slice.logFiles.map { FileSystemView.splitKey($0.path).1 },
                                          logBytes: logs.bytes)
        let fields = try SchemaEvolution.fields(fromAvro: try await writer.compactor.tableSchema(tl))
        let merged = try await SliceCompaction.merge(store: store, op: op, logs: logs, fields: fields, fileName: slice.fileName,
                                                    precombineField: config.precombineField)
        return try FileGroupWriter.baseFile(columns: merged.columns, nestedData: merged.nested, keys: merged.keys, fields: fields, tableName: config.tableName,
                                            precombineField: config.precombineField, options: options).bytes
    }
}

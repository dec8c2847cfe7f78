import Foundation
import ObjectStore
import Parquet

/// Reads a merge-on-read file slice as rows: its base file merged with the committed blocks
/// of its log files (``RecordMerge``: the ordering field decides, deletes applied).
enum MergedSliceReader {
    /// The slice's rows (every column; names are the union over base file and data blocks,
    /// in first-seen order). `isVisible` says which instants' log blocks count.
    static func read(store: any ObjectStore, slice: FileSlice, isVisible: (String) -> Bool,
                     precombineField: String?) async throws -> (names: [String], rows: [[ParquetValue]]) {
        var sources: [(names: [String], rows: [[ParquetValue]])] = []
        sources.append(try ParquetFileReader(source: MemorySource(try await store.get(slice.path))).readRows())
        let logs = try await SliceLogs.scan(store: store, logFiles: slice.logFiles, isVisible: isVisible)
        for block in logs.dataBlocks {
            sources.append(try ParquetFileReader(source: MemorySource(block.parquet)).readRows())
        }
        var names: [String] = []
        var index: [String: Int] = [:]
        for s in sources {
            for n in s.names where index[n] == nil {
                index[n] = names.count
                names.append(n)
            }
        }
        var versions: [RecordMerge.Version] = []
        for (source, s) in sources.enumerated() {
            let at = { (name: String) in s.names.firstIndex(of: name) }
            let key = at("_hoodie_record_key"), seqno = at("_hoodie_commit_seqno"), time = at("_hoodie_commit_time")
            let ordering = precombineField.flatMap(at)
            for (r, row) in s.rows.enumerated() {
                // Without meta fields there is no key to merge by: records are appended
                // (hudi-rs's APPEND_ONLY, the only strategy it allows then).
                versions.append(RecordMerge.Version(
                    key: key.map { Self.text(row[$0]) } ?? "\(source)/\(r)", ordering: ordering.map { Self.orderingValue(row[$0]) } ?? 0,
                    seqno: seqno.map { Self.text(row[$0]) } ?? "", commitTime: time.map { Self.text(row[$0]) } ?? "",
                    position: (source, r)))
            }
        }
        let winners = RecordMerge.winners(versions, deletes: RecordMerge.deleteMarks(logs.deletes))
        let mappings = sources.map { s in s.names.map { index[$0] ?? 0 } }
        let rows = winners.map { v -> [ParquetValue] in
            var row = [ParquetValue](repeating: .null, count: names.count)
            let (s, r) = v.position
            for (k, value) in sources[s].rows[r].enumerated() { row[mappings[s][k]] = value }
            return row
        }
        return (names, rows)
    }

    static func text(_ v: ParquetValue) -> String {
        if case .string(let s) = v { return s }
        return ""
    }

    /// A value of the ordering column as the Int64 it orders by (nulls lowest), as
    /// ``BloomIndex/orderingValues(_:)`` reads it from columns.
    static func orderingValue(_ v: ParquetValue) -> Int64 {
        switch v {
        case .int(let x): return x
        case .uint(let x): return Int64(clamping: x)
        case .timestamp(let x, _, _), .time(let x, _): return x
        case .date(let d): return Int64(d)
        case .double(let d): return Int64(exactly: d.rounded(.down)) ?? (d < 0 ? Int64.min : Int64.max)
        case .float(let f): return Int64(exactly: Double(f).rounded(.down)) ?? 0
        case .null: return Int64.min
        default: return 0
        }
    }
}

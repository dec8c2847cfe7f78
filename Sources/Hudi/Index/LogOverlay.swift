import Foundation
import ObjectStore
import Parquet
import TributaryCore

/// The BLOOM index over merge-on-read slices: base file footers and keys locate a key, then
/// the slice's committed log blocks say what became of it — deleted (the key is then new
/// to the table and its record goes to a new file group, as in copy-on-write) or updated
/// (its ordering value is the newest one, so stale records are still recognised).
///
/// Our writer never inserts through logs (inserts go to base files), so every key of a
/// log is in its slice's base file and the base file's bloom filter finds it. (Tables whose
/// logs hold inserts, as Spark may write them with an index that can index logs, are
/// read correctly but such keys are not located for updates.)
enum LogOverlay {
    static func apply(_ found: inout RecordLocations, keys: ByteArrays, store: any ObjectStore,
                      visible: Set<String>, precombineField: String?) async throws {
        var rowsBySlice: [Int: [Int]] = [:]
        for r in 0..<found.slice.count where found.slice[r] >= 0 {
            let s = Int(found.slice[r])
            if !found.slices[s].logFiles.isEmpty { rowsBySlice[s, default: []].append(r) }
        }
        for (s, rows) in rowsBySlice {
            let slice = found.slices[s]
            let logs = try await SliceLogs.scan(store: store, logFiles: slice.logFiles, isVisible: { visible.contains($0) })
            if logs.isEmpty { continue }
            let latest = try latestVersions(logs, precombineField: precombineField)
            let deletes = RecordMerge.deleteMarks(logs.deletes)
            for r in rows {
                let key = keys.string(at: r)
                // The base record is older than anything in the slice's logs.
                var versions = [RecordMerge.Version(key: key, ordering: found.ordering[r], seqno: "", commitTime: slice.instant, source: 0, row: 0)]
                if let v = latest[key] { versions.append(v) }
                if let winner = RecordMerge.winners(versions, deletes: deletes).first {
                    found.ordering[r] = winner.ordering
                } else {
                    found.clear(r)
                }
            }
        }
    }

    /// The newest version of every key in the data blocks (key, ordering, seqno, time only).
    static func latestVersions(_ logs: SliceLogs, precombineField: String?) throws -> [String: RecordMerge.Version] {
        var versions: [RecordMerge.Version] = []
        for (b, block) in logs.dataBlocks.enumerated() {
            let reader = try ParquetFileReader(source: MemorySource(block.parquet))
            let present = Set(reader.schema.fields.map(\.name))
            let names = ["_hoodie_record_key", "_hoodie_commit_seqno"] + [precombineField].compactMap { $0 }.filter(present.contains)
            let cols = try reader.readColumns(names)
            guard let k = cols["_hoodie_record_key"], case .byteArray(let keys) = k.values else { continue }
            var seqnos: ByteArrays?
            if let c = cols["_hoodie_commit_seqno"], case .byteArray(let s) = c.values { seqnos = s }
            let orderings = precombineField.flatMap { cols[$0] }.map(BloomIndex.orderingValues)
            for i in 0..<keys.count {
                versions.append(RecordMerge.Version(key: keys.string(at: i), ordering: orderings?[i] ?? 0,
                                                    seqno: seqnos.map { $0.string(at: i) } ?? "", commitTime: block.instant,
                                                    source: b, row: i))
            }
        }
        return Dictionary(RecordMerge.winners(versions, deletes: [:]).map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
    }
}

extension RecordLocations {
    /// Forgets `row`'s location (its key turned out deleted).
    mutating func clear(_ row: Int) {
        slice[row] = -1
        repeatedRows[row] = nil
    }
}

import Foundation

extension HudiTable {
    /// Reads the records committed in `(begin, end]` (hudi-rs's incremental query): the
    /// files of ``planIncremental(since:until:)`` with the `_hoodie_commit_time` filter.
    public func readIncremental(since begin: String?, until end: String? = nil, columns: [String]? = nil) async throws -> HudiRows {
        let plan = try await planIncremental(since: begin, until: end)
        guard let upper = plan.end else { return HudiRows(names: [], rows: []) }
        let wanted = columns.map { $0.contains("_hoodie_commit_time") ? $0 : $0 + ["_hoodie_commit_time"] }
        var rows = try await SnapshotReader.read(store: store, plan: SnapshotPlan(asOf: upper, slices: plan.slices), columns: wanted)
        guard let at = rows.names.firstIndex(of: "_hoodie_commit_time") else { return rows }
        rows.rows = rows.rows.filter { row in
            guard case .string(let t) = row[at] else { return false }
            return t <= upper && plan.begin.map { t > $0 } ?? true
        }
        if let columns, !columns.contains("_hoodie_commit_time") {
            rows.names.remove(at: at)
            rows.rows = rows.rows.map { var r = $0; r.remove(at: at); return r }
        }
        return rows
    }
}

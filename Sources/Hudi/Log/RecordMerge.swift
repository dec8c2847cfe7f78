import Foundation

/// Which version of each record key a merge-on-read slice holds: the rule hudi-rs's
/// `RecordMerger` (event-time ordering, `OVERWRITE_WITH_LATEST`) applies, shared by our
/// reader, the compactor and the index so they never disagree with it.
///
/// Per key the version with the greatest (ordering value, `_hoodie_commit_seqno`) wins.
/// Deletes of the key are folded into their greatest ordering value and greatest commit
/// time; they remove the winner when their ordering value is greater, or equal with a
/// later commit time — or, when their ordering value is 0 (deletes without one), when
/// their commit time is later.
enum RecordMerge {
    /// One stored version of a record: what orders it and where it is (the pick
    /// `NestedColumn.gather` takes).
    struct Version: Sendable {
        var key: String
        var ordering: Int64
        var seqno: String
        var commitTime: String
        var position: (source: Int, row: Int)
    }

    struct DeleteMark: Sendable {
        var ordering: Int64
        var commitTime: String
    }

    /// The deletes folded per key (greatest ordering value, greatest commit time).
    static func deleteMarks(_ deletes: [(instant: String, record: DeleteRecord)]) -> [String: DeleteMark] {
        var marks: [String: DeleteMark] = [:]
        for (instant, r) in deletes { fold(DeleteMark(ordering: r.ordering, commitTime: instant), into: &marks, key: r.recordKey) }
        return marks
    }

    /// Folds one delete of `key` into `marks` (greatest ordering value, greatest commit time).
    static func fold(_ mark: DeleteMark, into marks: inout [String: DeleteMark], key: String) {
        if let m = marks[key] {
            marks[key] = DeleteMark(ordering: max(m.ordering, mark.ordering), commitTime: max(m.commitTime, mark.commitTime))
        } else {
            marks[key] = mark
        }
    }

    /// Whether a later version `v` replaces the version `held` (greater ordering value and seqno; a tie keeps `held`).
    static func supersedes(_ v: Version, _ held: Version) -> Bool {
        (v.ordering, v.seqno) > (held.ordering, held.seqno)
    }

    /// Whether `mark` removes a record version ordered by `ordering` and committed at `commitTime`.
    static func removes(_ mark: DeleteMark, ordering: Int64, commitTime: String) -> Bool {
        if mark.ordering == 0 { return mark.commitTime > commitTime }
        return mark.ordering > ordering || (mark.ordering == ordering && mark.commitTime > commitTime)
    }

    /// The surviving version of every key, in order of each key's first appearance.
    static func winners(_ versions: [Version], deletes: [String: DeleteMark]) -> [Version] {
        var best: [String: Int] = [:]
        var order: [String] = []
        for (i, v) in versions.enumerated() {
            guard let j = best[v.key] else {
                best[v.key] = i
                order.append(v.key)
                continue
            }
            if supersedes(v, versions[j]) { best[v.key] = i }
        }
        return order.compactMap { key in
            guard let i = best[key] else { return nil }
            let v = versions[i]
            if let mark = deletes[key], removes(mark, ordering: v.ordering, commitTime: v.commitTime) { return nil }
            return v
        }
    }
}

import Foundation
import TributaryCore

/// `.hoodie_partition_metadata` of a partition.
enum PartitionMetadata {
    static let fileName = ".hoodie_partition_metadata"

    static func contents(commitTime: String, depth: Int, date: Date = Date()) -> Data {
        Data(JavaProperties.render([("commitTime", commitTime), ("partitionDepth", String(depth))],
                                   comments: ["partition metadata"], date: date).utf8)
    }
}

/// Turns partition values into partition paths for one table configuration (parsed once,
/// since it runs per record).
struct PartitionPathFormatter {
    let fields: [String]
    let partitioned: Bool
    let hiveStyle: Bool

    init(config: TableConfig) {
        fields = config.partitionFields
        partitioned = config.isPartitioned
        hiveStyle = config.hiveStylePartitioning
    }

    func path(forValue value: String) -> String {
        guard partitioned else { return "" }
        let values = fields.count > 1 ? value.split(separator: "/", omittingEmptySubsequences: false).map(String.init) : [value]
        return zip(fields, values).map { hiveStyle ? "\($0)=\($1)" : $1 }.joined(separator: "/")
    }

    /// The partition of every row of `values`, each distinct value hashed by its bytes and
    /// formatted once.
    func partitions(of values: ByteArrays) -> BatchPartitions {
        var out = BatchPartitions(paths: [], ofRow: [Int32](repeating: 0, count: values.count))
        guard partitioned else {
            out.paths = [""]
            return out
        }
        values.withValues { v in
            var distinct = ByteKeyIndex(capacity: v.count)
            for r in 0..<v.count {
                let (slot, first) = distinct.slot(of: v[r], in: v)
                if let first {
                    out.ofRow[r] = out.ofRow[first]
                    continue
                }
                distinct.set(slot, row: r)
                out.ofRow[r] = Int32(out.paths.count)
                out.paths.append(path(forValue: String(decoding: v[r], as: UTF8.self)))
            }
        }
        return out
    }
}

/// The partition paths of a batch's rows: the distinct paths, and per row an index into them.
struct BatchPartitions: Sendable {
    var paths: [String]
    var ofRow: [Int32]
}

import Foundation

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

    /// Paths for many values, each distinct value formatted once.
    func paths(forValues values: [String]) -> [String] {
        var memo: [String: String] = [:]
        return values.map { v in
            if let p = memo[v] { return p }
            let p = path(forValue: v)
            memo[v] = p
            return p
        }
    }
}

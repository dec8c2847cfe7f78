/// One point of the dashboard: what Kafka, the lake and the processor say now, with rates
/// since the previous point.
public struct DashboardSample: Sendable, Codable, Equatable {
    public struct Topic: Sendable, Codable, Equatable {
        public var topic: String
        /// Messages in the topic (sum of high watermarks) and their rate (records in).
        public var produced: Int64
        public var inRate: Double
        /// Records the processor has written (its counters when it runs in this process,
        /// else the group's committed offsets) and their rate (records out).
        public var out: Int64
        public var outRate: Double
        /// Messages in the `.dlq` topic and their rate.
        public var deadLettered: Int64
        public var dlqRate: Double
        /// Lag of the processor's group (high watermark − committed offset, summed).
        public var lag: Int64
        /// Debezium tombstones the in-process processor skipped (nil without one).
        public var tombstonesSkipped: Int?
    }

    public struct Table: Sendable, Codable, Equatable {
        public var name: String
        public var bytes: Int
        public var files: Int
        public var commits: Int
        /// `copy_on_write` or `merge_on_read`; merge-on-read: the latest snapshot's log files,
        /// their bytes, and the pending compactions.
        public var tableType: String
        public var logFiles: Int
        public var logBytes: Int
        public var pendingCompactions: Int
    }

    public struct Processor: Sendable, Codable, Equatable {
        public var batches: Int
        public var lastBatchSeconds: Double
        public var lastCommitSeconds: Double
        public var commits: Int
        public var conflicts: Int
        public var commitRetries: Int
    }

    /// Epoch milliseconds.
    public var time: Int64
    public var topics: [Topic]
    public var tables: [Table]
    /// nil when no processor runs in this process (`tributary web` alone).
    public var processor: Processor?
    /// What could not be read this time (the broker down, the lake unreadable…).
    public var problems: [String]
}

import Metrics

/// Every metric Tributary exports, in one place: name, type, labels, help and (for
/// histograms) buckets. Modules record through swift-metrics (`Counter`, `Timer`,
/// `Recorder`, `Gauge`) with these names, so no library depends on Prometheus; the
/// `Monitoring` module exports them in the Prometheus text format on `/metrics`.
///
/// Names follow Prometheus conventions: counters end in `_total`, durations are
/// `_seconds` histograms, sizes `_bytes`. Label `table` is the table's folder under the
/// lake root, which is also its topic and its SQL view name (e.g. `user_events`).
public enum TributaryMetrics {
    public enum Kind: String, Sendable, Codable {
        case counter, gauge, histogram
    }

    /// One metric family.
    public struct Descriptor: Sendable, Hashable {
        public let name: String
        public let kind: Kind
        public let labels: [String]
        public let help: String
        /// Upper bounds of a histogram's buckets (seconds for durations).
        public let buckets: [Double]

        init(_ name: String, _ kind: Kind, _ labels: [String], _ help: String, buckets: [Double] = []) {
            self.name = name
            self.kind = kind
            self.labels = labels
            self.help = help
            self.buckets = buckets
        }

        /// The series Prometheus stores for it: histograms add `_bucket`, `_sum`, `_count`.
        public var seriesNames: [String] {
            kind == .histogram ? [name + "_bucket", name + "_sum", name + "_count"] : [name]
        }
    }

    // MARK: Processor (Kafka → tables)

    public static let recordsConsumed = Descriptor(
        "tributary_records_consumed_total", .counter, ["topic"],
        "Records the processor read from Kafka for a batch (past the table's checkpoint).")
    public static let recordsWritten = Descriptor(
        "tributary_records_written_total", .counter, ["topic"],
        "Valid records committed into the topic's table.")
    public static let recordsDeadLettered = Descriptor(
        "tributary_records_dead_lettered_total", .counter, ["topic", "stage"],
        "Records rejected by validation (stage: parse, schema, quality, ...) and sent to {topic}.dlq.")
    public static let batchDuration = Descriptor(
        "tributary_batch_duration_seconds", .histogram, [],
        "Wall time of one micro-batch: polling, decoding, dead-lettering and committing every table.",
        buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 20, 30, 45, 60, 120, 300])
    public static let consumerLag = Descriptor(
        "tributary_consumer_lag", .gauge, ["topic", "partition"],
        "Records in Kafka not yet committed to the table: high watermark minus the table's checkpoint.")
    public static let checkpointGaps = Descriptor(
        "tributary_checkpoint_gaps_total", .counter, ["topic"],
        "Times records between the table's checkpoint and the first offset still in Kafka were gone (retention, recreated topic).")
    public static let commitFailures = Descriptor(
        "tributary_commit_failures_total", .counter, ["table"],
        "Failed attempts to commit a batch into a table (storage errors; each is retried).")
    public static let processorUp = Descriptor(
        "tributary_processor_up", .gauge, [],
        "1 while the stream processor runs and its last batch succeeded, else 0.")

    // MARK: Tables (Hudi writer)

    public static let commitDuration = Descriptor(
        "tributary_commit_duration_seconds", .histogram, ["table"],
        "Wall time of one Hudi commit (index lookup, base files, completed instant).",
        buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60])
    public static let commits = Descriptor(
        "tributary_commits_total", .counter, ["table"],
        "Completed Hudi commits.")
    public static let rollbacks = Descriptor(
        "tributary_rollbacks_total", .counter, ["table"],
        "Pending (failed or crashed) Hudi instants rolled back before a write.")
    public static let writtenBytes = Descriptor(
        "tributary_written_bytes_total", .counter, ["table"],
        "Bytes of Parquet base files written (new files and rewritten file groups).")
    public static let filesWritten = Descriptor(
        "tributary_files_written_total", .counter, ["table"],
        "Parquet base files written.")
    public static let tableSize = Descriptor(
        "tributary_table_size_bytes", .gauge, ["table"],
        "Bytes the table occupies in storage (every object under its folder), refreshed after commits.")
    public static let lastCommitTimestamp = Descriptor(
        "tributary_last_commit_timestamp_seconds", .gauge, ["table"],
        "Unix time of the table's latest commit by this process.")

    // MARK: Merge-on-read tables (compaction)

    public static let compactions = Descriptor(
        "tributary_compactions_total", .counter, ["table"],
        "Compactions of a merge-on-read table completed by this process (log files folded into new base files).")
    public static let compactionDuration = Descriptor(
        "tributary_compaction_duration_seconds", .histogram, ["table"],
        "Wall time of one compaction, from its first merged base file to its completed commit.",
        buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600])
    public static let pendingCompactions = Descriptor(
        "tributary_pending_compactions", .gauge, ["table"],
        "Compactions requested or inflight on a merge-on-read table's timeline, refreshed after commits and compactions.")
    public static let logFiles = Descriptor(
        "tributary_table_log_files", .gauge, ["table"],
        "Log files in a merge-on-read table's latest file slices (what snapshot reads merge until a compaction).")
    public static let logBytes = Descriptor(
        "tributary_table_log_bytes", .gauge, ["table"],
        "Bytes of the log files in a merge-on-read table's latest file slices.")
    public static let baseBytes = Descriptor(
        "tributary_table_base_bytes", .gauge, ["table"],
        "Bytes of the base files in a merge-on-read table's latest file slices (the logs are compared with them).")

    // MARK: Query and web

    public static let queries = Descriptor(
        "tributary_queries_total", .counter, ["status"],
        "SQL queries run (status: ok, rejected, timeout, error).")
    public static let queryDuration = Descriptor(
        "tributary_query_duration_seconds", .histogram, [],
        "Wall time of a SQL query, planning included.",
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30])
    public static let httpRequests = Descriptor(
        "tributary_http_requests_total", .counter, ["method", "route", "status"],
        "HTTP requests served (route: the matched route pattern, e.g. /api/kafka/topics/{topic}).")
    public static let httpRequestDuration = Descriptor(
        "tributary_http_request_duration_seconds", .histogram, ["method", "route"],
        "Wall time of an HTTP request until its response head.",
        buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])

    // MARK: Iceberg catalog (publishing Hudi commits as Iceberg snapshots)

    public static let catalogPublishes = Descriptor(
        "tributary_catalog_publish_total", .counter, ["table", "result"],
        "Attempts to publish a table's new Hudi commits to the Iceberg REST catalog (result: ok, error).")
    public static let catalogCommitsBehind = Descriptor(
        "tributary_catalog_commits_behind", .gauge, ["table"],
        "Completed Hudi commits of the table not yet in the Iceberg catalog (as of the last sync attempt).")

    /// Every metric family, in documentation order.
    public static let all: [Descriptor] = [
        recordsConsumed, recordsWritten, recordsDeadLettered, batchDuration, consumerLag, checkpointGaps,
        commitFailures, processorUp,
        commitDuration, commits, rollbacks, writtenBytes, filesWritten, tableSize, lastCommitTimestamp,
        compactions, compactionDuration, pendingCompactions, logFiles, logBytes, baseBytes,
        queries, queryDuration, httpRequests, httpRequestDuration,
        catalogPublishes, catalogCommitsBehind,
    ]

    public static func descriptor(named name: String) -> Descriptor? { byName[name] }
    private static let byName = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
}

// MARK: Recording (swift-metrics; a no-op until the process bootstraps a backend)

extension TributaryMetrics.Descriptor {
    /// `labels` pairs with the descriptor's label names, in order.
    func dimensions(_ values: [String]) -> [(String, String)] {
        zip(labels, values).map { ($0, $1) }
    }

    public func counter(_ values: String...) -> Counter {
        Counter(label: name, dimensions: dimensions(values))
    }

    public func gauge(_ values: String...) -> Gauge {
        Gauge(label: name, dimensions: dimensions(values))
    }

    /// A histogram of seconds (swift-metrics `Timer`).
    public func timer(_ values: String...) -> Metrics.Timer {
        Metrics.Timer(label: name, dimensions: dimensions(values))
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

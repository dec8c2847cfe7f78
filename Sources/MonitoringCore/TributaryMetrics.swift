import Foundation
import Metrics

/// Every metric Tributary exports. The catalog (name, type, labels, help and, for
/// histograms, buckets) is data: `Resources/metrics.json`, in documentation order. The
/// cases are the families the code records, by their catalog names (a test checks that
/// cases and catalog agree). Modules record through swift-metrics (`Counter`, `Timer`,
/// `Recorder`, `Gauge`) with these names, so no library depends on Prometheus; the
/// `Monitoring` module exports them in the Prometheus text format on `/metrics`.
///
/// Names follow Prometheus conventions: counters end in `_total`, durations are
/// `_seconds` histograms, sizes `_bytes`. Label `table` is the table's folder under the
/// lake root, which is also its topic and its SQL view name (e.g. `user_events`).
public enum TributaryMetrics: String, CaseIterable, Sendable {
    // Processor (Kafka → tables)
    case recordsConsumed = "tributary_records_consumed_total"
    case recordsWritten = "tributary_records_written_total"
    case recordsDeadLettered = "tributary_records_dead_lettered_total"
    case batchDuration = "tributary_batch_duration_seconds"
    case consumerLag = "tributary_consumer_lag"
    case checkpointGaps = "tributary_checkpoint_gaps_total"
    case tombstonesSkipped = "tributary_tombstones_skipped_total"
    case commitFailures = "tributary_commit_failures_total"
    case processorUp = "tributary_processor_up"
    // Tables (Hudi writer)
    case commitDuration = "tributary_commit_duration_seconds"
    case commits = "tributary_commits_total"
    case rollbacks = "tributary_rollbacks_total"
    case writtenBytes = "tributary_written_bytes_total"
    case filesWritten = "tributary_files_written_total"
    case tableSize = "tributary_table_size_bytes"
    case lastCommitTimestamp = "tributary_last_commit_timestamp_seconds"
    // Merge-on-read tables (compaction)
    case compactions = "tributary_compactions_total"
    case compactionDuration = "tributary_compaction_duration_seconds"
    case pendingCompactions = "tributary_pending_compactions"
    case logFiles = "tributary_table_log_files"
    case logBytes = "tributary_table_log_bytes"
    case baseBytes = "tributary_table_base_bytes"
    // Query and web
    case queries = "tributary_queries_total"
    case queryDuration = "tributary_query_duration_seconds"
    case httpRequests = "tributary_http_requests_total"
    case httpRequestDuration = "tributary_http_request_duration_seconds"
    // Iceberg catalog (publishing Hudi commits as Iceberg snapshots)
    case catalogPublishes = "tributary_catalog_publish_total"
    case catalogCommitsBehind = "tributary_catalog_commits_behind"

    public enum Kind: String, Sendable, Codable {
        case counter, gauge, histogram
    }

    /// One metric family, as the catalog describes it.
    public struct Descriptor: Sendable, Hashable, Decodable {
        public let name: String
        public let kind: Kind
        public let labels: [String]
        public let help: String
        /// Upper bounds of a histogram's buckets (seconds for durations).
        public let buckets: [Double]

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            kind = try c.decode(Kind.self, forKey: .kind)
            labels = try c.decode([String].self, forKey: .labels)
            help = try c.decode(String.self, forKey: .help)
            buckets = try c.decodeIfPresent([Double].self, forKey: .buckets) ?? []
        }

        private enum CodingKeys: String, CodingKey { case name, kind, labels, help, buckets }

        /// The series Prometheus stores for it: histograms add `_bucket`, `_sum`, `_count`.
        public var seriesNames: [String] {
            kind == .histogram ? [name + "_bucket", name + "_sum", name + "_count"] : [name]
        }
    }

    /// Every metric family, in documentation order: the catalog file, read once. Empty
    /// when the resource bundle is missing; recording still works then, unlabelled and
    /// without help text (`catalogMatchesTheCases` guards the file itself).
    public static let all: [Descriptor] = {
        guard let url = Bundle.module.url(forResource: "metrics", withExtension: "json"),
              let data = try? Data(contentsOf: url) else { return [] }
        return (try? JSONDecoder().decode([Descriptor].self, from: data)) ?? []
    }()

    public static func descriptor(named name: String) -> Descriptor? { byName[name] }
    private static let byName = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    /// The family's metric name.
    public var name: String { rawValue }

    /// The family's catalog entry.
    public var descriptor: Descriptor? { Self.descriptor(named: rawValue) }
}

// MARK: Recording (swift-metrics; a no-op until the process bootstraps a backend)

extension TributaryMetrics {
    /// `values` paired with the family's label names, in order.
    func dimensions(_ values: [String]) -> [(String, String)] {
        zip(descriptor?.labels ?? [], values).map { ($0, $1) }
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

import MonitoringCore

/// Tributary's alert rules: the seed's four (consumer lag, batch duration, dead-letter
/// rate, storage growth) mapped onto our metrics, plus processor down, no commits for
/// five processing intervals, repeated table write failures, and merge-on-read tables whose
/// compaction falls behind (pending compactions pile up, logs outgrow their base files).
public enum AlertRules {
    typealias M = TributaryMetrics

    /// Five processing intervals at the default `processing.interval` of 10 s.
    public static let noCommitSeconds = 50.0

    public static let consumerLag = latestAbove(
        M.consumerLag, by: ["topic", "partition"], threshold: 10_000, holdFor: .seconds(120),
        name: "TributaryConsumerLagHigh", severity: "warning",
        summary: "Consumer lag of {{ $labels.topic }}[{{ $labels.partition }}] is {{ $value }} records",
        description: "The processor is more than 10000 records behind the end of the partition.")

    public static let batchDuration = rateRatioAbove(
        M.batchDuration.name + "_sum", M.batchDuration.name + "_count", by: [], windowMinutes: 5, threshold: 30,
        holdFor: .seconds(60), name: "TributaryBatchDurationHigh", severity: "warning",
        summary: "Micro-batches take {{ $value | humanizeDuration }} on average",
        description: "The average batch duration over 5 minutes is above 30 seconds.")

    public static let deadLetterRate = rateRatioAbove(
        M.recordsDeadLettered.name, M.recordsConsumed.name, by: ["topic"], windowMinutes: 5, threshold: 0.05,
        holdFor: .seconds(120), name: "TributaryDeadLetterRateHigh", severity: "warning",
        summary: "{{ $value | humanizePercentage }} of the records of {{ $labels.topic }} go to the dead-letter topic",
        description: "More than 5 % of the records consumed over 5 minutes were rejected into {topic}.dlq.")

    public static let storageGrowth = AlertRule(
        name: "TributaryStorageGrowthHigh", severity: "warning",
        summary: "The lake grows by {{ $value | humanize }}B a day",
        description: "Table storage grew at more than 100 GB a day over the last hour.",
        expression: "sum(deriv(\(M.tableSize.name)[1h])) * 86400 > 100e9",
        threshold: 100e9, holdFor: .seconds(900), reads: [M.tableSize.name], lookback: 3600
    ) { history in
        history.deriv(M.tableSize.name, window: 3600, by: []).mapValues { $0 * 86_400 }
    }

    public static let processorDown = AlertRule(
        name: "TributaryProcessorDown", severity: "critical",
        summary: "The Tributary processor is down",
        description: "The processor stopped or its batches keep failing (tributary_processor_up is 0), or Prometheus cannot scrape Tributary.",
        expression: "\(M.processorUp.name) < 1 or up{job=\"tributary\"} < 1",
        comparison: .below, threshold: 1, holdFor: .seconds(60), reads: [M.processorUp.name]
    ) { history in
        history.latest(M.processorUp.name, by: [])
    }

    public static let noRecentCommits = AlertRule(
        name: "TributaryNoRecentCommits", severity: "warning",
        summary: "No commit into {{ $labels.table }} for {{ $value }} s while records wait",
        description: "The table has records waiting in Kafka but no commit for five processing intervals (50 s at the default 10 s).",
        expression: "(time() - max by (table) (\(M.lastCommitTimestamp.name)) > 50) and on (table) "
            + "(label_replace(sum by (topic) (\(M.consumerLag.name)), \"table\", \"$1\", \"topic\", \"(.*)\") > 0)",
        threshold: noCommitSeconds, holdFor: .zero, reads: [M.lastCommitTimestamp.name, M.consumerLag.name]
    ) { history in
        guard let now = history.latestTime else { return [:] }
        let lag = history.latest(M.consumerLag.name, by: ["topic"], combine: +)
        var out: [MetricHistory.Labels: Double] = [:]
        for (labels, last) in history.latest(M.lastCommitTimestamp.name, by: ["table"]) {
            guard let table = labels["table"], (lag[["topic": table]] ?? 0) > 0 else { continue }
            out[labels] = now - last
        }
        return out
    }

    public static let tableWriteFailing = AlertRule(
        name: "TributaryTableWriteFailing", severity: "critical",
        summary: "Writes to {{ $labels.table }} failed {{ $value }} times in 5 minutes",
        description: "Commits into the table fail repeatedly (storage errors); the batch is retried and not lost, but nothing lands.",
        expression: "sum by (table) (increase(\(M.commitFailures.name)[5m])) > 2",
        threshold: 2, holdFor: .zero, reads: [M.commitFailures.name], lookback: 300
    ) { history in
        history.increase(M.commitFailures.name, window: 300, by: ["table"])
    }

    public static let compactionsPending = latestAbove(
        M.pendingCompactions, by: ["table"], threshold: 3, holdFor: .seconds(600),
        name: "TributaryCompactionsPending", severity: "warning",
        summary: "{{ $value }} compactions of {{ $labels.table }} are pending",
        description: "More than 3 compactions of the merge-on-read table have been requested or inflight for 10 minutes: compaction does not keep up with the delta commits.")

    public static let logsOutgrowBaseFiles = AlertRule(
        name: "TributaryLogsOutgrowBaseFiles", severity: "warning",
        summary: "The log files of {{ $labels.table }} hold {{ $value | humanizePercentage }} of its base files' bytes",
        description: "The merge-on-read table's log files are larger than its base files for 15 minutes: snapshot reads merge more than they read; compact it (tributary tables compact) or lower hudi.compaction.max_delta_commits or max_log_bytes.",
        expression: "max by (table) (\(M.logBytes.name)) / max by (table) (\(M.baseBytes.name)) > 1",
        threshold: 1, holdFor: .seconds(900), reads: [M.logBytes.name, M.baseBytes.name]
    ) { history in
        ratio(history.latest(M.logBytes.name, by: ["table"]), history.latest(M.baseBytes.name, by: ["table"]))
    }

    public static let all: [AlertRule] = [
        consumerLag, batchDuration, deadLetterRate, storageGrowth, processorDown, noRecentCommits, tableWriteFailing,
        compactionsPending, logsOutgrowBaseFiles,
    ]

    /// Numerator / denominator per group, where the denominator is positive.
    static func ratio(_ numerator: [MetricHistory.Labels: Double], _ denominator: [MetricHistory.Labels: Double])
        -> [MetricHistory.Labels: Double] {
        var out: [MetricHistory.Labels: Double] = [:]
        for (labels, d) in denominator where d > 0 { out[labels] = (numerator[labels] ?? 0) / d }
        return out
    }

    /// The ratio of two counters' rates over a window per label set (where the denominator's
    /// rate is positive) above a threshold: the PromQL and the in-process check built from
    /// the same metrics, labels, window and threshold.
    static func rateRatioAbove(_ numerator: String, _ denominator: String, by labels: [String], windowMinutes: Int,
                               threshold: Double, holdFor: Duration,
                               name: String, severity: String, summary: String, description: String) -> AlertRule {
        let sum = labels.isEmpty ? "sum" : "sum by (\(labels.joined(separator: ", "))) "
        let thresholdText = threshold == threshold.rounded() ? String(Int(threshold)) : String(threshold)
        let window = Double(windowMinutes * 60)
        return AlertRule(
            name: name, severity: severity, summary: summary, description: description,
            expression: "\(sum)(rate(\(numerator)[\(windowMinutes)m])) / \(sum)(rate(\(denominator)[\(windowMinutes)m])) > \(thresholdText)",
            threshold: threshold, holdFor: holdFor, reads: [numerator, denominator], lookback: window
        ) { history in
            ratio(history.rate(numerator, window: window, by: labels), history.rate(denominator, window: window, by: labels))
        }
    }

    /// A gauge's latest value per label set above an integral threshold: the PromQL and the
    /// in-process check built from the same metric, labels and threshold.
    static func latestAbove(_ metric: TributaryMetrics, by labels: [String], threshold: Int, holdFor: Duration,
                            name: String, severity: String, summary: String, description: String) -> AlertRule {
        AlertRule(
            name: name, severity: severity, summary: summary, description: description,
            expression: "max by (\(labels.joined(separator: ", "))) (\(metric.name)) > \(threshold)",
            threshold: Double(threshold), holdFor: holdFor, reads: [metric.name]
        ) { history in
            history.latest(metric.name, by: labels)
        }
    }
}


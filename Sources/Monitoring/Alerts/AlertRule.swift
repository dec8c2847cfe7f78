import Foundation

/// One alert rule, written twice in one place: as PromQL for Prometheus
/// (`deploy/prometheus/alerts.yml` is rendered from these) and as a function over
/// `MetricHistory` for the in-process evaluation (`GET /api/alerts`, webhooks).
public struct AlertRule: Sendable {
    public enum Comparison: String, Sendable {
        case above = ">", below = "<"

        func holds(_ value: Double, _ threshold: Double) -> Bool {
            self == .above ? value > threshold : value < threshold
        }
    }

    public var name: String
    public var severity: String
    /// Prometheus template text: `{{ $labels.topic }}` and `{{ $value }}` are filled in.
    public var summary: String
    public var description: String
    /// The full PromQL alert expression.
    public var expression: String
    public var comparison: Comparison
    public var threshold: Double
    /// How long the condition must hold before the alert fires (Prometheus `for`).
    public var holdFor: Duration
    /// The values the threshold is compared with, by labels.
    let values: @Sendable (MetricHistory) -> [MetricHistory.Labels: Double]
    /// Series names the in-process evaluation needs.
    let reads: [String]
    /// How far back it looks, in seconds.
    let lookback: Double

    public init(name: String, severity: String, summary: String, description: String, expression: String,
                comparison: Comparison = .above, threshold: Double, holdFor: Duration, reads: [String], lookback: Double = 0,
                values: @escaping @Sendable (MetricHistory) -> [MetricHistory.Labels: Double]) {
        self.name = name
        self.severity = severity
        self.summary = summary
        self.description = description
        self.expression = expression
        self.comparison = comparison
        self.threshold = threshold
        self.holdFor = holdFor
        self.reads = reads
        self.lookback = lookback
        self.values = values
    }

    /// The summary with labels and value filled in (the template functions the rules use,
    /// approximately as Prometheus prints them).
    public func renderSummary(labels: [String: String], value: Double) -> String {
        var text = summary.replacingOccurrences(of: "{{ $value }}", with: Self.format(value))
            .replacingOccurrences(of: "{{ $value | humanizePercentage }}", with: Self.format(value * 100) + "%")
            .replacingOccurrences(of: "{{ $value | humanizeDuration }}", with: Self.format(value) + "s")
            .replacingOccurrences(of: "{{ $value | humanize }}", with: Self.humanize(value))
        for (key, v) in labels { text = text.replacingOccurrences(of: "{{ $labels.\(key) }}", with: v) }
        return text
    }

    static func humanize(_ value: Double) -> String {
        var v = value
        for prefix in ["", "k", "M", "G", "T", "P"] {
            if abs(v) < 1000 || prefix == "P" { return Self.format(v) + prefix }
            v /= 1000
        }
        return Self.format(v)
    }

    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.4g", value)
    }
}

/// The state of one alert rule as evaluated in-process (`GET /api/alerts`), the same
/// states Prometheus shows: `inactive`, `pending` (condition true, `for` not yet over),
/// `firing`.
public struct AlertStatus: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable, Comparable {
        case inactive, pending, firing

        var rank: Int { self == .inactive ? 0 : self == .pending ? 1 : 2 }
        public static func < (a: State, b: State) -> Bool { a.rank < b.rank }
    }

    /// One labelled series of the rule's expression over its threshold.
    public struct Instance: Sendable, Codable, Equatable {
        public var labels: [String: String]
        public var value: Double
        public var state = State.inactive
        /// Unix time the condition became true (pending since); 0 when inactive.
        public var activeSince = 0.0
        /// The rule's summary with these labels and value filled in.
        public var summary: String

        /// An inactive instance; the evaluator sets the state of an active one.
        public init(labels: [String: String], value: Double, summary: String = "") {
            self.labels = labels
            self.value = value
            self.summary = summary
        }
    }

    public var name: String
    public var severity: String
    /// The summary template (Prometheus syntax); each instance carries it filled in.
    public var summary: String
    /// The PromQL expression of `deploy/prometheus/alerts.yml`.
    public var expression: String
    public var threshold: Double
    /// The rule's `for` in seconds.
    public var forSeconds: Double
    /// The worst state of the instances (`inactive` when none).
    public var state: State
    /// The rule's current values (over the threshold or not), by labels; empty when the
    /// metrics it reads do not exist yet.
    public var values: [Instance]

    public init(name: String, severity: String, summary: String, expression: String, threshold: Double,
                forSeconds: Double, state: State, values: [Instance]) {
        self.name = name
        self.severity = severity
        self.summary = summary
        self.expression = expression
        self.threshold = threshold
        self.forSeconds = forSeconds
        self.state = state
        self.values = values
    }
}

/// The answer of `GET /api/alerts`.
public struct AlertsSnapshot: Sendable, Codable, Equatable {
    /// Unix time of the evaluation.
    public var evaluatedAt: Double
    public var alerts: [AlertStatus]

    public init(evaluatedAt: Double, alerts: [AlertStatus]) {
        self.evaluatedAt = evaluatedAt
        self.alerts = alerts
    }

    public var firing: [AlertStatus] { alerts.filter { $0.state == .firing } }
}

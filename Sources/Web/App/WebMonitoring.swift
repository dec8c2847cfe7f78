import MonitoringCore

/// What the web app serves about the process's health, given by whoever runs it (the
/// CLI, which owns the metrics backend and the alert evaluator): `/metrics`, `/readyz`,
/// `/api/alerts`. Without it those routes answer 404 / ready with no checks.
public struct WebMonitoring: Sendable {
    /// The Prometheus text exposition.
    public var metrics: @Sendable () -> String
    /// The in-process alert rules' latest evaluation.
    public var alerts: @Sendable () -> AlertsSnapshot
    /// Readiness checks (broker reachable, storage writable, processor assigned).
    public var readiness: [ReadinessCheck]

    public init(metrics: @escaping @Sendable () -> String, alerts: @escaping @Sendable () -> AlertsSnapshot,
                readiness: [ReadinessCheck]) {
        self.metrics = metrics
        self.alerts = alerts
        self.readiness = readiness
    }
}

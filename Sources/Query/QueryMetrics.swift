import MonitoringCore

/// Query count by outcome and latency (`TributaryMetrics.queries`, `.queryDuration`).
enum QueryMetrics {
    /// `error` nil: the query succeeded.
    static func record(_ error: (any Error)?, since started: ContinuousClock.Instant) {
        TributaryMetrics.queries.counter(status(error)).increment()
        TributaryMetrics.queryDuration.timer().record(duration: started.duration(to: .now))
    }

    static func status(_ error: (any Error)?) -> String {
        guard let error else { return "ok" }
        switch error as? QueryError {
        case .refused?, .invalidOptions?: return "rejected"
        case .timeout?: return "timeout"
        default: return "error"
        }
    }
}

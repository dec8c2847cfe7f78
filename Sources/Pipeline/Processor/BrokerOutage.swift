import KafkaClient
import Logging
import Synchronization

/// Tracks whether the Kafka cluster is reachable, from the consumer's errors: an outage is
/// logged once (not once per poll), pauses batch building, and ends when a metadata
/// request succeeds again (probed every `probeInterval`, so a quiet topic still resumes).
final class BrokerOutage: Sendable {
    private struct State {
        var down = false
        var lastProbe: ContinuousClock.Instant?
        var resumed = false
        var resumedAt: ContinuousClock.Instant?
        /// Other consumer errors already logged, so a repeating one is logged once a minute.
        var lastLogged: [String: ContinuousClock.Instant] = [:]
    }

    private let kafka: any KafkaClients
    private let logger: Logger
    private let state = Mutex(State())
    let probeInterval: Duration

    init(kafka: any KafkaClients, logger: Logger, probeInterval: Duration = .seconds(1)) {
        self.kafka = kafka
        self.logger = logger
        self.probeInterval = probeInterval
    }

    var isDown: Bool { state.withLock { $0.down } }

    /// True once after an outage ended (the caller re-seeks to the checkpoints).
    var justResumed: Bool {
        state.withLock { s in defer { s.resumed = false }; return s.resumed }
    }

    /// Records a consumer error: broker-unreachable errors start an outage, others are
    /// logged (each distinct message at most once a minute).
    func note(_ error: KafkaError, stats: borrowing Mutex<ProcessorStats>) {
        let now = ContinuousClock.now
        if error.kind == .brokerUnreachable {
            let started = state.withLock { s -> Bool in
                guard !s.down else { return false }
                // Errors queued during the outage arrive just after it ended: not a new one.
                if let resumedAt = s.resumedAt, now - resumedAt < .seconds(3) { return false }
                s.down = true
                s.lastProbe = now
                return true
            }
            if started {
                stats.withLock {
                    $0.paused = true
                    $0.brokerOutages += 1
                }
                logger.error("Kafka is unreachable; the processor pauses until the broker returns (nothing is lost: uncommitted records are read again)",
                             metadata: ["bootstrap": "\(kafka.servers)", "error": "\(error.reason)"])
            }
            return
        }
        let text = "\(error)"
        let log = state.withLock { s -> Bool in
            if let last = s.lastLogged[text], now - last < .seconds(60) { return false }
            s.lastLogged[text] = now
            return true
        }
        if log { logger.warning("consumer: \(text)") }
    }

    /// While an outage lasts: probes the cluster (at most every `probeInterval`) and
    /// returns whether it is still down; false at once when there is no outage.
    func stillDown(stats: borrowing Mutex<ProcessorStats>) async throws -> Bool {
        let probe = state.withLock { s -> Bool in
            guard s.down else { return false }
            if let last = s.lastProbe, ContinuousClock.now - last < probeInterval { return false }
            s.lastProbe = .now
            return true
        }
        guard isDown else { return false }
        guard probe else {
            try await Task.sleep(for: min(.milliseconds(200), probeInterval))
            return true
        }
        do {
            _ = try await kafka.admin(operationTimeout: .seconds(2)).metadata()
        } catch {
            return true
        }
        state.withLock {
            $0.down = false
            $0.resumed = true
            $0.resumedAt = .now
        }
        stats.withLock { $0.paused = false }
        logger.notice("Kafka is reachable again; the processor resumes from the tables' checkpoints")
        return false
    }
}

import Foundation
import Logging
import MonitoringCore
import ServiceLifecycle
import Synchronization

/// A change of an alert instance (rule + labels) that is worth a notification.
public struct AlertTransition: Sendable, Equatable {
    public enum Event: String, Sendable { case firing, resolved }
    public var rule: String
    public var severity: String
    public var labels: [String: String]
    public var event: Event
    public var value: Double
    public var summary: String
    /// Unix time of the transition.
    public var at: Double
    /// Identifies the instance across transitions.
    public var key: String { rule + (labels.isEmpty ? "" : "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "}") }
}

/// Receives alert transitions (the webhook notifier).
public protocol AlertNotifier: Sendable {
    func notify(_ transitions: [AlertTransition])
}

/// Evaluates the alert rules in-process over this process's own metrics, the way
/// Prometheus would: every `interval` it reads the exposition, keeps the history the
/// rules need, and moves each instance through inactive → pending → firing (after the
/// rule's `for`) → resolved. Transitions go to the notifier; `snapshot()` answers
/// `GET /api/alerts`.
public final class AlertEvaluator: Service, Sendable {
    public let rules: [AlertRule]
    public let interval: Duration
    private let source: @Sendable () -> String
    private let notifier: (any AlertNotifier)?
    private let logger: Logger

    private struct Active: Sendable {
        var since: Double
        var firing: Bool
    }
    private struct State: Sendable {
        var history: MetricHistory
        var active: [String: [MetricHistory.Labels: Active]] = [:]
        var last = AlertsSnapshot(evaluatedAt: 0, alerts: [])
    }
    private let state: Mutex<State>

    public init(rules: [AlertRule] = AlertRules.all, interval: Duration = .seconds(5),
                source: @escaping @Sendable () -> String = MetricsExport.render,
                notifier: (any AlertNotifier)? = nil, logger: Logger = Logger(label: "tributary.alerts")) {
        self.rules = rules
        self.interval = interval
        self.source = source
        self.notifier = notifier
        self.logger = logger
        let retention = (rules.map(\.lookback).max() ?? 0) + 2 * interval.inSeconds
        state = Mutex(State(history: MetricHistory(retention: retention, names: Set(rules.flatMap(\.reads)))))
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                self.evaluate()
                try? await Task.sleep(for: self.interval)
            }
        }
    }

    /// The latest evaluation.
    public func snapshot() -> AlertsSnapshot { state.withLock { $0.last } }

    /// One evaluation over the current metrics; returns (and notifies) the transitions.
    @discardableResult
    public func evaluate(now: Double = Date().timeIntervalSince1970) -> [AlertTransition] {
        evaluate(samples: Exposition.parse(source()), now: now)
    }

    /// One evaluation over `samples` taken at `now` (tests feed their own).
    @discardableResult
    public func evaluate(samples: [MetricSample], now: Double) -> [AlertTransition] {
        let transitions = state.withLock { state -> [AlertTransition] in
            state.history.record(samples, at: now)
            var transitions: [AlertTransition] = []
            var statuses: [AlertStatus] = []
            for rule in rules {
                let values = rule.values(state.history)
                var active = state.active[rule.name] ?? [:]
                var instances: [AlertStatus.Instance] = []
                for (labels, value) in values {
                    var instance = AlertStatus.Instance(labels: labels, value: value, summary: rule.renderSummary(labels: labels, value: value))
                    if rule.comparison.holds(value, rule.threshold) {
                        var a = active[labels] ?? Active(since: now, firing: false)
                        if !a.firing, now - a.since >= rule.holdFor.inSeconds {
                            a.firing = true
                            transitions.append(transition(rule, labels, .firing, value, now))
                        }
                        active[labels] = a
                        instance.state = a.firing ? .firing : .pending
                        instance.activeSince = a.since
                    }
                    instances.append(instance)
                }
                for (labels, a) in active where !(values[labels].map { rule.comparison.holds($0, rule.threshold) } ?? false) {
                    active[labels] = nil
                    if a.firing { transitions.append(transition(rule, labels, .resolved, values[labels] ?? .nan, now)) }
                }
                state.active[rule.name] = active
                instances.sort { $0.state != $1.state ? $0.state > $1.state : $0.value > $1.value }
                statuses.append(AlertStatus(
                    name: rule.name, severity: rule.severity, summary: rule.summary, expression: rule.expression,
                    threshold: rule.threshold, forSeconds: rule.holdFor.inSeconds,
                    state: instances.map(\.state).max() ?? .inactive, values: instances))
            }
            state.last = AlertsSnapshot(evaluatedAt: now, alerts: statuses)
            return transitions
        }
        for t in transitions {
            logger.log(level: t.event == .firing ? .warning : .info, "alert \(t.event.rawValue): \(t.key)",
                       metadata: ["summary": "\(t.summary)"])
        }
        if !transitions.isEmpty { notifier?.notify(transitions) }
        return transitions
    }

    private func transition(_ rule: AlertRule, _ labels: [String: String], _ event: AlertTransition.Event,
                            _ value: Double, _ now: Double) -> AlertTransition {
        AlertTransition(rule: rule.name, severity: rule.severity, labels: labels, event: event, value: value,
                        summary: rule.renderSummary(labels: labels, value: value), at: now)
    }
}

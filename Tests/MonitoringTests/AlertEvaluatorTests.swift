import Foundation
import Monitoring
import MonitoringCore
import Synchronization
import Testing

/// The in-process evaluation of the rules: the same thresholds as the promtool tests,
/// inactive → pending → firing → resolved, one transition each.
@Suite struct AlertEvaluatorTests {
    final class Recorder: AlertNotifier {
        let received = Mutex<[AlertTransition]>([])
        func notify(_ transitions: [AlertTransition]) { received.withLock { $0.append(contentsOf: transitions) } }
    }

    func counters(consumed: Double, rejected: Double, topic: String = "user_events") -> [MetricSample] {
        [MetricSample(name: "tributary_records_consumed_total", labels: ["topic": topic], value: consumed),
         MetricSample(name: "tributary_records_dead_lettered_total", labels: ["topic": topic, "stage": "schema"], value: rejected)]
    }

    @Test func deadLetterRateGoesPendingThenFiringThenResolves() throws {
        let recorder = Recorder()
        let evaluator = AlertEvaluator(rules: [AlertRules.deadLetterRate], notifier: recorder)
        // 10 % rejected, one sample a minute.
        var t = 1_000.0
        var transitions: [AlertTransition] = []
        for minute in 0...4 {
            transitions += evaluator.evaluate(samples: counters(consumed: Double(minute) * 1000, rejected: Double(minute) * 100), now: t)
            if minute == 1 {
                let status = try #require(evaluator.snapshot().alerts.first)
                #expect(status.state == .pending)
                #expect(abs((status.values.first?.value ?? 0) - 0.1) < 1e-9)
                #expect(status.values.first?.labels == ["topic": "user_events"])
            }
            t += 60
        }
        // Pending from minute 1, firing once `for` (2m) passed: at minute 3.
        #expect(transitions.map(\.event) == [.firing])
        #expect(transitions.first.map { $0.at == 1180.0 } == true)
        #expect(transitions.first?.summary == "10% of the records of user_events go to the dead-letter topic")
        #expect(evaluator.snapshot().alerts.first?.state == .firing)
        // Rejections stop: the rate over 5m falls under 5 % and the alert resolves, once.
        var resolved: [AlertTransition] = []
        for minute in 5...14 {
            resolved += evaluator.evaluate(samples: counters(consumed: Double(minute) * 1000, rejected: 400), now: t)
            t += 60
        }
        #expect(resolved.map(\.event) == [.resolved])
        #expect(evaluator.snapshot().alerts.first?.state == .inactive)
        #expect(recorder.received.withLock { $0.map(\.event) } == [.firing, .resolved])
    }

    @Test func belowTheThresholdNothingFires() {
        let evaluator = AlertEvaluator(rules: AlertRules.all)
        var t = 0.0
        for minute in 0...20 {
            let m = Double(minute)
            var samples = counters(consumed: m * 1000, rejected: m * 40)  // 4 %
            samples.append(MetricSample(name: "tributary_consumer_lag", labels: ["topic": "user_events", "partition": "0"], value: 10_000))
            samples.append(MetricSample(name: "tributary_batch_duration_seconds_sum", value: m * 20))
            samples.append(MetricSample(name: "tributary_batch_duration_seconds_count", value: m))
            samples.append(MetricSample(name: "tributary_table_size_bytes", labels: ["table": "user_events"], value: m * 30_000_000))
            samples.append(MetricSample(name: "tributary_processor_up", value: 1))
            samples.append(MetricSample(name: "tributary_last_commit_timestamp_seconds", labels: ["table": "user_events"], value: t))
            samples.append(MetricSample(name: "tributary_commit_failures_total", labels: ["table": "user_events"], value: minute > 10 ? 1 : 0))
            // Merge-on-read: 3 pending compactions, logs exactly as large as the base files.
            samples.append(MetricSample(name: "tributary_pending_compactions", labels: ["table": "user_events"], value: 3))
            samples.append(MetricSample(name: "tributary_table_log_bytes", labels: ["table": "user_events"], value: 200_000_000))
            samples.append(MetricSample(name: "tributary_table_base_bytes", labels: ["table": "user_events"], value: 200_000_000))
            #expect(evaluator.evaluate(samples: samples, now: t).isEmpty)
            t += 60
        }
        let snapshot = evaluator.snapshot()
        #expect(snapshot.alerts.count == AlertRules.all.count)
        #expect(snapshot.alerts.allSatisfy { $0.state == .inactive }, "\(snapshot.alerts.filter { $0.state != .inactive })")
    }

    @Test func eachRuleFiresOverItsThreshold() {
        let evaluator = AlertEvaluator(rules: AlertRules.all)
        var t = 0.0
        var fired: [String: [String: String]] = [:]
        for minute in 0...80 {
            let m = Double(minute)
            var samples = counters(consumed: m * 1000, rejected: m * 100)
            samples.append(MetricSample(name: "tributary_consumer_lag", labels: ["topic": "user_events", "partition": "0"], value: 20_000))
            samples.append(MetricSample(name: "tributary_batch_duration_seconds_sum", value: m * 40))
            samples.append(MetricSample(name: "tributary_batch_duration_seconds_count", value: m))
            samples.append(MetricSample(name: "tributary_table_size_bytes", labels: ["table": "user_events"], value: m * 5_000_000_000))
            samples.append(MetricSample(name: "tributary_processor_up", value: 0))
            samples.append(MetricSample(name: "tributary_last_commit_timestamp_seconds", labels: ["table": "user_events"], value: 0))
            samples.append(MetricSample(name: "tributary_commit_failures_total", labels: ["table": "user_events"], value: m))
            samples.append(MetricSample(name: "tributary_pending_compactions", labels: ["table": "user_events"], value: 4))
            samples.append(MetricSample(name: "tributary_table_log_bytes", labels: ["table": "user_events"], value: 300_000_000))
            samples.append(MetricSample(name: "tributary_table_base_bytes", labels: ["table": "user_events"], value: 200_000_000))
            for transition in evaluator.evaluate(samples: samples, now: t) where transition.event == .firing {
                fired[transition.rule] = transition.labels
            }
            t += 60
        }
        #expect(Set(fired.keys) == Set(AlertRules.all.map(\.name)))
        #expect(fired["TributaryConsumerLagHigh"] == ["topic": "user_events", "partition": "0"])
        #expect(fired["TributaryNoRecentCommits"] == ["table": "user_events"])
        #expect(fired["TributaryTableWriteFailing"] == ["table": "user_events"])
        #expect(fired["TributaryCompactionsPending"] == ["table": "user_events"])
        #expect(fired["TributaryLogsOutgrowBaseFiles"] == ["table": "user_events"])
    }

    @Test func snapshotEncodesForTheAPI() throws {
        let evaluator = AlertEvaluator(rules: [AlertRules.consumerLag])
        evaluator.evaluate(samples: [MetricSample(name: "tributary_consumer_lag", labels: ["topic": "t", "partition": "0"], value: 12_000)], now: 50)
        let data = try JSONEncoder().encode(evaluator.snapshot())
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let alerts = try #require(json["alerts"] as? [[String: Any]])
        #expect(alerts.first?["name"] as? String == "TributaryConsumerLagHigh")
        #expect(alerts.first?["state"] as? String == "pending")
        #expect(alerts.first?["forSeconds"] as? Double == 120)
        let values = try #require(alerts.first?["values"] as? [[String: Any]])
        #expect(values.first?["value"] as? Double == 12_000)
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
@testable import Monitoring

/// The webhook notifier against a local HTTP receiver (a live hummingbird server).
@Suite struct WebhookNotifierTests {
    /// Records every POST; answers 500 to the first `failFirst` of them.
    final class Receiver: Sendable {
        let bodies = Mutex<[(status: Int, body: Data)]>([])
        let failFirst: Int
        init(failFirst: Int = 0) { self.failFirst = failFirst }

        var delivered: [[String: Any]] {
            bodies.withLock { $0.filter { $0.status == 200 }.map(\.body) }
                .map { (try? JSONSerialization.jsonObject(with: $0)) as? [String: Any] ?? [:] }
        }
        var attempts: Int { bodies.withLock { $0.count } }

        func app() -> some ApplicationProtocol {
            let router = Router()
            router.post("/hook") { request, _ -> Response in
                let buffer = try await request.body.collect(upTo: 1 << 20)
                let json = Data(buffer: buffer)
                let status = self.bodies.withLock { list -> Int in
                    let status = list.count < self.failFirst ? 500 : 200
                    list.append((status, json))
                    return status
                }
                return Response(status: .init(code: status))
            }
            return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        }
    }

    func transition(_ rule: String, _ event: AlertTransition.Event, topic: String = "user_events", at: Double = 100) -> AlertTransition {
        AlertTransition(rule: rule, severity: "warning", labels: ["topic": topic], event: event, value: 0.5,
                        summary: "50% of the records of \(topic) go to the dead-letter topic", at: at)
    }

    func notifier(_ port: Int, format: WebhookNotifier.Format = .json, burst: Int = 5, perMinute: Double = 600) -> WebhookNotifier {
        var options = WebhookNotifier.Options(url: "http://127.0.0.1:\(port)/hook", format: format)
        options.initialBackoff = .milliseconds(20)
        options.burst = burst
        options.perMinute = perMinute
        return WebhookNotifier(options: options)
    }

    @Test func alertStartAndStopAreSentOnceWithRetries() async throws {
        let receiver = Receiver(failFirst: 2)
        try await receiver.app().test(.live) { client in
            let port = try #require(client.port)
            let webhook = notifier(port)
            // The evaluator drives it: the DLQ rule fires, then resolves.
            let evaluator = AlertEvaluator(rules: [AlertRules.deadLetterRate], notifier: webhook)
            var t = 0.0
            for m in 0...4 {
                let v = Double(m)
                evaluator.evaluate(samples: [
                    MetricSample(name: "tributary_records_consumed_total", labels: ["topic": "user_events"], value: v * 100),
                    MetricSample(name: "tributary_records_dead_lettered_total", labels: ["topic": "user_events", "stage": "parse"], value: v * 50),
                ], now: t)
                t += 60
            }
            await webhook.drain()
            for m in 5...12 {
                evaluator.evaluate(samples: [
                    MetricSample(name: "tributary_records_consumed_total", labels: ["topic": "user_events"], value: Double(m) * 100),
                    MetricSample(name: "tributary_records_dead_lettered_total", labels: ["topic": "user_events", "stage": "parse"], value: 200),
                ], now: t)
                t += 60
            }
            await webhook.drain()
            // Two 500s were retried; then one firing and one resolved message.
            #expect(receiver.attempts == 4)
            let delivered = receiver.delivered
            #expect(delivered.map { $0["status"] as? String } == ["firing", "resolved"])
            #expect(delivered.first?["alert"] as? String == "TributaryDeadLetterRateHigh")
            #expect(delivered.first?["source"] as? String == "tributary")
            #expect(delivered.first?["labels"] as? [String: String] == ["topic": "user_events"])
            #expect(delivered.first?["summary"] as? String == "50% of the records of user_events go to the dead-letter topic")
            #expect((delivered.first?["at"] as? String)?.hasPrefix("1970-01-01T00:0") == true)
        }
    }

    @Test func flappingSendsOnlyNetChangesAndTheRateIsLimited() async throws {
        let receiver = Receiver()
        try await receiver.app().test(.live) { client in
            let port = try #require(client.port)
            let webhook = notifier(port, burst: 2, perMinute: 120)  // then one every 0.5 s
            // Flapping before anything was sent: fired and resolved nets to nothing; an
            // instance that ends firing sends one message.
            webhook.notify((0..<10).flatMap { i in
                [transition("A", .firing, at: Double(i)), transition("A", .resolved, at: Double(i) + 0.5)]
            })
            webhook.notify([transition("B", .firing), transition("B", .resolved), transition("B", .firing)])
            // Five different instances at once: two go at once, the others wait for tokens.
            webhook.notify((0..<4).map { transition("C", .firing, topic: "t\($0)") })
            let started = ContinuousClock.now
            await webhook.drain()
            let elapsed = ContinuousClock.now - started
            let delivered = receiver.delivered
            #expect(delivered.count == 5)
            #expect(!delivered.contains { $0["alert"] as? String == "A" })
            #expect(delivered.filter { $0["alert"] as? String == "B" }.map { $0["status"] as? String } == ["firing"])
            #expect(elapsed >= .milliseconds(1400), "rate limit: 3 messages past the burst of 2 at 2/s")
            // The same state again sends nothing.
            webhook.notify([transition("B", .firing)])
            await webhook.drain()
            #expect(receiver.delivered.count == 5)
        }
    }

    @Test func slackFormatIsATextMessage() throws {
        let body = WebhookNotifier.body(transition("TributaryDeadLetterRateHigh", .firing), format: .slack)
        let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: String])
        #expect(Array(json.keys) == ["text"])
        #expect(json["text"] == ":rotating_light: [FIRING] TributaryDeadLetterRateHigh topic=user_events: 50% of the records of user_events go to the dead-letter topic")
        let resolved = try #require(try JSONSerialization.jsonObject(with: WebhookNotifier.body(transition("X", .resolved), format: .slack)) as? [String: String])
        #expect(resolved["text"]?.hasPrefix(":white_check_mark: [RESOLVED] X") == true)
    }

    @Test func anUnreachableReceiverIsGivenUpOnAfterTheAttempts() async throws {
        var options = WebhookNotifier.Options(url: "http://127.0.0.1:1/hook")
        options.attempts = 3
        options.timeout = .milliseconds(500)
        options.initialBackoff = .milliseconds(10)
        let webhook = WebhookNotifier(options: options)
        #expect(await webhook.post(transition("A", .firing)) == false)
    }
}

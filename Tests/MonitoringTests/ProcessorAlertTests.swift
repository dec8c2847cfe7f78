import Foundation
import Hummingbird
import HummingbirdTesting
import KafkaClient
import KafkaTesting
import Synchronization
import Testing
@testable import Monitoring
@testable import Pipeline

/// The processor's metrics drive the alerts: a table whose writes fail repeatedly fires
/// `TributaryTableWriteFailing` over the exported metrics, and the webhook gets one
/// message for it. Records and dead letters are counted per topic and stage.
@Suite struct ProcessorAlertTests {
    @Test(.timeLimit(.minutes(2)))
    func repeatedWriteFailuresNotifyTheWebhook() async throws {
        MetricsExport.bootstrap()
        let schema = TopicSchema.seed("user_events")!.onTopic(TestBroker.uniqueName("alerts"))
        let kafka = try await TestBroker.configuration()
        _ = try await KafkaAdmin(configuration: kafka).createTopics([TopicSpec(name: schema.topic), TopicSpec(name: schema.deadLetterTopic)])
        let producer = try KafkaProducer(configuration: kafka)
        for i in 0..<10 {
            try await producer.enqueue(topic: schema.topic, key: Array("e\(i)".utf8),
                                       value: Array(#"{"event_id":"e\#(i)","user_id":"u","event_type":"click","timestamp":"2026-11-26T09:00:00Z"}"#.utf8))
        }
        try await producer.enqueue(topic: schema.topic, key: nil, value: Array("not json".utf8))
        try await producer.flush()

        let sink = InMemoryTableSink()
        sink.failNextCommits(3)
        var config = ProcessorConfiguration(kafka: try await TestBroker.consumerConfiguration())
        config.topics = [schema]
        config.groupID = TestBroker.uniqueName("alerts")
        config.interval = .milliseconds(400)
        config.initialBackoff = .milliseconds(20)
        let processor = StreamProcessor(configuration: config, sink: sink)

        let receiver = WebhookNotifierTests.Receiver()
        try await receiver.app().test(.live) { client in
            let port = try #require(client.port)
            let webhook = WebhookNotifier(options: .init(url: "http://127.0.0.1:\(port)/hook", format: .json))
            let evaluator = AlertEvaluator(rules: AlertRules.all, notifier: webhook)
            let task = Task { try await processor.run() }
            let deadline = ContinuousClock.now + .seconds(60)
            var fired: [AlertTransition] = []
            while ContinuousClock.now < deadline, !fired.contains(where: { $0.rule == "TributaryTableWriteFailing" }) {
                fired += evaluator.evaluate()
                try await Task.sleep(for: .milliseconds(200))
            }
            task.cancel()
            _ = try? await task.value
            await webhook.drain()

            let failing = try #require(fired.first { $0.rule == "TributaryTableWriteFailing" })
            #expect(failing.labels == ["table": schema.topic])
            #expect(failing.value >= 3)
            let messages = receiver.delivered.filter { $0["alert"] as? String == "TributaryTableWriteFailing" }
            #expect(messages.count == 1)
            #expect(messages.first?["status"] as? String == "firing")

            let text = MetricsExport.render()
            #expect(text.contains("tributary_commit_failures_total{table=\"\(schema.topic)\"} 3"))
            #expect(text.contains("tributary_records_written_total{topic=\"\(schema.topic)\"} 10"))
            #expect(text.contains("tributary_records_consumed_total{topic=\"\(schema.topic)\"} 11"))
            #expect(text.contains("tributary_records_dead_lettered_total{topic=\"\(schema.topic)\",stage=\"parse\"} 1"))
            #expect(text.contains("tributary_commits_total{table=\"\(schema.topic)\"} 1"))
        }
    }
}

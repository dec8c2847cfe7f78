import Foundation
import KafkaClient
import TributaryTesting

/// One Tansu broker shared by the tests of a test process (started on first use on a
/// free port, stopped when the process exits); each test uses its own topics and groups.
public enum TestBroker {
    private static let shared = Task { try await EmbeddedBroker.start() }

    public static func bootstrap() async throws -> String {
        try await shared.value.bootstrapServers
    }

    public static func configuration(_ extra: [String: String] = [:]) async throws -> KafkaConfiguration {
        KafkaConfiguration(bootstrapServers: try await bootstrap(), properties: extra, operationTimeout: .seconds(10))
    }

    public static func consumerConfiguration(_ extra: [String: String] = [:]) async throws -> KafkaConfiguration {
        // Short session timeouts: a group join on Tansu waits about session.timeout.ms / 2.
        var properties = ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"]
        properties.merge(extra) { $1 }
        return KafkaConfiguration(bootstrapServers: try await bootstrap(), properties: properties, operationTimeout: .seconds(10))
    }

    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}

/// Polls until `count` messages arrived or `timeout` passes.
public func consume(_ consumer: KafkaConsumer, count: Int, timeout: Duration = .seconds(60), batch: Int = 10_000) async throws -> [ConsumedMessage] {
    var messages: [ConsumedMessage] = []
    let deadline = ContinuousClock.now + timeout
    while messages.count < count && ContinuousClock.now < deadline {
        let result = try await consumer.poll(maxMessages: min(batch, count - messages.count), timeout: .milliseconds(200))
        messages.append(contentsOf: result.messages)
    }
    return messages
}

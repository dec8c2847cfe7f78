import ArgumentParser
import Foundation
import KafkaClient
import Logging
import ServiceLifecycle

struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start the whole stack: Kafka (embedded unless configured), topics, and the services; Ctrl-C stops it.")
    @Option(name: .customLong("bootstrap-servers"), help: "Use this Kafka cluster instead of the embedded broker (or $TRIBUTARY_KAFKA_BOOTSTRAP_SERVERS).")
    var bootstrapServers: String?
    @Option(help: "Partitions per topic when creating topics.") var partitions: Int32 = 1
    @Option(help: "Replication factor when creating topics.") var replication: Int32 = 1
    @Option(help: "Topic retention (7d, 12h, ...).") var retention: String = "7d"

    func run() async throws {
        let logger = Logger(label: "tributary")
        var services: [any Service] = []
        let configured = bootstrapServers ?? ProcessInfo.processInfo.environment["TRIBUTARY_KAFKA_BOOTSTRAP_SERVERS"]
        let servers: String
        if let configured, !configured.isEmpty {
            servers = configured
        } else {
            let broker = try await EmbeddedBroker.start(logger: logger)
            try EmbeddedBrokerState.write(broker.bootstrapServers)
            services.append(EmbeddedBrokerService(broker: broker))
            servers = broker.bootstrapServers
        }
        defer { EmbeddedBrokerState.remove() }
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: servers))
        let outcome = try await TopicSetup.ensure(admin: admin, partitions: partitions, replication: replication, retention: retention)
        let created = outcome.values.filter { $0 == .created }.count
        logger.info("topics ready", metadata: ["created": "\(created)", "existing": "\(outcome.count - created)"])
        // Unbuffered: scripts and tests wait for this line.
        FileHandle.standardOutput.write(Data(
            "tributary is up: Kafka at \(servers); topics \(StandardTopics.names.joined(separator: ", ")) (+ .dlq). Ctrl-C stops.\n".utf8))
        services.append(WaitForShutdown())
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

/// Keeps the group alive until shutdown (the processor and web app join in later).
struct WaitForShutdown: Service {
    func run() async throws { try? await gracefulShutdown() }
}

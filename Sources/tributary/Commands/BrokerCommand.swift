import ArgumentParser
import Foundation
import KafkaClient
import Logging
import ServiceLifecycle

struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run the embedded Kafka-protocol broker (Tansu) in the foreground until Ctrl-C.")
    @Option(help: "Port on 127.0.0.1 (0: a free one).") var port: Int = 0
    @Option(help: "Tansu storage engine: memory://tansu/ or s3://BUCKET/.") var storage: String = "memory://tansu/"

    func run() async throws {
        let logger = Logger(label: "tributary")
        var options = EmbeddedBroker.Options()
        options.port = port
        options.storageEngine = storage
        let broker = try await EmbeddedBroker.start(options, logger: logger)
        try EmbeddedBrokerState.write(broker.bootstrapServers)
        defer { EmbeddedBrokerState.remove() }
        print("broker listening on \(broker.bootstrapServers) (Ctrl-C stops it)")
        let group = ServiceGroup(
            services: [EmbeddedBrokerService(broker: broker)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

import ArgumentParser
import Foundation
import KafkaClient
import Logging
import ServiceLifecycle

struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run the embedded Kafka-protocol broker (Tansu) in the foreground until Ctrl-C; durable under the state folder unless told otherwise.")
    @OptionGroup var config: ConfigOptions
    @Option(help: "Port on 127.0.0.1 (0: a free one; in-memory or s3:// storage only).") var port: Int = 0
    @Option(help: """
        Tansu storage engine: empty (default) keeps the log under the state folder (Tansu on an embedded SeaweedFS, \
        or memory with kafka.embedded_storage = memory); memory://tansu/ in memory; s3://BUCKET/ on the S3 in AWS_* variables.
        """)
    var storage: String = ""

    func run() async throws {
        let logger = Logger(label: "tributary")
        let signals = await StopSignals(logger: logger)
        defer { signals.cancel() }
        let settings = try config.load()
        let state = StateFolder(settings)
        let lock = try state.lock(command: "broker", logger: logger)
        defer { lock.release() }
        let embedded: EmbeddedKafka
        if storage.isEmpty {
            embedded = try await EmbeddedKafka.start(settings, state: state, logger: logger)
        } else {
            var options = EmbeddedBroker.Options()
            options.port = port
            options.storageEngine = storage
            options.environment = ProcessInfo.processInfo.environment.filter { $0.key.hasPrefix("AWS_") }
            embedded = .standalone(try await EmbeddedBroker.start(options, logger: logger))
        }
        try state.writeBrokerAddress(embedded.bootstrapServers)
        defer { state.removeBrokerAddress() }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: embedded.services(logger: logger), logger: logger))
        await signals.attach(group) { embedded.kill() }
        print("broker listening on \(embedded.bootstrapServers) (Ctrl-C stops it)")
        try await group.run()
    }
}

import ArgumentParser
import Foundation
import KafkaClient
import TributaryConfig
import Logging
import Monitoring
import ServiceLifecycle
import Web

struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start the whole stack: Kafka (embedded unless configured), topics, the processor writing the lake, the web app; Ctrl-C stops it.")
    @OptionGroup var config: ConfigOptions
    @Option(name: .customLong("bootstrap-servers"), help: "Use this Kafka cluster instead of the embedded broker (kafka.bootstrap_servers).")
    var bootstrapServers: String?
    @OptionGroup var prometheus: PrometheusOptions

    func run() async throws {
        let logger = Logger(label: "tributary")
        let settings = try config.load(extra: bootstrapServers.map { ["kafka.bootstrap_servers": $0] } ?? [:])
        var services: [any Service] = []
        let servers: String
        if let configured = settings.bootstrapServers {
            servers = configured
        } else {
            let broker = try await EmbeddedBroker.start(logger: logger)
            try EmbeddedBrokerState.write(broker.bootstrapServers)
            services.append(EmbeddedBrokerService(broker: broker))
            servers = broker.bootstrapServers
        }
        defer { EmbeddedBrokerState.remove() }
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: servers, properties: settings.kafkaProperties))
        let outcome = try await TopicSetup.ensure(
            admin: admin, partitions: Int32(settings.int("kafka.partitions")),
            replication: Int32(settings.int("kafka.replication")), retention: settings.string("kafka.retention"))
        let created = outcome.values.filter { $0 == .created }.count
        logger.info("topics ready", metadata: ["created": "\(created)", "existing": "\(outcome.count - created)"])
        let kafka = KafkaConfiguration(
            bootstrapServers: servers,
            properties: settings.kafkaProperties.merging(["session.timeout.ms": "10000", "heartbeat.interval.ms": "1000"]) { a, _ in a })
        let monitoring = try MonitoringSetup(config: settings, logger: logger)
        let processor = try await ProcessorSetup.make(config: settings, kafka: kafka, topics: [], logger: logger)
        services.append(processor)
        // Publishes new Hudi commits to the Iceberg catalog (catalog.uri); its outages are
        // logged and retried, never passed on to ingestion.
        if let catalog = try await CatalogSetup.service(settings, logger: logger) { services.append(catalog) }
        services.append(contentsOf: monitoring.services)
        // The web app (prints its URL once it listens). A busy port must not take the
        // broker and the processor down with it: the failure is logged instead. Its
        // dashboard reads the processor's counters.
        let webKafka = KafkaConfiguration(bootstrapServers: servers, properties: settings.kafkaProperties)
        let readiness = [try MonitoringSetup.broker(webKafka), try await MonitoringSetup.storage(settings), MonitoringSetup.processor(processor)]
        let webURL = WebURL()
        let web = try await WebSetup.make(config: settings, kafka: webKafka, monitoring: monitoring.routes(readiness: readiness),
                                          logger: logger, processorStats: { processor.stats }, onStarted: webURL.set)
        services.append(NonEssentialService(name: "web app", logger: logger, base: web.web))
        services += web.services
        if let server = try prometheus.service(webURL: webURL, token: web.web.deps.config.authToken, logger: logger) {
            services.append(NonEssentialService(name: "prometheus", logger: logger, base: server))
        }
        // Unbuffered: scripts and tests wait for this line.
        FileHandle.standardOutput.write(Data(
            "tributary is up: Kafka at \(servers); topics \(StandardTopics.names.joined(separator: ", ")) (+ .dlq). Ctrl-C stops.\n".utf8))
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

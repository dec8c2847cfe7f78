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
        let started = ContinuousClock.now
        let logger = Logger(label: "tributary")
        let signals = await StopSignals(logger: logger)
        defer { signals.cancel() }
        let settings = try config.load(extra: bootstrapServers.map { ["kafka.bootstrap_servers": $0] } ?? [:])
        let state = StateFolder(settings)
        // A second stack on this folder is refused, naming the first.
        let lock = try state.lock(command: "up", logger: logger)
        defer { lock.release() }
        // Services in start order; a stop runs them down in reverse: web and producers
        // first, then the processor (it commits what it read), then the broker, then its storage.
        var services: [any Service] = []
        let servers: String
        var embedded: EmbeddedKafka?
        if let configured = settings.bootstrapServers {
            servers = configured
        } else {
            let broker = try await EmbeddedKafka.start(settings, state: state, logger: logger)
            try state.writeBrokerAddress(broker.bootstrapServers)
            services += broker.services(logger: logger)
            servers = broker.bootstrapServers
            embedded = broker
        }
        defer { state.removeBrokerAddress() }
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: servers, properties: settings.kafkaProperties))
        let streams = try settings.streams()
        let outcome = try await TopicSetup.ensure(
            admin: admin, topics: StreamTopics.namesWithDeadLetters(streams), partitions: Int32(settings.int("kafka.partitions")),
            replication: Int32(settings.int("kafka.replication")), retention: settings.string("kafka.retention"))
        let created = outcome.values.filter { $0 == .created }.count
        logger.info("topics ready", metadata: ["created": "\(created)", "existing": "\(outcome.count - created)"])
        // Quick group joins and big producer batches on the embedded broker; a configured
        // cluster keeps librdkafka's production defaults.
        func tuned(_ configuration: KafkaConfiguration) -> KafkaConfiguration {
            embedded == nil ? configuration : EmbeddedKafka.tuned(configuration)
        }
        let kafka = tuned(KafkaConfiguration(bootstrapServers: servers, properties: settings.kafkaProperties))
        let monitoring = try MonitoringSetup(config: settings, logger: logger)
        let processor = try await ProcessorSetup.make(config: settings, kafka: kafka, topics: [], logger: logger)
        services.append(StopStep(name: "the processor (it commits what it read)", bound: .seconds(120), logger: logger, base: processor))
        // Publishes new Hudi commits to the Iceberg catalog (catalog.uri); its outages are
        // logged and retried, never passed on to ingestion.
        if let catalog = try await CatalogSetup.service(settings, logger: logger) {
            services.append(StopStep(name: "the catalog publisher", bound: .seconds(30), logger: logger, base: catalog))
        }
        services.append(contentsOf: monitoring.services)
        // The web app (prints its URL once it listens). A busy port must not take the
        // broker and the processor down with it: the failure is logged instead. Its
        // dashboard reads the processor's counters.
        let webKafka = tuned(KafkaConfiguration(bootstrapServers: servers, properties: settings.kafkaProperties))
        let readiness = [try MonitoringSetup.broker(webKafka), try await MonitoringSetup.storage(settings), MonitoringSetup.processor(processor)]
        let webURL = WebURL()
        let web = try await WebSetup.make(config: settings, kafka: webKafka, monitoring: monitoring.routes(readiness: readiness),
                                          logger: logger, processorStats: { processor.stats }, onStarted: webURL.set)
        services += web.services
        services.append(StopStep(name: "the web app and its producers", bound: .seconds(15), logger: logger,
                                 base: NonEssentialService(name: "web app", logger: logger, base: web.web)))
        if let server = try prometheus.service(directory: state.prometheus, webURL: webURL, token: web.web.deps.config.authToken, logger: logger) {
            services.append(StopStep(name: "prometheus", bound: .seconds(20), logger: logger,
                                     base: NonEssentialService(name: "prometheus", logger: logger, base: server)))
        }
        var groupConfiguration = ServiceGroupConfiguration(services: services, logger: logger)
        // Each step has its own bound (StopStep, ChildProcessSpec.stopTimeout); this one caps them all.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(240)
        let group = ServiceGroup(configuration: groupConfiguration)
        let broker = embedded
        await signals.attach(group) { broker?.kill() }
        let seconds = ContinuousClock.now - started
        // Unbuffered: scripts and tests wait for this line.
        FileHandle.standardOutput.write(Data("""
            tributary is up in \(String(format: "%.1f", Double(seconds.components.seconds) + Double(seconds.components.attoseconds) / 1e18)) s: \
            Kafka at \(servers); topics \(StreamTopics.names(streams).joined(separator: ", ")) (+ .dlq). Ctrl-C stops.\n
            """.utf8))
        try await group.run()
        logger.info("tributary stopped")
    }
}

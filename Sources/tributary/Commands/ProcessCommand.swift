import ArgumentParser
import Foundation
import Hudi
import KafkaClient
import Logging
import Pipeline
import ServiceLifecycle
import TributaryConfig

struct ProcessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process",
        abstract: "Run only the stream processor: Kafka topics → Hudi tables, exactly once (Ctrl-C stops after the batch in flight).")
    @OptionGroup var kafka: KafkaOptions
    @Option(name: .customLong("topic"), help: "Process only this stream or topic (repeatable; default: every configured stream).") var topics: [String] = []

    func run() async throws {
        let config = try kafka.loadConfig()
        let logger = Logger(label: "tributary")
        let kafkaConfiguration = try kafka.configuration(config)
        let monitoring = try MonitoringSetup(config: config, logger: logger)
        let processor = try await ProcessorSetup.make(
            config: config, kafka: kafkaConfiguration, topics: topics, logger: logger)
        var services: [any Service] = [processor] + monitoring.services
        // Publishes new Hudi commits to the Iceberg catalog (catalog.uri); its outages are
        // logged and retried, never passed on to ingestion.
        if let catalog = try await CatalogSetup.service(config, logger: logger) { services.append(catalog) }
        // /metrics, /healthz, /readyz on metrics.listen; a busy port is logged, not fatal.
        let readiness = [try MonitoringSetup.broker(kafkaConfiguration), try await MonitoringSetup.storage(config),
                         MonitoringSetup.processor(processor)]
        if let server = monitoring.server(config: config, readiness: readiness, logger: logger) {
            services.append(NonEssentialService(name: "metrics server", logger: logger, base: server))
        }
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

/// Builds the processor from the configuration (shared by `process` and `up`).
enum ProcessorSetup {
    static func make(config: TributaryConfig, kafka: KafkaConfiguration, topics: [String], logger: Logger) async throws -> StreamProcessor {
        let schemas = try TopicSchema.chosen(topics, from: try config.streams())
        let lake = try await Lake.open(config)
        var options = WriteOptions()
        options.smallFileLimit = Int(config.bytes("hudi.small_file_limit"))
        options.maxFileSize = Int(config.bytes("hudi.max_file_size"))
        options.cleanerCommitsRetained = config.int("hudi.cleaner.commits_retained")
        options.compactionMaxDeltaCommits = config.int("hudi.compaction.max_delta_commits")
        options.compactionMaxLogBytes = Int(config.bytes("hudi.compaction.max_log_bytes"))
        options.indexCacheMaxKeys = config.int("hudi.index.cache_max_keys")
        options.deleteRetention = Double(config.duration("hudi.delete_retention").components.seconds)
        let tableType = TableType(rawValue: config.string("hudi.table_type")) ?? .copyOnWrite
        var settings = ProcessorConfiguration(kafka: kafka)
        settings.groupID = config.string("processing.group_id")
        settings.topics = schemas
        settings.interval = config.duration("processing.interval")
        settings.maxBatchRecords = config.int("processing.max_batch_records")
        settings.maxBatchBytes = Int(config.bytes("processing.max_batch_bytes"))
        settings.parallelism = config.int("processing.parallelism")
        logger.info("lake", metadata: ["storage.uri": "\(config.string("storage.uri"))"])
        return StreamProcessor(configuration: settings, kafka: LibrdkafkaClients(configuration: kafka),
                               sink: HudiTableSink(root: lake, schemas: schemas, options: options, tableType: tableType), logger: logger)
    }
}

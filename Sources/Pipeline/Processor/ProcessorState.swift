import Logging
import Synchronization

/// What the processor's parts share: the settings, the partition ledger and the counters
/// (each behind its own lock: the rebalance callback reaches the ledger from the
/// consumer's thread), metrics and the log.
final class ProcessorState: Sendable {
    let configuration: ProcessorConfiguration
    let schemas: [String: TopicSchema]
    let logger: Logger
    let metrics: ProcessorMetrics
    let ledger = Mutex(PartitionLedger())
    let stats = Mutex(ProcessorStats())
    let denials: AccessDenials

    init(configuration: ProcessorConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        denials = AccessDenials(logger: logger, group: configuration.groupID)
        metrics = ProcessorMetrics(topics: configuration.topics.map(\.topic))
        schemas = Dictionary(configuration.topics.map { ($0.topic, $0) }) { first, _ in first }
    }
}

import Foundation
import KafkaClient
import Logging
import ServiceLifecycle
import Synchronization

/// The processor's settings (the seed's PipelineConfig).
public struct ProcessorConfiguration: Sendable {
    public var kafka: KafkaConfiguration
    public var groupID = "tributary-processor"
    public var topics: [TopicSchema] = TopicSchema.seeds
    public var interval: Duration = .seconds(10)
    public var maxBatchRecords = 500_000
    public var maxBatchBytes = 256 << 20
    /// Tables committed in parallel.
    public var parallelism = 2
    /// Attempts of a failing commit before the batch is abandoned (and re-read).
    public var commitAttempts = 8
    public var initialBackoff: Duration = .milliseconds(200)
    public var timings = ProcessorTimings()

    public init(kafka: KafkaConfiguration) { self.kafka = kafka }
}

/// The processor's waits; the defaults suit a real cluster (unit tests shorten them).
public struct ProcessorTimings: Sendable {
    /// How often an unreachable cluster is asked for its metadata.
    public var brokerProbeInterval: Duration = .seconds(1)
    /// The pause after a failed batch, before reading again from the checkpoints.
    public var pauseAfterFailedBatch: Duration = .milliseconds(500)
    /// How long a poll of the DLQ waits when looking for an uncommitted batch's dead
    /// letters, and how long the whole scan may take before the batch fails.
    public var deadLetterScanPoll: Duration = .milliseconds(200)
    public var deadLetterScanTimeout: Duration = .seconds(60)

    public init() {}
}

/// Kafka → tables, in micro-batches, exactly once: each batch's rows and the Kafka
/// offsets it consumed are committed together (the table's checkpoint is the only source
/// of truth for where to resume; Kafka group offsets are written afterwards, for lag
/// monitoring); rejected records go to `{topic}.dlq` before the commit that covers them.
///
/// The parts: `BatchCollector` (polling, the `OffsetFilter`, decoding), `BatchCommitter`
/// (dead letters, then the table commit with retries), `CheckpointRecovery` (checkpoints,
/// seeks, dead letters of uncommitted batches) over one `PartitionLedger`; this type runs
/// the loop: pipelining, outages, failures.
public final class StreamProcessor: Service, Sendable {
    public let configuration: ProcessorConfiguration
    private let kafka: any KafkaClients
    private let sink: any TableSink
    private let state: ProcessorState
    private let recovery: CheckpointRecovery

    /// A processor reading through `kafka` (librdkafka in production, `InMemoryKafka` in tests).
    public init(configuration: ProcessorConfiguration, kafka: any KafkaClients, sink: any TableSink,
                logger: Logger = Logger(label: "tributary.processor")) {
        self.configuration = configuration
        self.kafka = kafka
        self.sink = sink
        state = ProcessorState(configuration: configuration, logger: logger)
        recovery = CheckpointRecovery(state: state, sink: sink, kafka: kafka)
    }

    /// A processor reading with librdkafka from `configuration.kafka`.
    public convenience init(configuration: ProcessorConfiguration, sink: any TableSink,
                            logger: Logger = Logger(label: "tributary.processor")) {
        self.init(configuration: configuration, kafka: LibrdkafkaClients(configuration: configuration.kafka), sink: sink, logger: logger)
    }

    public var stats: ProcessorStats { state.stats.withLock { $0 } }
    /// Partitions of the consumer group assigned to this processor (readiness).
    public var assignedPartitions: Int { state.metrics.assignedPartitions }

    public func run() async throws {
        let logger = state.logger
        for schema in configuration.topics {
            logger.debug("loading checkpoint", metadata: ["topic": "\(schema.topic)"])
            try await recovery.reload(topic: schema.topic)
        }
        let inFlight = CommitInFlight()
        // (Dead letters of uncommitted batches are looked for on every partition assignment.)
        let hooks = RebalanceHooks(
            startOffset: { [state] tp in
                let start = state.ledger.withLock { $0.assign(tp) }
                state.stats.withLock { if $0.firstAssignment == nil { $0.firstAssignment = .now } }
                logger.debug("partition assigned", metadata: ["partition": "\(tp)", "start": "\(start)"])
                return start
            },
            beforeRevoke: { partitions in
                // A rebalance gives partitions up only after the batch being committed is done.
                logger.debug("partitions revoked; waiting for the batch in flight", metadata: ["partitions": "\(partitions)"])
                inFlight.waitUntilIdle()
            })
        let consumer = try kafka.consumer(groupID: configuration.groupID, settings: Self.consumerTuning, hooks: hooks)
        try consumer.subscribe(configuration.topics.map(\.topic))
        var producer = try kafka.producer(settings: Self.producerSettings)
        let outage = BrokerOutage(kafka: kafka, logger: logger, probeInterval: configuration.timings.brokerProbeInterval)
        let admin = try kafka.admin(operationTimeout: nil)
        let collector = BatchCollector(state: state, recovery: recovery, consumer: consumer, admin: admin, outage: outage)
        let committer = BatchCommitter(state: state, sink: sink, recovery: recovery)
        logger.info("processor started", metadata: [
            "group": "\(configuration.groupID)", "topics": "\(configuration.topics.map(\.topic))",
            "interval": "\(configuration.interval)",
        ])
        state.metrics.started()
        defer { state.metrics.stopped() }
        // Pipelined: while one batch is committed (dead letters, table commits), the next one
        // is polled and decoded. Commits stay in order: a batch is committed only after the
        // one before it, and when that one fails, the batch collected meanwhile is dropped
        // and both are read again from the tables' checkpoints.
        var pending: Task<[TopicPartition: Int64], any Error>?
        // The first batch commits what waits in the topics as soon as it has read it, not
        // after a whole interval (like a streaming query's first trigger).
        var firstBatch = true
        func settle() async throws {
            guard let task = pending else { return }
            pending = nil
            let committed = try await task.value
            // Kafka's group offsets: for lag monitoring only, after the tables committed.
            do { try await consumer.commit(committed) } catch {
                logger.debug("group offset commit failed (lag display only): \(error)")
            }
        }
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                do {
                    if outage.isDown {
                        try await settle()
                        if try await outage.stillDown(stats: state.stats) {
                            // Keep serving the consumer (librdkafka reconnects in the background)
                            // without building batches until the broker answers again.
                            _ = try? await consumer.poll(maxMessages: 1, timeout: min(.milliseconds(500), configuration.timings.brokerProbeInterval))
                            continue
                        }
                    }
                    if outage.justResumed {
                        // Back from an outage: move to the tables' checkpoints again (the broker
                        // may have come back empty; the batch loop then records the gap), and
                        // use a new producer: a broker that lost its state no longer knows the
                        // old one's idempotent producer id, and its sends would only time out.
                        try await settle()
                        try? await recovery.seekToCheckpoints(consumer, admin: admin)
                        producer = try kafka.producer(settings: Self.producerSettings)
                    }
                    let collected = try await collector.collect(untilCaughtUp: firstBatch, settle: settle)
                    try await settle()
                    guard let collected, !Task.isCancelled else { continue }
                    firstBatch = false
                    inFlight.begin()
                    let dlqProducer = producer
                    pending = Task {
                        defer { inFlight.end() }
                        return try await committer.commit(collected, producer: dlqProducer)
                    }
                } catch {
                    // The batch in flight may still run (the failure was elsewhere): let it end
                    // before moving the consumer back.
                    if let task = pending {
                        pending = nil
                        _ = try? await task.value
                    }
                    state.metrics.batchFailed()
                    if error is TopicsNotAuthorized {
                        // Logged once per topic where it was found; the other topics committed.
                        logger.debug("batch committed except refused topics; they are read again", metadata: ["error": "\(error)"])
                    } else {
                        logger.error("batch failed; its records will be read again", metadata: ["error": "\(error)"])
                    }
                    if error is KafkaError, let fresh = try? kafka.producer(settings: Self.producerSettings) {
                        producer = fresh
                    }
                    try? await Task.sleep(for: configuration.timings.pauseAfterFailedBatch)
                    try? await recovery.seekToCheckpoints(consumer, admin: admin)
                }
            }
            // Stopping: the batch being committed finishes (the one being collected is dropped).
            do { try await settle() } catch {
                logger.warning("last batch not committed; its records will be read again", metadata: ["error": "\(error)"])
            }
        } onGracefulShutdown: {
            logger.info("processor stopping after the batch in flight")
        }
        try? await consumer.close()
        await sink.close()
        logger.info("processor stopped")
    }
}

extension StreamProcessor {
    /// Fetching for batch reading (librdkafka's defaults suit small messages at low
    /// latency): up to 8 MiB per partition and 16 MiB per fetch; up to 16 MiB (or a
    /// million messages per partition) fetched ahead while a batch is decoded or committed
    /// — the batch itself holds what was polled, so a deeper queue only adds memory (128 MiB
    /// ahead and 64 MiB fetches cost ~150 MiB of peak RSS at the same records per CPU
    /// second); and fetching resumes 20 ms after that queue drained, not librdkafka's 1 s
    /// (`fetch.queue.backoff.ms`, which left the processor waiting ~0.8 s after every
    /// ~180k records). Settings in the configuration win.
    public static let consumerTuning: [String: String] = [
        "max.partition.fetch.bytes": "\(8 << 20)",
        "fetch.max.bytes": "\(16 << 20)",
        "queued.max.messages.kbytes": "\(16 << 10)",
        "queued.min.messages": "1000000",
        "fetch.queue.backoff.ms": "20",
    ]

    /// Dead letters: a bounded delivery time, so a batch whose DLQ writes cannot be
    /// acknowledged fails (and is read again) instead of hanging for librdkafka's 5 min.
    static let producerSettings = ["message.timeout.ms": "30000"]

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

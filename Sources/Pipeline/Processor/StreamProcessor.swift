import Foundation
import KafkaClient
import Logging
import ServiceLifecycle
import Synchronization

/// The processor's settings (the seed's PipelineConfig).
public struct ProcessorConfiguration: Sendable {
    public var kafka: KafkaConfiguration
    public var groupID = "tributary-processor"
    public var topics: [TopicSchema] = TopicSchema.all
    public var interval: Duration = .seconds(10)
    public var maxBatchRecords = 500_000
    public var maxBatchBytes = 256 << 20
    /// Tables committed in parallel.
    public var parallelism = 2
    /// Attempts of a failing commit before the batch is abandoned (and re-read).
    public var commitAttempts = 8
    public var initialBackoff: Duration = .milliseconds(200)

    public init(kafka: KafkaConfiguration) { self.kafka = kafka }
}

/// Kafka → tables, in micro-batches, exactly once: each batch's rows and the Kafka
/// offsets it consumed are committed together (the table's checkpoint is the only source
/// of truth for where to resume; Kafka group offsets are written afterwards, for lag
/// monitoring); rejected records go to `{topic}.dlq` before the commit that covers them.
public final class StreamProcessor: Service, Sendable {
    public let configuration: ProcessorConfiguration
    private let sink: any TableSink
    private let logger: Logger
    private let statsBox = Mutex(ProcessorStats())
    /// Next offset per partition, as committed in the tables.
    private let checkpoints = Mutex([TopicPartition: Int64]())
    /// Partitions assigned since the last batch: their checkpoints are re-read first.
    private let freshlyAssigned = Mutex(Set<TopicPartition>())
    /// Partitions whose checkpoint lay past the log end, reset to the earliest offset:
    /// `from` (what the table holds) until a commit records the reset, `to` where reading resumed.
    private let pendingResets = Mutex([TopicPartition: CheckpointReset]())
    /// Dead-lettered source offsets of uncommitted batches, found after a restart.
    private let alreadyDeadLettered = Mutex([TopicPartition: Set<Int64>]())
    private let metrics: ProcessorMetrics

    public init(configuration: ProcessorConfiguration, sink: any TableSink, logger: Logger = Logger(label: "tributary.processor")) {
        self.configuration = configuration
        self.sink = sink
        self.logger = logger
        metrics = ProcessorMetrics(topics: configuration.topics.map(\.topic))
    }

    public var stats: ProcessorStats { statsBox.withLock { $0 } }
    /// Partitions of the consumer group assigned to this processor (readiness).
    public var assignedPartitions: Int { metrics.assignedPartitions }

    private var schemas: [String: TopicSchema] {
        Dictionary(uniqueKeysWithValues: configuration.topics.map { ($0.topic, $0) })
    }

    public func run() async throws {
        for schema in configuration.topics {
            logger.debug("loading checkpoint", metadata: ["topic": "\(schema.topic)"])
            try await reloadCheckpoint(topic: schema.topic)
        }
        // (Dead letters of uncommitted batches are looked for on every partition assignment.)
        let consumer = try KafkaConsumer(
            configuration: configuration.kafka, groupID: configuration.groupID,
            startOffset: { [self] tp in
                freshlyAssigned.withLock { _ = $0.insert(tp) }
                return checkpoints.withLock { $0[tp] } ?? -2  // -2: librdkafka's BEGINNING
            })
        try consumer.subscribe(configuration.topics.map(\.topic))
        // Dead letters: a bounded delivery time, so a batch whose DLQ writes cannot be
        // acknowledged fails (and is read again) instead of hanging for librdkafka's 5 min.
        let producerConfiguration = configuration.kafka.withDefaults(["message.timeout.ms": "30000"])
        var producer = try KafkaProducer(configuration: producerConfiguration)
        let outage = BrokerOutage(configuration: configuration.kafka, logger: logger)
        let admin = try KafkaAdmin(configuration: configuration.kafka)
        logger.info("processor started", metadata: [
            "group": "\(configuration.groupID)", "topics": "\(configuration.topics.map(\.topic))",
            "interval": "\(configuration.interval)",
        ])
        metrics.started()
        defer { metrics.stopped() }
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                do {
                    if try await outage.stillDown(stats: statsBox) {
                        // Keep serving the consumer (librdkafka reconnects in the background)
                        // without building batches until the broker answers again.
                        _ = try? await consumer.poll(maxMessages: 1, timeout: .milliseconds(500))
                        continue
                    }
                    if outage.justResumed {
                        // Back from an outage: move to the tables' checkpoints again (the broker
                        // may have come back empty; the batch loop then records the gap), and
                        // use a new producer: a broker that lost its state no longer knows the
                        // old one's idempotent producer id, and its sends would only time out.
                        try? await seekToCheckpoints(consumer, admin: admin)
                        producer = try KafkaProducer(configuration: producerConfiguration)
                    }
                    try await processOneBatch(consumer: consumer, producer: producer, outage: outage, admin: admin)
                } catch {
                    metrics.batchFailed()
                    logger.error("batch failed; its records will be read again", metadata: ["error": "\(error)"])
                    if error is KafkaError, let fresh = try? KafkaProducer(configuration: producerConfiguration) {
                        producer = fresh
                    }
                    try? await Task.sleep(for: .milliseconds(500))
                    try? await seekToCheckpoints(consumer, admin: admin)
                }
            }
        } onGracefulShutdown: {
            self.logger.info("processor stopping after the batch in flight")
        }
        try? await consumer.close()
        await sink.close()
        logger.info("processor stopped")
    }

    // MARK: One batch

    func processOneBatch(consumer: KafkaConsumer, producer: KafkaProducer, outage: BrokerOutage, admin: KafkaAdmin) async throws {
        let clock = ContinuousClock()
        let started = clock.now
        var polled: [ConsumedBatch] = []
        var records = 0, bytes = 0
        let deadline = started + configuration.interval
        while clock.now < deadline, records < configuration.maxBatchRecords, bytes < configuration.maxBatchBytes,
              !Task.isShuttingDownGracefully {
            let remaining = deadline - clock.now
            let result = try await consumer.poll(
                maxMessages: min(10_000, configuration.maxBatchRecords - records), timeout: min(remaining, .milliseconds(250)))
            for error in result.errors { outage.note(error, stats: statsBox) }
            if outage.isDown { break }
            if !result.messages.isEmpty {
                polled.append(result.messages)
                records += result.messages.count
                bytes += result.messages.byteCount
            }
        }
        // Partitions assigned during the poll: re-read their tables' checkpoints (another
        // processor may have committed past what we knew) and move there.
        let assigned = freshlyAssigned.withLock { set in defer { set.removeAll() }; return set }
        if !assigned.isEmpty {
            for topic in Set(assigned.map(\.topic)) {
                try await reloadCheckpoint(topic: topic)
                // Partitions taken over from a processor that died may have dead letters of
                // its uncommitted batch in the DLQ already: find them, not to send them twice.
                try await recoverDeadLetters(topic: topic)
            }
            let targets = await seekTargets(assigned, admin: admin)
            if !targets.isEmpty { try? await consumer.seek(targets) }
        }
        metrics.refreshLag(consumer, checkpoints: checkpoints.withLock { $0 })
        guard records > 0 else { return metrics.idleBatch() }

        // Group by topic; keep only assigned partitions and offsets past the checkpoint.
        let current = consumer.assignment
        var byTopic: [String: [ConsumedMessage]] = [:]
        var skipped: [String: Int] = [:]
        var gaps: [String: [String]] = [:]
        var seenFirst = Set<TopicPartition>()
        var rewind: [TopicPartition: Int64] = [:]
        for batch in polled {
            for message in batch {
                let tp = message.topicPartition
                guard current.contains(tp), rewind[tp] == nil else { continue }
                var checkpoint = checkpoints.withLock { $0[tp] } ?? 0
                if message.offset < checkpoint, let marks = consumer.cachedWatermarks(tp), marks.high < checkpoint {
                    // The log ends before our checkpoint (the fetch's high watermark is
                    // exact): the topic was recreated or the in-memory broker restarted
                    // empty. Start over from the earliest offset that exists.
                    let earliest = max(0, marks.low)
                    logger.warning("checkpoint past the log end; continuing from the earliest offset", metadata: [
                        "partition": "\(tp)", "checkpoint": "\(checkpoint)", "high": "\(marks.high)", "earliest": "\(earliest)"])
                    pendingResets.withLock { $0[tp] = CheckpointReset(from: $0[tp]?.from ?? checkpoint, to: earliest) }
                    checkpoints.withLock { $0[tp] = earliest }
                    statsBox.withLock { $0.checkpointGaps += 1 }
                    metrics.checkpointGap(tp.topic)
                    if message.offset != earliest {
                        // Read from the earliest offset next batch; nothing of this
                        // partition from this poll is used (it may start later).
                        rewind[tp] = earliest
                        continue
                    }
                    checkpoint = earliest
                }
                if message.offset < checkpoint {
                    skipped[tp.topic, default: 0] += 1
                    continue
                }
                if seenFirst.insert(tp).inserted, message.offset > checkpoint, checkpoint > 0 || message.offset > 0 {
                    // Records between the checkpoint and the first available offset are
                    // gone (retention ran): say so, never silently.
                    logger.warning("records before offset \(message.offset) of \(tp) are no longer in Kafka (checkpoint \(checkpoint))")
                    gaps[tp.topic, default: []].append("\(tp.partition):\(checkpoint)->\(message.offset)")
                    statsBox.withLock { $0.checkpointGaps += 1 }
                    metrics.checkpointGap(tp.topic)
                }
                byTopic[tp.topic, default: []].append(message)
            }
        }
        if !rewind.isEmpty {
            for tp in rewind.keys { byTopic[tp.topic]?.removeAll { $0.topicPartition == tp } }
            try await consumer.seek(rewind)
        }
        statsBox.withLock { stats in
            for (topic, n) in skipped { stats.duplicatesSkipped[topic, default: 0] += n }
            for (topic, messages) in byTopic { stats.consumed[topic, default: 0] += messages.count }
        }
        metrics.consumed(byTopic)

        // Per topic: decode, dead-letter, commit — tables in parallel up to `parallelism`.
        var committedOffsets: [TopicPartition: Int64] = [:]
        try await withThrowingTaskGroup(of: [TopicPartition: Int64].self) { group in
            var running = 0
            for (topic, messages) in byTopic.sorted(by: { $0.key < $1.key }) {
                guard let schema = schemas[topic] else { continue }
                if running >= configuration.parallelism, let done = try await group.next() {
                    committedOffsets.merge(done) { max($0, $1) }
                    running -= 1
                }
                let topicGaps = gaps[topic] ?? []
                group.addTask { try await self.commitTopic(schema: schema, messages: messages, gaps: topicGaps, producer: producer) }
                running += 1
            }
            for try await done in group { committedOffsets.merge(done) { max($0, $1) } }
        }
        // Kafka's group offsets: for lag monitoring only, after the tables committed.
        do { try await consumer.commit(committedOffsets) } catch {
            logger.debug("group offset commit failed (lag display only): \(error)")
        }
        let seconds = Double((clock.now - started).components.attoseconds) / 1e18 + Double((clock.now - started).components.seconds)
        statsBox.withLock {
            $0.batches += 1
            $0.lastBatchSeconds = seconds
        }
        metrics.batchCompleted(clock.now - started)
    }

    /// Decodes a topic's messages, dead-letters the rejected ones, commits the rest with
    /// the new checkpoint; returns the committed next offsets.
    private func commitTopic(schema: TopicSchema, messages: [ConsumedMessage], gaps: [String], producer: KafkaProducer) async throws -> [TopicPartition: Int64] {
        let topic = schema.topic
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        var decoder = RecordDecoder(schema: schema, nowMicros: now)
        var rejected: [(ConsumedMessage, Rejection)] = []
        var next: [Int32: Int64] = [:]
        for message in messages {
            next[message.partition] = max(next[message.partition] ?? 0, message.offset + 1)
            if let rejection = message.withValueBytes({ decoder.append($0, partition: message.partition, offset: message.offset) }) {
                rejected.append((message, rejection))
            }
        }
        // Dead letters first, acknowledged by the broker, so a commit never covers a
        // rejected record that is not in the DLQ.
        let skip = alreadyDeadLettered.withLock { $0 }
        var dlqEnd: [Int32: Int64] = [:]
        // Dead letters acknowledged in this attempt: if the batch then fails before its
        // commit, the retry must not send them again.
        var sent: [TopicPartition: Set<Int64>] = [:]
        func rememberSent() {
            guard !sent.isEmpty else { return }
            alreadyDeadLettered.withLock { $0.merge(sent) { $0.union($1) } }
        }
        do {
            try await withThrowingTaskGroup(of: (TopicPartition, Int64, DeliveryReport).self) { group in
                for (message, rejection) in rejected {
                    if skip[message.topicPartition]?.contains(message.offset) == true { continue }
                    group.addTask {
                        let report = try await producer.send(
                            topic: schema.deadLetterTopic, key: message.key.map(Array.init), value: Array(message.value),
                            headers: DeadLetterHeader.make(message, rejection))
                        return (message.topicPartition, message.offset, report)
                    }
                }
                for try await (source, offset, report) in group {
                    sent[source, default: []].insert(offset)
                    dlqEnd[report.partition] = max(dlqEnd[report.partition] ?? 0, report.offset + 1)
                }
            }
        } catch {
            rememberSent()
            throw error
        }
        do {
            return try await commitDecoded(
                schema: schema, decoder: decoder, messages: messages, rejected: rejected, next: next, gaps: gaps, dlqEnd: dlqEnd, now: now)
        } catch {
            rememberSent()
            throw error
        }
    }

    /// Commits a decoded batch with its checkpoint (after its dead letters were sent).
    private func commitDecoded(
        schema: TopicSchema, decoder: consuming RecordDecoder, messages: [ConsumedMessage], rejected: [(ConsumedMessage, Rejection)],
        next: [Int32: Int64], gaps: [String], dlqEnd: [Int32: Int64], now: Int64
    ) async throws -> [TopicPartition: Int64] {
        let topic = schema.topic
        await Failpoints.pause("after-dead-letters")
        var expected = try await currentCheckpoint(topic: topic)
        var checkpoint = expected.merging(next)
        // Resets past the log end: the table still holds the old offset (expected); the new
        // checkpoint starts from where reading resumed, and the commit records the gap.
        let resets = pendingResets.withLock { $0.filter { $0.key.topic == topic } }
        var gaps = gaps
        for (tp, reset) in resets.sorted(by: { $0.key < $1.key }) {
            expected.offsets[tp.partition] = reset.from
            checkpoint.offsets[tp.partition] = max(reset.to, next[tp.partition] ?? reset.to)
            gaps.append("\(tp.partition):\(reset.from)->\(reset.to)")
        }
        let batchID = try await sink.newBatchID(topic: topic)
        let batch = decoder.finish(batchID: batchID, ingestedAtMicros: now)
        var extra: [String: String] = [:]
        if !dlqEnd.isEmpty {
            // This batch's DLQ end; the sink records it for the partitions the commit moves.
            extra[deadLetterEndKey] = dlqEnd.keys.sorted().map { "\($0):\(dlqEnd[$0] ?? 0)" }.joined(separator: ",")
        }
        if !gaps.isEmpty { extra[checkpointGapKey] = gaps.joined(separator: ",") }
        let request = CommitRequest(topic: topic, records: batch, expected: expected, checkpoint: checkpoint,
                                    extraMetadata: extra, batchID: batchID)
        await Failpoints.pause("before-commit")
        let commitStart = ContinuousClock.now
        var backoff = configuration.initialBackoff
        for attempt in 1...configuration.commitAttempts {
            do {
                try await sink.commit(request)
                break
            } catch let conflict as CheckpointConflict {
                statsBox.withLock { $0.conflicts += 1 }
                try await reloadCheckpoint(topic: topic)
                throw conflict
            } catch {
                // Storage trouble: retry the same commit; Kafka is not read again.
                metrics.commitFailed(topic)
                guard attempt < configuration.commitAttempts else { throw error }
                statsBox.withLock { $0.commitRetries += 1 }
                logger.warning("commit of \(topic) failed (attempt \(attempt)); retrying in \(backoff)", metadata: ["error": "\(error)"])
                try await Task.sleep(for: backoff + .milliseconds(Int64.random(in: 0...50)))
                backoff = min(backoff * 2, .seconds(10))
            }
        }
        let elapsed = ContinuousClock.now - commitStart
        checkpoints.withLock { cp in for (p, o) in next { cp[TopicPartition(topic, p)] = max(cp[TopicPartition(topic, p)] ?? 0, o) } }
        // Known dead letters up to the committed offsets are settled; later ones (a crashed
        // batch that went further than this one) are still to be skipped.
        alreadyDeadLettered.withLock { d in
            for (p, end) in next {
                let tp = TopicPartition(topic, p)
                let rest = d[tp]?.filter { $0 >= end } ?? Set<Int64>()
                d[tp] = rest.isEmpty ? nil : rest
            }
        }
        pendingResets.withLock { for tp in resets.keys { $0[tp] = nil } }
        statsBox.withLock { stats in
            stats.written[topic, default: 0] += batch.count
            stats.committed[topic, default: 0] += messages.count
            stats.deadLettered[topic, default: 0] += rejected.count
            stats.commits[topic, default: 0] += 1
            stats.lastCommitSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        metrics.committed(topic, written: batch.count, rejected: rejected.map(\.1))
        return Dictionary(uniqueKeysWithValues: next.map { (TopicPartition(topic, $0.key), $0.value) })
    }

    // MARK: Checkpoints

    private func currentCheckpoint(topic: String) async throws -> KafkaCheckpoint {
        let offsets = checkpoints.withLock { cp in
            cp.filter { $0.key.topic == topic }.reduce(into: [Int32: Int64]()) { $0[$1.key.partition] = $1.value }
        }
        // The table's own checkpoint may hold partitions we never saw: keep them.
        let stored = try await sink.checkpoint(topic: topic)
        return KafkaCheckpoint(topic: topic, offsets: stored.offsets.merging(offsets) { _, ours in ours })
    }

    private func reloadCheckpoint(topic: String) async throws {
        let stored = try await sink.checkpoint(topic: topic)
        checkpoints.withLock { cp in
            for key in cp.keys where key.topic == topic { cp[key] = nil }
            for (p, o) in stored.offsets { cp[TopicPartition(topic, p)] = o }
        }
    }

    private func seekToCheckpoints(_ consumer: KafkaConsumer, admin: KafkaAdmin) async throws {
        let assigned = consumer.assignment
        for topic in Set(assigned.map(\.topic)) { try await reloadCheckpoint(topic: topic) }
        let targets = await seekTargets(assigned, admin: admin)
        if !targets.isEmpty { try await consumer.seek(targets) }
    }

    /// Where to read each partition from: its checkpoint, unless the broker reports a log
    /// end before it. Then the checkpoint may be past the real end (the topic was recreated,
    /// the in-memory broker restarted) — and a fetch there would wait for records that may
    /// never come — so read from the last reported batch instead: the fetch's exact high
    /// watermark then tells the batch loop whether there is a gap (records before the
    /// checkpoint are skipped as usual when there is none). The reported end is only a
    /// hint: Tansu's answers the last batch's base offset + 1 (see tools.md).
    private func seekTargets(_ partitions: Set<TopicPartition>, admin: KafkaAdmin) async -> [TopicPartition: Int64] {
        var targets = checkpoints.withLock { cp in partitions.reduce(into: [TopicPartition: Int64]()) { $0[$1] = cp[$1] ?? 0 } }
        for (tp, checkpoint) in targets where checkpoint > 0 {
            guard let marks = try? await admin.watermarks(tp), marks.high < checkpoint else { continue }
            targets[tp] = max(0, marks.low, marks.high - 1)
            logger.debug("checkpoint beyond the reported log end; verifying from the last batch",
                         metadata: ["partition": "\(tp)", "checkpoint": "\(checkpoint)", "reported": "\(marks.high)"])
        }
        return targets
    }

    /// Finds records an uncommitted batch dead-lettered before a crash: they are in the
    /// DLQ past the end offsets recorded with the last commit.
    private func recoverDeadLetters(topic: String) async throws {
        guard let schema = schemas[topic] else { return }
        let extra = try await sink.latestExtraMetadata(topic: topic)
        let ends = DeadLetterEnds(parsing: extra[deadLetterEndKey] ?? "")
        let admin = try KafkaAdmin(configuration: configuration.kafka)
        guard let info = try await admin.metadata().topic(schema.deadLetterTopic), info.error == nil else { return }
        var assignment: [TopicPartition: Int64?] = [:]
        for p in info.partitions {
            let tp = TopicPartition(schema.deadLetterTopic, p.id)
            assignment[tp] = ends.scanStart(dlqPartition: p.id)
        }
        let reader = try KafkaConsumer(configuration: configuration.kafka)
        try reader.assign(assignment)
        let checkpoint = try await sink.checkpoint(topic: topic)
        var found: [TopicPartition: Set<Int64>] = [:]
        var idle = 0
        while idle < 3 {
            let result = try await reader.poll(maxMessages: 10_000, timeout: .milliseconds(200))
            if result.messages.isEmpty { idle += 1; continue }
            idle = 0
            for m in result.messages {
                guard let p = m.header(DeadLetterHeader.sourcePartition).flatMap(Int32.init),
                      let o = m.header(DeadLetterHeader.sourceOffset).flatMap(Int64.init),
                      m.header(DeadLetterHeader.sourceTopic) == topic,
                      o >= (checkpoint.offsets[p] ?? 0) else { continue }
                found[TopicPartition(topic, p), default: []].insert(o)
            }
        }
        if !found.isEmpty {
            logger.info("dead letters of an uncommitted batch found; they will not be sent again",
                        metadata: ["topic": "\(topic)", "count": "\(found.values.reduce(0) { $0 + $1.count })"])
            alreadyDeadLettered.withLock { $0.merge(found) { $0.union($1) } }
        }
    }
}

/// A checkpoint found past the log end and moved back to the earliest offset.
struct CheckpointReset: Sendable {
    var from: Int64
    var to: Int64
}

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
    /// Partitions assigned since the last batch, with the offset reading started from:
    /// their checkpoints are re-read first.
    private let freshlyAssigned = Mutex([TopicPartition: Int64]())
    /// Partitions whose checkpoint lay past the log end, reset to the earliest offset:
    /// `from` (what the table holds) until a commit records the reset, `to` where reading resumed.
    private let pendingResets = Mutex([TopicPartition: CheckpointReset]())
    /// Dead-lettered source offsets of uncommitted batches, found after a restart.
    private let alreadyDeadLettered = Mutex([TopicPartition: Set<Int64>]())
    private let metrics: ProcessorMetrics
    private let schemas: [String: TopicSchema]
    /// Where the next batch continues per partition (one past the last record collected),
    /// while the batch before it may still be committing; cleared by seeks.
    private let readPosition = Mutex([TopicPartition: Int64]())

    public init(configuration: ProcessorConfiguration, sink: any TableSink, logger: Logger = Logger(label: "tributary.processor")) {
        self.configuration = configuration
        self.sink = sink
        self.logger = logger
        metrics = ProcessorMetrics(topics: configuration.topics.map(\.topic))
        schemas = Dictionary(configuration.topics.map { ($0.topic, $0) }) { first, _ in first }
    }

    public var stats: ProcessorStats { statsBox.withLock { $0 } }
    /// Partitions of the consumer group assigned to this processor (readiness).
    public var assignedPartitions: Int { metrics.assignedPartitions }


    public func run() async throws {
        for schema in configuration.topics {
            logger.debug("loading checkpoint", metadata: ["topic": "\(schema.topic)"])
            try await reloadCheckpoint(topic: schema.topic)
        }
        let inFlight = CommitInFlight()
        // (Dead letters of uncommitted batches are looked for on every partition assignment.)
        let consumer = try KafkaConsumer(
            configuration: configuration.kafka.withDefaults(Self.consumerTuning), groupID: configuration.groupID,
            startOffset: { [self] tp in
                let start = checkpoints.withLock { $0[tp] } ?? -2  // -2: librdkafka's BEGINNING
                freshlyAssigned.withLock { $0[tp] = start }
                readPosition.withLock { $0[tp] = nil }
                statsBox.withLock { if $0.firstAssignment == nil { $0.firstAssignment = .now } }
                logger.debug("partition assigned", metadata: ["partition": "\(tp)", "start": "\(start)"])
                return start
            },
            beforeRevoke: { [self] partitions in
                // A rebalance gives partitions up only after the batch being committed is done.
                logger.debug("partitions revoked; waiting for the batch in flight", metadata: ["partitions": "\(partitions)"])
                inFlight.waitUntilIdle()
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
                        if try await outage.stillDown(stats: statsBox) {
                            // Keep serving the consumer (librdkafka reconnects in the background)
                            // without building batches until the broker answers again.
                            _ = try? await consumer.poll(maxMessages: 1, timeout: .milliseconds(500))
                            continue
                        }
                    }
                    if outage.justResumed {
                        // Back from an outage: move to the tables' checkpoints again (the broker
                        // may have come back empty; the batch loop then records the gap), and
                        // use a new producer: a broker that lost its state no longer knows the
                        // old one's idempotent producer id, and its sends would only time out.
                        try await settle()
                        try? await seekToCheckpoints(consumer, admin: admin)
                        producer = try KafkaProducer(configuration: producerConfiguration)
                    }
                    let collected = try await collectBatch(consumer: consumer, outage: outage, admin: admin,
                                                           untilCaughtUp: firstBatch, settle: settle)
                    try await settle()
                    guard let collected, !Task.isCancelled else { continue }
                    firstBatch = false
                    inFlight.begin()
                    let dlqProducer = producer
                    pending = Task {
                        defer { inFlight.end() }
                        return try await self.commitBatch(collected, producer: dlqProducer)
                    }
                } catch {
                    // The batch in flight may still run (the failure was elsewhere): let it end
                    // before moving the consumer back.
                    if let task = pending {
                        pending = nil
                        _ = try? await task.value
                    }
                    metrics.batchFailed()
                    logger.error("batch failed; its records will be read again", metadata: ["error": "\(error)"])
                    if error is KafkaError, let fresh = try? KafkaProducer(configuration: producerConfiguration) {
                        producer = fresh
                    }
                    try? await Task.sleep(for: .milliseconds(500))
                    try? await seekToCheckpoints(consumer, admin: admin)
                }
            }
            // Stopping: the batch being committed finishes (the one being collected is dropped).
            do { try await settle() } catch {
                logger.warning("last batch not committed; its records will be read again", metadata: ["error": "\(error)"])
            }
        } onGracefulShutdown: {
            self.logger.info("processor stopping after the batch in flight")
        }
        try? await consumer.close()
        await sink.close()
        logger.info("processor stopped")
    }

    // MARK: Collecting a batch

    /// Polls for up to `interval` (or the batch limits; `untilCaughtUp`: until a poll finds
    /// nothing more after records came), keeping the records past each
    /// partition's checkpoint and decoding them as they arrive. Rare events — partitions
    /// assigned or revoked, a checkpoint past the log end — are handled on a careful path:
    /// after the batch in flight is committed (`settle`), everything polled is filtered
    /// again against the tables' checkpoints. Nil when nothing was polled.
    func collectBatch(consumer: KafkaConsumer, outage: BrokerOutage, admin: KafkaAdmin, untilCaughtUp: Bool = false,
                      settle: () async throws -> Void) async throws -> CollectedBatch? {
        let clock = ContinuousClock()
        let started = clock.now
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        var polled: [ConsumedBatch] = []
        var records = 0, bytes = 0
        var batch = CollectedBatch(started: started, nowMicros: now)
        var cursors = PartitionCursors()
        var pollTime = Duration.zero, decodeTime = Duration.zero
        var careful = false
        let deadline = started + configuration.interval
        // The next poll runs (on the consumer's own thread) while this one's records are
        // decoded; every poll started is awaited, so nothing it took is dropped.
        var nextPoll: Task<PollResult, any Error>?
        func startPollIfRoom() {
            guard clock.now < deadline, records < configuration.maxBatchRecords, bytes < configuration.maxBatchBytes,
                  !Task.isShuttingDownGracefully, !outage.isDown else { return }
            let limit = min(10_000, configuration.maxBatchRecords - records), timeout = min(deadline - clock.now, .milliseconds(250))
            nextPoll = Task { try await consumer.poll(maxMessages: limit, timeout: timeout) }
        }
        startPollIfRoom()
        while let polling = nextPoll {
            nextPoll = nil
            let pollStart = clock.now
            let result = try await polling.value
            pollTime += clock.now - pollStart
            for error in result.errors { outage.note(error, stats: statsBox) }
            records += result.messages.count
            bytes += result.messages.byteCount
            // Caught up: a poll found nothing more after records came.
            if !(untilCaughtUp && result.messages.isEmpty && records > 0) { startPollIfRoom() }
            guard !result.messages.isEmpty else { continue }
            polled.append(result.messages)
            if !careful, let taken = select(result.messages, cursors: &cursors, batch: &batch, assignment: consumer.assignment,
                                             consumer: consumer, careful: false) {
                let decodeStart = clock.now
                decode(result.messages, taken: taken, into: &batch)
                decodeTime += clock.now - decodeStart
            } else {
                careful = true
            }
        }
        // Records of partitions given up meanwhile must not be committed by us.
        let assignment = consumer.assignment
        if cursors.all.contains(where: { $0.seen && !assignment.contains($0.tp) }) { careful = true }
        // Partitions assigned during the poll: re-read their tables' checkpoints (another
        // processor may have committed past what we knew) and move there.
        let assigned = freshlyAssigned.withLock { started in defer { started.removeAll() }; return started }
        if !assigned.isEmpty {
            try await settle()
            // Topics at once: each DLQ scan waits for a few empty polls.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for topic in Set(assigned.keys.map(\.topic)) {
                    group.addTask {
                        try await self.reloadCheckpoint(topic: topic)
                        // Partitions taken over from a processor that died may have dead letters of
                        // its uncommitted batch in the DLQ already: find them, not to send them twice.
                        try await self.recoverDeadLetters(topic: topic)
                    }
                }
                try await group.waitForAll()
            }
            // Move only the partitions whose target differs from where reading started: a
            // seek throws away what librdkafka fetched ahead, and records before a newer
            // checkpoint are skipped below anyway.
            let targets = await seekTargets(Set(assigned.keys), admin: admin).filter { tp, target in
                guard let start = assigned[tp], start >= 0 else { return target > 0 }
                return target != start
            }
            if !targets.isEmpty { try? await consumer.seek(targets) }
            // What was taken stands if each new partition's checkpoint is still where
            // reading started (no other processor committed it meanwhile) and none moved.
            let unchanged = assigned.allSatisfy { tp, start in
                targets[tp] == nil && (checkpoints.withLock { $0[tp] } ?? 0) == max(0, start)
            }
            if !unchanged { careful = true }
        }
        var rewind: [TopicPartition: Int64] = [:]
        if careful && records > 0 {
            try await settle()
            // From scratch, against the checkpoints of the tables as they are now.
            batch = CollectedBatch(started: started, nowMicros: now)
            cursors = PartitionCursors()
            let current = consumer.assignment
            var selections: [[Int]] = []
            for chunk in polled {
                selections.append(select(chunk, cursors: &cursors, batch: &batch, assignment: current, consumer: consumer, careful: true) ?? [])
            }
            rewind = cursors.rewind
            for (chunk, taken) in zip(polled, selections) {
                let kept = rewind.isEmpty ? taken : taken.filter { !rewind.keys.contains(TopicPartition(chunk.topicNames[chunk.topicIndex(at: $0)], chunk.partition(at: $0))) }
                decode(chunk, taken: kept, into: &batch)
            }
            for tp in rewind.keys { batch.topics[tp.topic]?.next[tp.partition] = nil }
            if !rewind.isEmpty { try await consumer.seek(rewind) }
        }
        metrics.refreshLag(consumer, checkpoints: checkpoints.withLock { $0 })
        guard records > 0 else {
            metrics.idleBatch()
            return nil
        }
        logger.debug("batch polled", metadata: [
            "records": "\(records)", "bytes": "\(bytes)", "careful": "\(careful)", "seconds": "\(Self.seconds(clock.now - started))",
            "poll_s": "\(Self.seconds(pollTime))", "decode_s": "\(Self.seconds(decodeTime))"])
        // Where reading continues; a partition moved by a seek starts from its checkpoint.
        readPosition.withLock { position in
            if careful { position.removeAll() }
            for (tp, o) in batch.nextOffsets { position[tp] = o }
            for tp in rewind.keys { position[tp] = nil }
        }
        let topics = Set(batch.topics.keys)
        batch.resets = pendingResets.withLock { $0.filter { topics.contains($0.key.topic) } }
        for (topic, work) in batch.topics where !work.gaps.isEmpty {
            statsBox.withLock { $0.checkpointGaps += work.gaps.count }
            for _ in work.gaps { metrics.checkpointGap(topic) }
        }
        statsBox.withLock { stats in
            for (topic, n) in batch.skipped { stats.duplicatesSkipped[topic, default: 0] += n }
            for (topic, work) in batch.topics { stats.consumed[topic, default: 0] += work.count }
        }
        metrics.consumed(batch.topics.mapValues(\.count))
        return batch
    }

    /// Which messages of a polled chunk to take: those of assigned partitions at or past the
    /// next expected offset (the checkpoint, or where the previous batch ended). Nil (only
    /// when not `careful`) when the chunk needs the careful path.
    private func select(_ chunk: ConsumedBatch, cursors: inout PartitionCursors, batch: inout CollectedBatch,
                        assignment: Set<TopicPartition>, consumer: KafkaConsumer, careful: Bool) -> [Int]? {
        var taken: [Int] = []
        taken.reserveCapacity(chunk.count)
        let names = chunk.topicNames
        var slot = -1
        var slotKey = (topic: -1, partition: Int32(-1))
        for i in 0..<chunk.count {
            let topicIndex = chunk.topicIndex(at: i), partition = chunk.partition(at: i), offset = chunk.offset(at: i)
            if topicIndex != slotKey.topic || partition != slotKey.partition {
                slotKey = (topicIndex, partition)
                let tp = TopicPartition(names[topicIndex], partition)
                slot = cursors.slot(for: tp) {
                    let from = careful ? nil : readPosition.withLock { $0[tp] }
                    return from ?? checkpoints.withLock { $0[tp] } ?? 0
                }
            }
            var cursor = cursors.all[slot]
            defer { cursors.all[slot] = cursor }
            guard !cursor.rewound, assignment.contains(cursor.tp) else {
                if careful { continue }
                return nil
            }
            if offset < cursor.expected {
                if let marks = consumer.cachedWatermarks(cursor.tp), marks.high < cursor.expected {
                    // The log ends before our checkpoint (the fetch's high watermark is exact):
                    // the topic was recreated or the in-memory broker restarted empty.
                    guard careful else { return nil }
                    let earliest = max(0, marks.low)
                    logger.warning("checkpoint past the log end; continuing from the earliest offset", metadata: [
                        "partition": "\(cursor.tp)", "checkpoint": "\(cursor.expected)", "high": "\(marks.high)", "earliest": "\(earliest)"])
                    let checkpoint = cursor.expected
                    pendingResets.withLock { $0[cursor.tp] = CheckpointReset(from: $0[cursor.tp]?.from ?? checkpoint, to: earliest) }
                    checkpoints.withLock { $0[cursor.tp] = earliest }
                    statsBox.withLock { $0.checkpointGaps += 1 }
                    metrics.checkpointGap(cursor.tp.topic)
                    cursor.expected = earliest
                    if offset != earliest {
                        // Read from the earliest offset next batch; nothing of this
                        // partition from this poll is used (it may start later).
                        cursor.rewound = true
                        cursors.rewind[cursor.tp] = earliest
                        continue
                    }
                } else {
                    batch.skipped[cursor.tp.topic, default: 0] += 1
                    continue
                }
            }
            if !cursor.seen, offset > cursor.expected, cursor.expected > 0 || offset > 0 {
                // Records between the checkpoint and the first available offset are gone
                // (retention ran): say so, never silently.
                logger.warning("records before offset \(offset) of \(cursor.tp) are no longer in Kafka (checkpoint \(cursor.expected))")
                if let schema = schemas[cursor.tp.topic] {
                    batch.topics[schema.topic, default: TopicWork(schema: schema, nowMicros: batch.nowMicros)]
                        .gaps.append("\(partition):\(cursor.expected)->\(offset)")
                }
            }
            cursor.seen = true
            cursor.expected = offset + 1
            taken.append(i)
        }
        return taken
    }

    /// Decodes the taken messages of a chunk into their topics' decoders.
    private func decode(_ chunk: ConsumedBatch, taken: [Int], into batch: inout CollectedBatch) {
        guard !taken.isEmpty else { return }
        let names = chunk.topicNames
        let known = schemas
        chunk.withStorageBytes { storage in
            var topicIndex = -1
            var work: TopicWork?
            func flush() {
                if let done = work { batch.topics[done.schema.topic] = done }
                work = nil
            }
            for i in taken {
                let t = chunk.topicIndex(at: i)
                if t != topicIndex {
                    flush()
                    topicIndex = t
                    guard let schema = known[names[t]] else { continue }
                    work = batch.topics.removeValue(forKey: schema.topic) ?? TopicWork(schema: schema, nowMicros: batch.nowMicros)
                }
                guard work != nil else { continue }
                let partition = chunk.partition(at: i), offset = chunk.offset(at: i)
                let value = UnsafeRawBufferPointer(rebasing: storage[chunk.valueRange(at: i)])
                if let rejection = work?.decoder.append(value, partition: partition, offset: offset) {
                    work?.rejected.append((chunk[i], rejection))
                }
                work?.count += 1
                work?.next[partition] = offset + 1
            }
            flush()
        }
    }

    // MARK: Committing a batch

    /// Commits a collected batch: per topic dead letters then the table commit, tables in
    /// parallel up to `parallelism`. Returns the committed next offsets.
    func commitBatch(_ batch: CollectedBatch, producer: KafkaProducer) async throws -> [TopicPartition: Int64] {
        var committedOffsets: [TopicPartition: Int64] = [:]
        try await withThrowingTaskGroup(of: [TopicPartition: Int64].self) { group in
            var running = 0
            for (_, work) in batch.topics.sorted(by: { $0.key < $1.key }) where work.count > 0 {
                if running >= configuration.parallelism, let done = try await group.next() {
                    committedOffsets.merge(done) { max($0, $1) }
                    running -= 1
                }
                let resets = batch.resets.filter { $0.key.topic == work.schema.topic }
                group.addTask { try await self.commitTopic(work, resets: resets, now: batch.nowMicros, producer: producer) }
                running += 1
            }
            for try await done in group { committedOffsets.merge(done) { max($0, $1) } }
        }
        let elapsed = ContinuousClock.now - batch.started
        statsBox.withLock {
            $0.batches += 1
            $0.lastBatchSeconds = Self.seconds(elapsed)
        }
        metrics.batchCompleted(elapsed)
        return committedOffsets
    }

    /// Dead-letters a topic's rejected records, then commits the rest with the new
    /// checkpoint; returns the committed next offsets.
    private func commitTopic(_ work: TopicWork, resets: [TopicPartition: CheckpointReset], now: Int64,
                             producer: KafkaProducer) async throws -> [TopicPartition: Int64] {
        let schema = work.schema
        let rejected = work.rejected
        logger.debug("batch decoded", metadata: ["topic": "\(schema.topic)", "records": "\(work.count)", "rejected": "\(rejected.count)"])
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
            return try await commitDecoded(work, resets: resets, dlqEnd: dlqEnd, now: now)
        } catch {
            rememberSent()
            throw error
        }
    }

    /// Commits a decoded batch with its checkpoint (after its dead letters were sent).
    private func commitDecoded(
        _ work: TopicWork, resets: [TopicPartition: CheckpointReset], dlqEnd: [Int32: Int64], now: Int64
    ) async throws -> [TopicPartition: Int64] {
        let topic = work.schema.topic
        let next = work.next
        await Failpoints.pause("after-dead-letters")
        var expected = try await currentCheckpoint(topic: topic)
        var checkpoint = expected.merging(next)
        // Resets past the log end: the table still holds the old offset (expected); the new
        // checkpoint starts from where reading resumed, and the commit records the gap.
        var gaps = work.gaps
        for (tp, reset) in resets.sorted(by: { $0.key < $1.key }) {
            expected.offsets[tp.partition] = reset.from
            checkpoint.offsets[tp.partition] = max(reset.to, next[tp.partition] ?? reset.to)
            gaps.append("\(tp.partition):\(reset.from)->\(reset.to)")
        }
        let batchID = try await sink.newBatchID(topic: topic)
        var decoder = work.decoder
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
            stats.committed[topic, default: 0] += work.count
            stats.deadLettered[topic, default: 0] += work.rejected.count
            stats.commits[topic, default: 0] += 1
            stats.lastCommitSeconds = Self.seconds(elapsed)
        }
        metrics.committed(topic, written: batch.count, rejected: work.rejected.map(\.1))
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
        readPosition.withLock { $0.removeAll() }
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

extension StreamProcessor {
    /// Fetching for batch reading (librdkafka's defaults suit small messages at low
    /// latency): up to 8 MiB per partition and 64 MiB per fetch; up to 128 MiB (or a
    /// million messages per partition) fetched ahead while a batch is decoded or committed;
    /// and fetching resumes 20 ms after that queue drained, not librdkafka's 1 s
    /// (`fetch.queue.backoff.ms`, which left the processor waiting ~0.8 s after every
    /// ~180k records). Settings in the configuration win.
    public static let consumerTuning: [String: String] = [
        "max.partition.fetch.bytes": "\(8 << 20)",
        "fetch.max.bytes": "\(64 << 20)",
        "queued.max.messages.kbytes": "\(128 << 10)",
        "queued.min.messages": "1000000",
        "fetch.queue.backoff.ms": "20",
    ]

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// A checkpoint found past the log end and moved back to the earliest offset.
struct CheckpointReset: Sendable {
    var from: Int64
    var to: Int64
}

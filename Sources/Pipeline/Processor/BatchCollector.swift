import Foundation
import KafkaClient

/// Collects one micro-batch: polls for up to `interval` (or the batch limits), keeping the
/// records the offset filter takes and decoding them as they arrive, while the batch
/// before may still be committing. Rare events — partitions assigned or revoked, a
/// checkpoint past the log end — take a careful path: after the batch in flight is
/// committed (`settle`), everything polled is filtered again against the tables' checkpoints.
struct BatchCollector {
    /// Raw bytes of a batch's polls kept for the careful path. A big batch's polls are
    /// released once decoded (they were ~140 MB of a 500k-record batch, alive while the batch
    /// before was committed); when such a batch turns careful, it is read again instead.
    static let keptPollBytes = 16 << 20

    let state: ProcessorState
    let recovery: CheckpointRecovery
    let consumer: any ConsumerClient
    let admin: any AdminClient
    let outage: BrokerOutage

    /// The next batch; nil when nothing was polled. With `untilCaughtUp` the batch ends as
    /// soon as a poll finds nothing more after records came (not after a whole interval).
    func collect(untilCaughtUp: Bool = false, settle: () async throws -> Void) async throws -> CollectedBatch? {
        let configuration = state.configuration
        let clock = ContinuousClock()
        let started = clock.now
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        // What was polled, kept to be filtered again on the careful path, while it is small
        // (see `keptPollBytes`); past that nothing is kept and `polledKept` turns false.
        var polled: [ConsumedBatch] = []
        var polledKept = true
        var records = 0, bytes = 0
        var batch = CollectedBatch(started: started, nowMicros: now)
        var filter = OffsetFilter(careful: false)
        var stages = StageSeconds()
        var careful = false
        let deadline = started + configuration.interval
        let consumer = self.consumer
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
            stages.poll += StreamProcessor.seconds(clock.now - pollStart)
            for error in result.errors where !state.denials.note(error, access: .read) {
                outage.note(error, stats: state.stats)
            }
            records += result.messages.count
            bytes += result.messages.byteCount
            // Caught up: a poll found nothing more after records came.
            if !(untilCaughtUp && result.messages.isEmpty && records > 0) { startPollIfRoom() }
            guard !result.messages.isEmpty else { continue }
            if polledKept && polled.reduce(result.messages.byteCount, { $0 + $1.byteCount }) <= Self.keptPollBytes {
                polled.append(result.messages)
            } else {
                polled.removeAll()
                polledKept = false
            }
            if !careful, let taken = select(result.messages, &filter) {
                decode(result.messages, taken: taken, into: &batch, stages: &stages)
            } else {
                careful = true
            }
        }
        // Records of partitions given up meanwhile must not be committed by us.
        let assignment = consumer.assignment
        if filter.cursors.contains(where: { $0.seen && !assignment.contains($0.tp) }) { careful = true }
        let takenStands = try await checkFreshAssignments(settle: settle)
        if !takenStands { careful = true }
        if careful && records > 0 && !polledKept {
            // Too much was polled to keep it for filtering again: it is read again from the
            // tables' checkpoints, as after a failed batch (nothing of it was committed).
            try await settle()
            try await recovery.seekToCheckpoints(consumer, admin: admin)
            state.stats.withLock { $0.stages += stages }
            state.logger.debug("batch dropped after a rebalance; reading again from the checkpoints", metadata: ["records": "\(records)"])
            return nil
        }
        if careful && records > 0 {
            try await settle()
            // From scratch, against the checkpoints of the tables as they are now.
            batch = CollectedBatch(started: started, nowMicros: now)
            filter = OffsetFilter(careful: true)
            let selections = polled.map { select($0, &filter) ?? [] }
            let rewind = filter.rewind
            for (chunk, taken) in zip(polled, selections) {
                let kept = rewind.isEmpty ? taken : taken.filter { !rewind.keys.contains(TopicPartition(chunk.topicNames[chunk.topicIndex(at: $0)], chunk.partition(at: $0))) }
                decode(chunk, taken: kept, into: &batch, stages: &stages)
            }
            for tp in rewind.keys { batch.topics[tp.topic]?.next[tp.partition] = nil }
            recordPastLogEnd(filter.pastLogEnd)
            if !rewind.isEmpty { try await consumer.seek(rewind) }
        }
        state.metrics.refreshLag(consumer, checkpoints: state.ledger.withLock { $0.allCheckpoints })
        state.stats.withLock { $0.stages += stages }
        guard records > 0 else {
            state.metrics.idleBatch()
            return nil
        }
        state.logger.debug("batch polled", metadata: [
            "records": "\(records)", "bytes": "\(bytes)", "careful": "\(careful)", "seconds": "\(StreamProcessor.seconds(clock.now - started))",
            "poll_s": "\(stages.poll)", "decode_s": "\(stages.decode)"])
        finish(&batch, filter: filter, careful: careful)
        return batch
    }

    /// Partitions assigned during the poll: re-reads their tables' checkpoints (another
    /// processor may have committed past what we knew) and moves there. False when what
    /// was taken may not stand (a checkpoint moved, or a partition was sought).
    private func checkFreshAssignments(settle: () async throws -> Void) async throws -> Bool {
        let assigned = state.ledger.withLock { $0.takeFreshlyAssigned() }
        guard !assigned.isEmpty else { return true }
        try await settle()
        // Topics at once: each DLQ scan waits for a few empty polls.
        let recovery = self.recovery
        try await withThrowingTaskGroup(of: Void.self) { group in
            for topic in Set(assigned.keys.map(\.topic)) {
                group.addTask {
                    try await recovery.reload(topic: topic)
                    // Partitions taken over from a processor that died may have dead letters of
                    // its uncommitted batch in the DLQ already: find them, not to send them twice.
                    try await recovery.recoverDeadLetters(topic: topic)
                }
            }
            try await group.waitForAll()
        }
        // Move only the partitions whose target differs from where reading started: a
        // seek throws away what librdkafka fetched ahead, and records before a newer
        // checkpoint are skipped anyway.
        let targets = await recovery.seekTargets(Set(assigned.keys), admin: admin).filter { tp, target in
            guard let start = assigned[tp], start >= 0 else { return target > 0 }
            return target != start
        }
        if !targets.isEmpty { try? await consumer.seek(targets) }
        // What was taken stands if each new partition's checkpoint is still where reading
        // started (no other processor committed it meanwhile) and none moved.
        let ledger = state.ledger.withLock { $0 }
        return assigned.allSatisfy { tp, start in targets[tp] == nil && (ledger.checkpoint(tp) ?? 0) == max(0, start) }
    }

    private func select(_ chunk: ConsumedBatch, _ filter: inout OffsetFilter) -> [Int]? {
        let careful = filter.careful
        return filter.select(
            chunk, assignment: consumer.assignment,
            nextOffset: { tp in state.ledger.withLock { $0.nextOffset(tp, careful: careful) } },
            watermarks: { tp in consumer.cachedWatermarks(tp) })
    }

    /// Checkpoints found past the log end: reading goes on from the earliest offset, and
    /// the gap is logged, counted and recorded by the partition's next commit.
    private func recordPastLogEnd(_ found: [TopicPartition: OffsetFilter.PastLogEnd]) {
        for (tp, reset) in found.sorted(by: { $0.key < $1.key }) {
            state.logger.warning("checkpoint past the log end; continuing from the earliest offset", metadata: [
                "partition": "\(tp)", "checkpoint": "\(reset.checkpoint)", "high": "\(reset.high)", "earliest": "\(reset.earliest)"])
            state.ledger.withLock { $0.resetPastLogEnd(tp, checkpoint: reset.checkpoint, earliest: reset.earliest) }
            state.stats.withLock { $0.checkpointGaps += 1 }
            state.metrics.checkpointGap(tp.topic)
        }
    }

    /// Where reading continues, the gaps and resets the batch's commits record, counters.
    private func finish(_ batch: inout CollectedBatch, filter: OffsetFilter, careful: Bool) {
        for (tp, gap) in filter.gaps {
            guard let schema = state.schemas[tp.topic] else { continue }
            // Records between the checkpoint and the first available offset are gone
            // (retention ran): say so, never silently.
            state.logger.warning("records before offset \(gap.to) of \(tp) are no longer in Kafka (checkpoint \(gap.from))")
            batch.topics[schema.topic, default: TopicWork(schema: schema, nowMicros: batch.nowMicros)].gaps.append(gap)
        }
        batch.skipped = filter.skipped
        let rewound = Set(filter.rewind.keys)
        let next = batch.nextOffsets
        let topics = Set(batch.topics.keys)
        batch.resets = state.ledger.withLock { ledger in
            ledger.collected(next: next, rewound: rewound, careful: careful)
            return ledger.resets(topics: topics)
        }
        state.stats.withLock { stats in
            for work in batch.topics.values { stats.checkpointGaps += work.gaps.count }
            for (topic, n) in batch.skipped { stats.duplicatesSkipped[topic, default: 0] += n }
            for (topic, work) in batch.topics {
                stats.consumed[topic, default: 0] += work.count
                if work.decoder.tombstones > 0 { stats.tombstonesSkipped[topic, default: 0] += work.decoder.tombstones }
            }
        }
        for (topic, work) in batch.topics {
            for _ in work.gaps { state.metrics.checkpointGap(topic) }
            if work.decoder.tombstones > 0 { state.metrics.tombstonesSkipped(topic, work.decoder.tombstones) }
        }
        state.metrics.consumed(batch.topics.mapValues(\.count))
    }

    /// Decodes the taken messages of a chunk into their topics' decoders (the `decode`
    /// stage: one pair of clock reads per chunk).
    private func decode(_ chunk: ConsumedBatch, taken: [Int], into batch: inout CollectedBatch, stages: inout StageSeconds) {
        guard !taken.isEmpty else { return }
        let start = ContinuousClock.now, cpuStart = StageSeconds.threadCPUNow()
        defer {
            stages.decode += StreamProcessor.seconds(ContinuousClock.now - start)
            stages.decodeCPU += StageSeconds.threadCPUNow() - cpuStart
        }
        let names = chunk.topicNames
        let known = state.schemas
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
                    // Its own copy: a view would keep the whole poll's bytes until the commit.
                    work?.rejected.append((chunk[i].detached(), rejection))
                }
                work?.count += 1
                work?.next[partition] = offset + 1
            }
            flush()
        }
    }
}

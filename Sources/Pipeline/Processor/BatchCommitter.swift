import KafkaClient

/// Commits a collected batch: per topic, its dead letters (acknowledged by the broker)
/// and then the table commit with the new checkpoint, tables in parallel up to
/// `parallelism`. Storage errors are retried with backoff without reading Kafka again; a
/// checkpoint conflict (another processor committed the partitions) fails the batch at once.
struct BatchCommitter: Sendable {
    /// One topic's commit, as its child task returns it. A struct, not a tuple: release builds
    /// (Swift 6.3.1) crashed copying a `(String, Result<_, any Error>)` child result into the
    /// waiting parent (`TaskGroupBase::prepareWaitingTaskWithTask`).
    private struct TopicOutcome: Sendable {
        let topic: String
        let result: Result<[TopicPartition: Int64], any Error>
    }

    let state: ProcessorState
    let sink: any TableSink
    let recovery: CheckpointRecovery

    /// Returns the committed next offsets.
    func commit(_ batch: CollectedBatch, producer: any ProducerClient) async throws -> [TopicPartition: Int64] {
        var committedOffsets: [TopicPartition: Int64] = [:]
        let parallelism = state.configuration.parallelism
        // Every topic's commit runs to its end even when another one fails, so one topic in
        // trouble (storage, a refused dead-letter topic) does not hold the others back.
        var failures: [(topic: String, error: any Error)] = []
        await withTaskGroup(of: TopicOutcome.self) { group in
            var running = 0
            func collect(_ outcome: TopicOutcome) {
                running -= 1
                switch outcome.result {
                case .success(let done): committedOffsets.merge(done) { max($0, $1) }
                case .failure(let error): failures.append((outcome.topic, error))
                }
            }
            for (_, work) in batch.topics.sorted(by: { $0.key < $1.key }) where work.count > 0 {
                if running >= parallelism, let done = await group.next() { collect(done) }
                let resets = batch.resets.filter { $0.key.topic == work.schema.topic }
                group.addTask {
                    do {
                        return TopicOutcome(topic: work.schema.topic,
                                            result: .success(try await self.commitTopic(work, resets: resets, now: batch.nowMicros, producer: producer)))
                    } catch {
                        return TopicOutcome(topic: work.schema.topic, result: .failure(error))
                    }
                }
                running += 1
            }
            while let done = await group.next() { collect(done) }
        }
        if !failures.isEmpty {
            let refused = failures.filter { state.denials.note($0.error, access: .write, sourceTopic: $0.topic) }
            if let other = failures.first(where: { failure in !refused.contains { $0.topic == failure.topic } }) {
                throw other.error
            }
            throw TopicsNotAuthorized(topics: refused.map(\.topic))
        }
        let elapsed = ContinuousClock.now - batch.started
        state.stats.withLock {
            $0.batches += 1
            $0.lastBatchSeconds = StreamProcessor.seconds(elapsed)
        }
        state.metrics.batchCompleted(elapsed)
        return committedOffsets
    }

    /// Dead-letters a topic's rejected records, then commits the rest with the new
    /// checkpoint; returns the committed next offsets.
    private func commitTopic(_ work: TopicWork, resets: [TopicPartition: CheckpointReset], now: Int64,
                             producer: any ProducerClient) async throws -> [TopicPartition: Int64] {
        state.logger.debug("batch decoded", metadata: ["topic": "\(work.schema.topic)", "records": "\(work.count)", "rejected": "\(work.rejected.count)"])
        // Dead letters first, acknowledged by the broker, so a commit never covers a
        // rejected record that is not in the DLQ.
        let skip = state.ledger.withLock { $0.deadLettered }
        var dlqEnd: [Int32: Int64] = [:]
        // Dead letters acknowledged in this attempt: if the batch then fails before its
        // commit, the retry must not send them again.
        var sent: [TopicPartition: Set<Int64>] = [:]
        do {
            try await withThrowingTaskGroup(of: (TopicPartition, Int64, DeliveryReport).self) { group in
                for (message, rejection) in work.rejected {
                    if skip[message.topicPartition]?.contains(message.offset) == true { continue }
                    group.addTask {
                        let report = try await producer.send(
                            topic: work.schema.deadLetterTopic, key: message.key.map(Array.init), value: Array(message.value),
                            headers: DeadLetterHeader.make(message, rejection), partition: nil)
                        return (message.topicPartition, message.offset, report)
                    }
                }
                // Every send is awaited even after one failed, so the letters delivered beside
                // it are remembered (and not sent again when the batch is read again).
                var failure: (any Error)?
                while let outcome = await group.nextResult() {
                    switch outcome {
                    case .success(let (source, offset, report)):
                        sent[source, default: []].insert(offset)
                        dlqEnd[report.partition] = max(dlqEnd[report.partition] ?? 0, report.offset + 1)
                    case .failure(let error):
                        failure = failure ?? error
                    }
                }
                if let failure { throw failure }
            }
            if !work.rejected.isEmpty { state.denials.writeSucceeded(deadLetterTopic: work.schema.deadLetterTopic) }
            return try await commitDecoded(work, resets: resets, dlqEnd: dlqEnd, now: now)
        } catch {
            if !sent.isEmpty { state.ledger.withLock { $0.rememberDeadLettered(sent) } }
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
        var expected = try await recovery.current(topic: topic)
        var checkpoint = expected.merging(next)
        // Resets past the log end: the table still holds the old offset (expected); the new
        // checkpoint starts from where reading resumed, and the commit records the gap.
        var gaps = work.gaps
        for (tp, reset) in resets.sorted(by: { $0.key < $1.key }) {
            expected.offsets[tp.partition] = reset.from
            checkpoint.offsets[tp.partition] = max(reset.to, next[tp.partition] ?? reset.to)
            gaps.append(CheckpointGap(partition: tp.partition, from: reset.from, to: reset.to))
        }
        var stages = StageSeconds()
        var committedCount = 0
        // Each attempt takes a new batch id (the instant): a failed attempt's instant is
        // rolled back, and one another writer overtook can no longer complete.
        let prepare: () async throws -> CommitRequest = {
            let batchID = try await sink.newBatchID(topic: topic)
            var decoder = work.decoder
            let finishStart = ContinuousClock.now, finishCPUStart = StageSeconds.threadCPUNow()
            let batch = decoder.finish(batchID: batchID, ingestedAtMicros: now)
            stages.decode += StreamProcessor.seconds(ContinuousClock.now - finishStart)
            stages.decodeCPU += StageSeconds.threadCPUNow() - finishCPUStart
            committedCount = batch.count
            var request = CommitRequest(topic: topic, records: batch, expected: expected, checkpoint: checkpoint, batchID: batchID)
            (request.deadLetterEnds, request.gaps) = (dlqEnd, gaps)
            return request
        }
        await Failpoints.pause("before-commit")
        let commitStart = ContinuousClock.now
        try await commitWithRetries(topic: topic, prepare)
        let elapsed = ContinuousClock.now - commitStart
        state.ledger.withLock { $0.committed(topic: topic, next: next, resets: Set(resets.keys)) }
        // After the ledger moved: no suspension between the commit and its bookkeeping.
        stages += await sink.takeStageSeconds()
        state.stats.withLock { stats in
            stats.written[topic, default: 0] += committedCount
            stats.committed[topic, default: 0] += work.count
            stats.deadLettered[topic, default: 0] += work.rejected.count
            stats.commits[topic, default: 0] += 1
            stats.lastCommitSeconds = StreamProcessor.seconds(elapsed)
            stats.stages += stages
        }
        state.metrics.committed(topic, written: committedCount, rejected: work.rejected.map(\.1))
        return Dictionary(uniqueKeysWithValues: next.map { (TopicPartition(topic, $0.key), $0.value) })
    }

    /// The table commit, retried on storage errors and write conflicts with exponential
    /// backoff (plus jitter) up to `commitAttempts`, each attempt with a request `prepare`
    /// makes; a checkpoint conflict reloads the checkpoint and fails.
    private func commitWithRetries(topic: String, _ prepare: () async throws -> CommitRequest) async throws {
        let configuration = state.configuration
        var backoff = configuration.initialBackoff
        for attempt in 1...configuration.commitAttempts {
            do {
                try await sink.commit(try await prepare())
                return
            } catch let conflict as CheckpointConflict {
                state.stats.withLock { $0.conflicts += 1 }
                try await recovery.reload(topic: topic)
                throw conflict
            } catch {
                // Storage trouble, or another writer's commit overtook this one: retry (a new
                // instant); Kafka is not read again.
                state.metrics.commitFailed(topic)
                guard attempt < configuration.commitAttempts else { throw error }
                state.stats.withLock { $0.commitRetries += 1 }
                state.logger.warning("commit of \(topic) failed (attempt \(attempt)); retrying in \(backoff)", metadata: ["error": "\(error)"])
                try await Task.sleep(for: backoff + .milliseconds(Int64.random(in: 0...50)))
                backoff = min(backoff * 2, .seconds(10))
            }
        }
    }
}

import KafkaClient

/// Where reading resumes: the tables' checkpoints (read into the ledger, sought to,
/// checked against the log end) and the dead letters an uncommitted batch already sent.
struct CheckpointRecovery: Sendable {
    let state: ProcessorState
    let sink: any TableSink
    let kafka: any KafkaClients

    /// Reads the table's checkpoint into the ledger.
    func reload(topic: String) async throws {
        let stored = try await sink.checkpoint(topic: topic)
        state.ledger.withLock { $0.reload(stored) }
    }

    /// The checkpoint a commit of `topic` starts from: ours for the partitions we know,
    /// the table's own for partitions we never saw (kept as they are).
    func current(topic: String) async throws -> KafkaCheckpoint {
        let offsets = state.ledger.withLock { $0.checkpoints(topic: topic) }
        let stored = try await sink.checkpoint(topic: topic)
        return KafkaCheckpoint(topic: topic, offsets: stored.offsets.merging(offsets) { _, ours in ours })
    }

    /// Moves every assigned partition to its table's checkpoint (read again).
    func seekToCheckpoints(_ consumer: any ConsumerClient, admin: any AdminClient) async throws {
        state.ledger.withLock { $0.clearReadPositions() }
        let assigned = consumer.assignment
        for topic in Set(assigned.map(\.topic)) { try await reload(topic: topic) }
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
    func seekTargets(_ partitions: Set<TopicPartition>, admin: any AdminClient) async -> [TopicPartition: Int64] {
        var targets = state.ledger.withLock { $0.seekTargets(partitions) }
        for (tp, checkpoint) in targets where checkpoint > 0 {
            guard let marks = try? await admin.watermarks(tp), marks.high < checkpoint else { continue }
            targets[tp] = max(0, marks.low, marks.high - 1)
            state.logger.debug("checkpoint beyond the reported log end; verifying from the last batch",
                               metadata: ["partition": "\(tp)", "checkpoint": "\(checkpoint)", "reported": "\(marks.high)"])
        }
        return targets
    }

    /// Finds records an uncommitted batch dead-lettered before a crash: they are in the
    /// DLQ past the end offsets recorded with the last commit. The scan reads each DLQ
    /// partition up to the end the broker reported when it began (every letter of a batch
    /// that is no longer running was acknowledged before that), then until a poll comes back
    /// empty (the rest of the last fetched record batch); a slow broker makes it wait, never
    /// stop early. It gives up after `deadLetterScanTimeout`, failing the batch.
    func recoverDeadLetters(topic: String) async throws {
        guard let schema = state.schemas[topic] else { return }
        let ends = try await sink.deadLetterEnds(topic: topic)
        let admin = try kafka.admin(operationTimeout: nil)
        guard let info = try await admin.metadata().topic(schema.deadLetterTopic), info.error == nil else { return }
        var assignment: [TopicPartition: Int64?] = [:]
        var targets: [TopicPartition: Int64] = [:]
        for p in info.partitions {
            let tp = TopicPartition(schema.deadLetterTopic, p.id)
            let start = ends.scanStart(dlqPartition: p.id)
            assignment[tp] = start
            let marks = try await admin.watermarks(tp)
            if marks.high > max(start, marks.low) { targets[tp] = marks.high }
        }
        let reader = try kafka.consumer(groupID: nil, settings: [:], hooks: RebalanceHooks())
        try reader.assign(assignment)
        let checkpoint = try await sink.checkpoint(topic: topic)
        var found: [TopicPartition: Set<Int64>] = [:]
        var reached: [TopicPartition: Int64] = [:]
        let timings = state.configuration.timings
        let deadline = ContinuousClock.now + timings.deadLetterScanTimeout
        while true {
            let result = try await reader.poll(maxMessages: 10_000, timeout: timings.deadLetterScanPoll)
            let caughtUp = targets.allSatisfy { tp, end in (reached[tp] ?? 0) >= end }
            if result.messages.isEmpty && caughtUp { break }
            guard ContinuousClock.now < deadline else {
                throw DeadLetterScanIncomplete(topic: schema.deadLetterTopic, reached: reached, targets: targets)
            }
            for m in result.messages {
                reached[m.topicPartition] = max(reached[m.topicPartition] ?? 0, m.offset + 1)
                guard let p = m.header(DeadLetterHeader.sourcePartition).flatMap(Int32.init),
                      let o = m.header(DeadLetterHeader.sourceOffset).flatMap(Int64.init),
                      m.header(DeadLetterHeader.sourceTopic) == topic,
                      o >= (checkpoint.offsets[p] ?? 0) else { continue }
                found[TopicPartition(topic, p), default: []].insert(o)
            }
        }
        if !found.isEmpty {
            state.logger.info("dead letters of an uncommitted batch found; they will not be sent again",
                              metadata: ["topic": "\(topic)", "count": "\(found.values.reduce(0) { $0 + $1.count })"])
            state.ledger.withLock { $0.rememberDeadLettered(found) }
        }
    }
}

/// The dead-letter topic could not be read to its end in time: the batch fails (and is
/// read again) rather than risk sending a letter twice.
struct DeadLetterScanIncomplete: Error, CustomStringConvertible {
    let topic: String
    let reached: [TopicPartition: Int64]
    let targets: [TopicPartition: Int64]

    var description: String {
        let behind = targets.filter { (reached[$0.key] ?? 0) < $0.value }.sorted { $0.key < $1.key }
            .map { "\($0.key.partition): at \(reached[$0.key] ?? 0) of \($0.value)" }
        return "dead-letter topic \(topic) not read to its end in time (\(behind.joined(separator: ", ")))"
    }
}

import KafkaClient

/// What the processor knows per Kafka partition, as one value with its transitions: the
/// checkpoint its table committed, where the next batch goes on reading, where reading
/// started after an assignment, a checkpoint found past the log end (a gap to record),
/// and dead letters already in the DLQ for offsets no commit covers yet.
///
/// Pure: no I/O, no locks (the processor keeps it in one `Mutex`); every rule about
/// offsets that does not need Kafka or the tables lives here.
struct PartitionLedger: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        /// Next offset as committed in the table (nil: the table has none).
        var checkpoint: Int64?
        /// Where the next batch continues (one past the last record collected), while the
        /// batch before it may still be committing; nil after a seek (read from the checkpoint).
        var readPosition: Int64?
        /// A checkpoint past the log end, reset to the earliest offset: until a commit
        /// records it, the table still holds `from`; reading resumed at `to`.
        var reset: CheckpointReset?
        /// Offsets whose dead letters are in the DLQ while no commit covers them (a failed
        /// attempt, or a crashed processor's batch): not to be sent again.
        var deadLettered: Set<Int64> = []
    }

    private(set) var entries: [TopicPartition: Entry] = [:]
    /// Partitions assigned since the last batch, with the offset reading started from.
    private(set) var freshlyAssigned: [TopicPartition: Int64] = [:]

    subscript(tp: TopicPartition) -> Entry { entries[tp] ?? Entry() }

    // MARK: Checkpoints

    func checkpoint(_ tp: TopicPartition) -> Int64? { entries[tp]?.checkpoint }

    /// The checkpoints of one topic's partitions.
    func checkpoints(topic: String) -> [Int32: Int64] {
        var offsets: [Int32: Int64] = [:]
        for (tp, entry) in entries where tp.topic == topic {
            if let checkpoint = entry.checkpoint { offsets[tp.partition] = checkpoint }
        }
        return offsets
    }

    var allCheckpoints: [TopicPartition: Int64] { entries.compactMapValues(\.checkpoint) }

    /// The table's checkpoint as just read: replaces what was known of the topic.
    mutating func reload(_ stored: KafkaCheckpoint) {
        for (tp, entry) in entries where tp.topic == stored.topic && entry.checkpoint != nil { entries[tp]?.checkpoint = nil }
        for (p, o) in stored.offsets { entries[TopicPartition(stored.topic, p), default: Entry()].checkpoint = o }
    }

    // MARK: Reading

    /// A partition assigned in a rebalance: reading starts at its checkpoint (-2, the
    /// beginning, when the table has none); its checkpoint is checked again before the
    /// next batch is taken.
    mutating func assign(_ tp: TopicPartition) -> Int64 {
        let start = entries[tp]?.checkpoint ?? -2
        freshlyAssigned[tp] = start
        entries[tp, default: Entry()].readPosition = nil
        return start
    }

    /// The partitions assigned since the last call, with their start offsets.
    mutating func takeFreshlyAssigned() -> [TopicPartition: Int64] {
        defer { freshlyAssigned.removeAll() }
        return freshlyAssigned
    }

    /// The next offset to take from `tp`: where the previous batch ended, or (`careful`,
    /// or none) the checkpoint, or 0.
    func nextOffset(_ tp: TopicPartition, careful: Bool) -> Int64 {
        let entry = entries[tp]
        return (careful ? nil : entry?.readPosition) ?? entry?.checkpoint ?? 0
    }

    /// Where to seek each partition to read it from its checkpoint (0 when none).
    func seekTargets(_ partitions: Set<TopicPartition>) -> [TopicPartition: Int64] {
        partitions.reduce(into: [:]) { $0[$1] = entries[$1]?.checkpoint ?? 0 }
    }

    /// The consumer moved to the checkpoints: no batch continues from where one ended.
    mutating func clearReadPositions() {
        for tp in entries.keys { entries[tp]?.readPosition = nil }
    }

    /// A batch was collected: the next one continues after it, except in partitions that
    /// must be read again from a rewind (and, after the careful path, in every partition
    /// the batch did not take from: they read from their checkpoints).
    mutating func collected(next: [TopicPartition: Int64], rewound: Set<TopicPartition>, careful: Bool) {
        if careful { clearReadPositions() }
        for (tp, o) in next { entries[tp, default: Entry()].readPosition = o }
        for tp in rewound { entries[tp]?.readPosition = nil }
    }

    // MARK: Gaps

    /// `tp`'s checkpoint lay past the log end: reading goes on from `earliest`, and the
    /// next commit of the partition records the gap from the checkpoint the table holds.
    mutating func resetPastLogEnd(_ tp: TopicPartition, checkpoint: Int64, earliest: Int64) {
        var entry = entries[tp] ?? Entry()
        entry.reset = CheckpointReset(from: entry.reset?.from ?? checkpoint, to: earliest)
        entry.checkpoint = earliest
        entries[tp] = entry
    }

    /// Resets not yet recorded by a commit, of partitions of `topics`.
    func resets(topics: Set<String>) -> [TopicPartition: CheckpointReset] {
        var out: [TopicPartition: CheckpointReset] = [:]
        for (tp, entry) in entries where topics.contains(tp.topic) {
            if let reset = entry.reset { out[tp] = reset }
        }
        return out
    }

    // MARK: Dead letters

    /// Dead letters known to be in the DLQ per partition, for offsets not committed yet.
    var deadLettered: [TopicPartition: Set<Int64>] {
        entries.compactMapValues { $0.deadLettered.isEmpty ? nil : $0.deadLettered }
    }

    mutating func rememberDeadLettered(_ found: [TopicPartition: Set<Int64>]) {
        for (tp, offsets) in found where !offsets.isEmpty { entries[tp, default: Entry()].deadLettered.formUnion(offsets) }
    }

    // MARK: Commits

    /// A table commit of `topic` moved its partitions to `next` and recorded `resets`: the
    /// checkpoints advance, dead letters below them are settled (later ones — a crashed
    /// batch that went further than this one — are still to be skipped), resets are done.
    mutating func committed(topic: String, next: [Int32: Int64], resets: Set<TopicPartition>) {
        for (p, end) in next {
            let tp = TopicPartition(topic, p)
            var entry = entries[tp] ?? Entry()
            entry.checkpoint = max(entry.checkpoint ?? 0, end)
            entry.deadLettered = entry.deadLettered.filter { $0 >= end }
            entries[tp] = entry
        }
        for tp in resets { entries[tp]?.reset = nil }
    }
}

/// A checkpoint found past the log end and moved back to the earliest offset.
struct CheckpointReset: Sendable, Equatable {
    var from: Int64
    var to: Int64
}

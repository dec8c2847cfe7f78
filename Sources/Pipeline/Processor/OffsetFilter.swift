import KafkaClient

/// Which polled records a batch takes: per partition, those at or past the next expected
/// offset (the checkpoint, or where the previous batch ended), of partitions still
/// assigned. Records below it are skipped (read again after a restart or seek); a first
/// record past it means records were lost to retention (a gap, never silent); records
/// below it while the fetch's high watermark is below it too mean the checkpoint lies past
/// the log end (the topic was recreated, an in-memory broker restarted).
///
/// The fast path (`careful` false) gives up — returns nil — on anything rare (a record of
/// a partition no longer assigned, a checkpoint past the log end), and the collector then
/// filters everything polled again on the careful path, which settles those cases. Pure:
/// what it finds is returned in its properties for the caller to act on.
struct OffsetFilter {
    struct Cursor {
        let tp: TopicPartition
        /// The next offset to take.
        var expected: Int64
        /// Whether a record of the partition was taken in this batch yet.
        var seen = false
        /// Set when the partition must be read again from `rewind[tp]`: nothing more is taken.
        var rewound = false
    }

    /// A checkpoint found past the log end on the careful path.
    struct PastLogEnd {
        var checkpoint: Int64
        var earliest: Int64
        var high: Int64
    }

    let careful: Bool
    private(set) var cursors: [Cursor] = []
    /// Partitions to seek back to where reading must resume (nothing of them is taken).
    private(set) var rewind: [TopicPartition: Int64] = [:]
    /// Checkpoints past the log end, found on the careful path.
    private(set) var pastLogEnd: [TopicPartition: PastLogEnd] = [:]
    /// Offsets gone to retention before the first record taken of a partition.
    private(set) var gaps: [(TopicPartition, CheckpointGap)] = []
    /// Records below the next expected offset, per topic.
    private(set) var skipped: [String: Int] = [:]

    init(careful: Bool) { self.careful = careful }

    /// Whether a record of `tp` was taken.
    func tookFrom(_ tp: TopicPartition) -> Bool { cursors.contains { $0.tp == tp && $0.seen } }

    /// Indices of the records of `chunk` to take; nil (only when not `careful`) when the
    /// chunk needs the careful path. `nextOffset` gives a partition's expected offset the
    /// first time it is seen; `watermarks` the fetch's low and high watermarks.
    mutating func select(_ chunk: ConsumedBatch, assignment: Set<TopicPartition>,
                         nextOffset: (TopicPartition) -> Int64,
                         watermarks: (TopicPartition) -> (low: Int64, high: Int64)?) -> [Int]? {
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
                if let known = cursors.firstIndex(where: { $0.tp == tp }) {
                    slot = known
                } else {
                    cursors.append(Cursor(tp: tp, expected: nextOffset(tp)))
                    slot = cursors.count - 1
                }
            }
            var cursor = cursors[slot]
            defer { cursors[slot] = cursor }
            guard !cursor.rewound, assignment.contains(cursor.tp) else {
                if careful { continue }
                return nil
            }
            if offset < cursor.expected {
                if let marks = watermarks(cursor.tp), marks.high < cursor.expected {
                    // The log ends before our checkpoint (the fetch's high watermark is exact).
                    guard careful else { return nil }
                    let earliest = max(0, marks.low)
                    pastLogEnd[cursor.tp] = PastLogEnd(checkpoint: cursor.expected, earliest: earliest, high: marks.high)
                    cursor.expected = earliest
                    if offset != earliest {
                        // Read from the earliest offset next batch; nothing of this
                        // partition from this poll is used (it may start later).
                        cursor.rewound = true
                        rewind[cursor.tp] = earliest
                        continue
                    }
                } else {
                    skipped[cursor.tp.topic, default: 0] += 1
                    continue
                }
            }
            if !cursor.seen, offset > cursor.expected, cursor.expected > 0 || offset > 0 {
                // Records between the checkpoint and the first available offset are gone.
                gaps.append((cursor.tp, CheckpointGap(partition: partition, from: cursor.expected, to: offset)))
            }
            cursor.seen = true
            cursor.expected = offset + 1
            taken.append(i)
        }
        return taken
    }
}

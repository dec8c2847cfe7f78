import Foundation
import KafkaClient

/// One topic's part of a batch: its records decoded as they were polled.
struct TopicWork: Sendable {
    let schema: TopicSchema
    var decoder: RecordDecoder
    /// Records taken (valid and rejected).
    var count = 0
    var rejected: [(ConsumedMessage, Rejection)] = []
    /// Next offset per Kafka partition: one past the last record taken.
    var next: [Int32: Int64] = [:]
    /// Offset ranges no longer in Kafka, recorded in the commit.
    var gaps: [CheckpointGap] = []

    init(schema: TopicSchema, nowMicros: Int64) {
        self.schema = schema
        decoder = RecordDecoder(schema: schema, nowMicros: nowMicros)
    }
}

/// A micro-batch polled and decoded, ready to be committed.
struct CollectedBatch: Sendable {
    var started: ContinuousClock.Instant
    var nowMicros: Int64
    var topics: [String: TopicWork] = [:]
    /// Records below the checkpoint (read again after a restart or seek), per topic.
    var skipped: [String: Int] = [:]
    /// Checkpoint resets (past the log end) this batch's commits record, per partition.
    var resets: [TopicPartition: CheckpointReset] = [:]

    var isEmpty: Bool { topics.values.allSatisfy { $0.count == 0 } }
    /// One past the last record taken, per partition.
    var nextOffsets: [TopicPartition: Int64] {
        var result: [TopicPartition: Int64] = [:]
        for (topic, work) in topics {
            for (p, o) in work.next { result[TopicPartition(topic, p)] = o }
        }
        return result
    }
}

/// Whether a batch commit is running: a rebalance waits for it before giving partitions
/// up (the poll that serves the rebalance runs on the consumer's own thread, not on the
/// concurrency pool the commit needs, so the wait cannot deadlock).
final class CommitInFlight: @unchecked Sendable {
    private let condition = NSCondition()
    private var running = false  // guarded by `condition`

    func begin() {
        condition.lock()
        running = true
        condition.unlock()
    }

    func end() {
        condition.lock()
        running = false
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks the calling thread until no commit runs.
    func waitUntilIdle() {
        condition.lock()
        while running { condition.wait() }
        condition.unlock()
    }
}

import Synchronization

/// What the processor commits per topic and batch, besides the rows.
public struct CommitRequest: Sendable {
    public var topic: String
    /// The valid records of the batch (may be empty: the checkpoint still advances).
    public var records: DecodedBatch
    /// The checkpoint the batch started from, as the processor believes it to be; the sink
    /// refuses the commit when the table's checkpoint differs (another writer advanced it).
    public var expected: KafkaCheckpoint
    /// The checkpoint after the batch.
    public var checkpoint: KafkaCheckpoint
    /// Where the dead-letter topic ended after this batch's letters, per DLQ partition
    /// (empty when it sent none); recorded for the partitions the commit moves.
    public var deadLetterEnds: [Int32: Int64] = [:]
    /// Offsets this batch could not read (retention, a checkpoint past the log end).
    public var gaps: [CheckpointGap] = []
    /// The batch id, also the instant time written to `_batch_id`.
    public var batchID: String

    /// A batch without dead letters or gaps; set ``deadLetterEnds`` and ``gaps`` when it has them.
    public init(topic: String, records: DecodedBatch, expected: KafkaCheckpoint, checkpoint: KafkaCheckpoint, batchID: String) {
        (self.topic, self.records, self.batchID) = (topic, records, batchID)
        (self.expected, self.checkpoint) = (expected, checkpoint)
    }
}

/// Another writer advanced the table's checkpoint since this batch started.
public struct CheckpointConflict: Error, CustomStringConvertible {
    public var topic: String
    public var expected: KafkaCheckpoint
    public var actual: KafkaCheckpoint
    public var description: String {
        "checkpoint of \(topic) moved: expected \(expected.encoded), table has \(actual.encoded)"
    }
}

/// Where batches go: one table per topic, each commit atomic with its Kafka checkpoint.
/// The Hudi table writer implements it; `InMemoryTableSink` serves tests.
public protocol TableSink: Sendable {
    /// A new batch id (the Hudi instant time), strictly increasing.
    func newBatchID(topic: String) async throws -> String
    /// The checkpoint stored with the table's latest commit (empty offsets when none).
    func checkpoint(topic: String) async throws -> KafkaCheckpoint
    /// Where the dead-letter topic ended per source partition, as of the table's commits.
    func deadLetterEnds(topic: String) async throws -> DeadLetterEnds
    /// Commits the batch and its checkpoint atomically, or throws (`CheckpointConflict`
    /// when `expected` no longer matches).
    func commit(_ request: CommitRequest) async throws
    /// The seconds of the `index`, `encode` and `store` stages since the last call (see
    /// `StageSeconds`); sinks that do not measure them answer zeros.
    func takeStageSeconds() async -> StageSeconds
    /// Ends writing (the processor stopped): releases what the sink holds, e.g. the Hudi
    /// tables' writer leases. A later commit may reopen.
    func close() async
}

extension TableSink {
    public func close() async {}
    public func takeStageSeconds() async -> StageSeconds { StageSeconds() }
}

/// A table sink in memory: rows by record key with precombine semantics, for tests.
public final class InMemoryTableSink: TableSink {
    public struct Row: Sendable, Equatable {
        public var value: [String: String]
        public var precombine: Int64
        public var offset: Int64
    }

    private struct State {
        var tables: [String: [String: Row]] = [:]
        /// Per table, deleted keys' ordering: an older upsert stays deleted (as Hudi's
        /// remembered deletes make it).
        var deleted: [String: [String: (precombine: Int64, offset: Int64)]] = [:]
        var bookkeeping: [String: CommitBookkeeping] = [:]
        var gaps: [String: [CheckpointGap]] = [:]
        var commits: [String: Int] = [:]
        var counter = 0
        var failNext = 0
    }
    private let state = Mutex(State())

    public init() {}

    public func newBatchID(topic: String) async throws -> String {
        state.withLock { s in
            s.counter += 1
            return String(format: "%017d", s.counter)
        }
    }

    public func checkpoint(topic: String) async throws -> KafkaCheckpoint {
        state.withLock { $0.bookkeeping[topic]?.checkpoint ?? KafkaCheckpoint(topic: topic, offsets: [:]) }
    }

    public func deadLetterEnds(topic: String) async throws -> DeadLetterEnds {
        state.withLock { $0.bookkeeping[topic]?.deadLetterEnds ?? DeadLetterEnds() }
    }

    /// Makes the next `count` commits fail with a transient error (fault tests).
    public func failNextCommits(_ count: Int) { state.withLock { $0.failNext = count } }

    public func commit(_ request: CommitRequest) async throws {
        try state.withLock { s in
            if s.failNext > 0 {
                s.failNext -= 1
                throw TransientSinkError()
            }
            let latest = s.bookkeeping[request.topic] ?? CommitBookkeeping(checkpoint: KafkaCheckpoint(topic: request.topic, offsets: [:]))
            let bookkeeping = try latest.merging(request)
            var table = s.tables[request.topic] ?? [:]
            var deleted = s.deleted[request.topic] ?? [:]
            let batch = request.records
            for i in 0..<batch.count {
                let key = batch.recordKeys.string(at: i)
                let incoming = Row(value: ["_batch_id": request.batchID], precombine: batch.precombine[i], offset: batch.kafkaOffsets[i])
                if let existing = table[key], (existing.precombine, existing.offset) > (incoming.precombine, incoming.offset) { continue }
                if table[key] == nil, let delete = deleted[key], delete > (incoming.precombine, incoming.offset) { continue }
                if batch.operations[i] == .delete {
                    table[key] = nil
                    deleted[key] = (incoming.precombine, incoming.offset)
                } else {
                    table[key] = incoming
                }
            }
            s.tables[request.topic] = table
            s.deleted[request.topic] = deleted
            s.bookkeeping[request.topic] = bookkeeping
            s.gaps[request.topic, default: []] += request.gaps
            s.commits[request.topic, default: 0] += 1
        }
    }

    /// Record keys currently in a table.
    public func keys(topic: String) -> Set<String> { state.withLock { Set(($0.tables[topic] ?? [:]).keys) } }
    public func commitCount(topic: String) -> Int { state.withLock { $0.commits[topic] ?? 0 } }
    /// Every gap the commits of a table recorded, in commit order.
    public func gaps(topic: String) -> [CheckpointGap] { state.withLock { $0.gaps[topic] ?? [] } }
}

public struct TransientSinkError: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "transient storage failure (injected)" }
}

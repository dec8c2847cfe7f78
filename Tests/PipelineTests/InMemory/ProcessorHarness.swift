import Foundation
import Hudi
import KafkaClient
import KafkaTesting
import Logging
import ObjectStore
import Synchronization
import Testing
@testable import Pipeline

/// The processor on an in-memory Kafka and Hudi tables in a memory object store: no broker,
/// no disk, short waits — offset, rebalance and outage cases run in milliseconds.
struct ProcessorHarness {
    let kafka = InMemoryKafka()
    let store = MemoryObjectStore()
    let schema: TopicSchema = .seed("user_events")!
    let group = "in-memory-processor"

    init(partitions: Int32 = 1) {
        kafka.createTopic(schema.topic, partitions: partitions)
        kafka.createTopic(schema.deadLetterTopic)
    }

    func configuration(interval: Duration = .milliseconds(30)) -> ProcessorConfiguration {
        var configuration = ProcessorConfiguration(kafka: KafkaConfiguration(bootstrapServers: kafka.servers))
        configuration.topics = [schema]
        configuration.groupID = group
        configuration.interval = interval
        configuration.initialBackoff = .milliseconds(1)
        configuration.timings.brokerProbeInterval = .milliseconds(20)
        configuration.timings.pauseAfterFailedBatch = .milliseconds(10)
        configuration.timings.deadLetterScanPoll = .milliseconds(10)
        return configuration
    }

    /// A table sink of its own (as each processor process has) over the shared lake.
    func sink() -> HudiTableSink { HudiTableSink(root: store, schemas: [schema]) }

    func processor(_ sink: any TableSink, interval: Duration = .milliseconds(30), commitAttempts: Int = 8,
                   maxBatchRecords: Int = 500_000) -> StreamProcessor {
        var settings = configuration(interval: interval)
        settings.commitAttempts = commitAttempts
        settings.maxBatchRecords = maxBatchRecords
        // Quiet unless asked (`PROCESSOR_TEST_LOG=debug`): these tests provoke errors on purpose.
        var logger = Logger(label: "tributary.processor")
        logger.logLevel = ProcessInfo.processInfo.environment["PROCESSOR_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return StreamProcessor(configuration: settings, kafka: kafka, sink: sink, logger: logger)
    }

    /// Valid user_events `e{i}`, and every `invalidEvery`-th one not JSON (`bad{i}`).
    func produce(_ ids: Range<Int>, invalidEvery: Int? = nil, partition: Int32? = nil) throws {
        for i in ids {
            if let invalidEvery, i % invalidEvery == 0 {
                try kafka.append(topic: schema.topic, partition: partition, key: Array("bad\(i)".utf8), value: Array("not json \(i)".utf8))
            } else {
                let json = #"{"event_id":"e\#(i)","user_id":"u","event_type":"click","timestamp":"2026-11-26T09:00:00Z"}"#
                try kafka.append(topic: schema.topic, partition: partition, key: Array("e\(i)".utf8), value: Array(json.utf8))
            }
        }
    }

    /// The keys `produce(ids, invalidEvery:)` makes valid records of.
    static func validKeys(_ ids: Range<Int>, invalidEvery: Int? = nil) -> Set<String> {
        Set(ids.filter { i in invalidEvery.map { i % $0 != 0 } ?? true }.map { "e\($0)" })
    }

    /// Record keys in the table, as read back from its Parquet files (a list: duplicates show).
    func tableKeys() async throws -> [String] {
        let table = try await HudiTable.open(store: try store.scoped(to: schema.topic))
        let rows = try await table.readSnapshot(columns: [schema.recordKey])
        return rows.rows.compactMap { row -> String? in
            guard case .string(let key)? = row.first else { return nil }
            return key
        }
    }

    /// The table's checkpoint: next offset per partition.
    func checkpoint() async throws -> [Int32: Int64] { try await sink().checkpoint(topic: schema.topic).offsets }

    /// Gaps the table's commits recorded.
    func recordedGaps() async throws -> [CheckpointGap] {
        let table = try await HudiTable.open(store: try store.scoped(to: schema.topic))
        var gaps: [CheckpointGap] = []
        for instant in try await table.timeline().completedDataCommits {
            gaps += CheckpointGap.decoded(try await table.commitMetadata(instant).extraMetadata[checkpointGapKey] ?? "")
        }
        return gaps
    }

    /// Sources (`partition:offset`) of the dead letters in the DLQ (a list: duplicates show).
    func deadLetterSources() -> [String] {
        kafka.messages(in: schema.deadLetterTopic).map {
            "\($0.header(DeadLetterHeader.sourcePartition) ?? "?"):\($0.header(DeadLetterHeader.sourceOffset) ?? "?")"
        }
    }

    func offsets(_ partition: Int32 = 0) -> [Int64] { kafka.delivered(group: group, TopicPartition(schema.topic, partition)) }
}

/// A processor running in a task, stopped (gracefully) at the end of a test.
final class RunningProcessor: Sendable {
    let processor: StreamProcessor
    private let task: Task<Void, any Error>
    private let finished: Finished

    init(_ processor: StreamProcessor) {
        self.processor = processor
        let finished = Finished()
        self.finished = finished
        task = Task {
            defer { finished.set() }
            try await processor.run()
        }
    }

    var stats: ProcessorStats { processor.stats }
    var stopped: Bool { finished.value }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

/// Waits (looking every 10 ms) until `condition` holds; records an issue after `seconds`.
/// A hang detector, not a timing check: in `make test` these run beside tests that block
/// cooperative threads on child processes, and 10 s was seen to pass with no progress.
func eventually(_ what: String, seconds: Double = 120, sourceLocation: SourceLocation = #_sourceLocation,
                _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    while try await !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("timed out waiting for \(what)", sourceLocation: sourceLocation)
            return
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// A table sink in front of another whose commits can be held at a gate (a slow store,
/// a commit in flight during a rebalance) or fail (storage trouble).
final class GatedSink: TableSink {
    private struct State {
        var holding = false
        var waiting: [CheckedContinuation<Void, Never>] = []
        var arrived = 0
        var failures = 0
    }
    private let base: any TableSink
    private let state = Mutex(State())

    init(_ base: any TableSink) { self.base = base }

    /// Commits arriving from now on wait until `release`.
    func hold() { state.withLock { $0.holding = true } }

    /// Lets waiting commits go on; the next `failing` attempts (waiting ones first) fail.
    func release(failing: Int = 0) {
        let waiting = state.withLock { s in
            defer { s.waiting = [] }
            s.holding = false
            s.failures = failing
            return s.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    /// Commit attempts that reached the sink (waiting ones included).
    var arrived: Int { state.withLock { $0.arrived } }
    var waiting: Int { state.withLock { $0.waiting.count } }

    func commit(_ request: CommitRequest) async throws {
        let hold = state.withLock { s in
            s.arrived += 1
            return s.holding
        }
        if hold {
            await withCheckedContinuation { continuation in
                let now = state.withLock { s in
                    if s.holding { s.waiting.append(continuation) }
                    return !s.holding
                }
                if now { continuation.resume() }
            }
        }
        try state.withLock { s in
            if s.failures > 0 {
                s.failures -= 1
                throw TransientSinkError()
            }
        }
        try await base.commit(request)
    }

    func newBatchID(topic: String) async throws -> String { try await base.newBatchID(topic: topic) }
    func checkpoint(topic: String) async throws -> KafkaCheckpoint { try await base.checkpoint(topic: topic) }
    func deadLetterEnds(topic: String) async throws -> DeadLetterEnds { try await base.deadLetterEnds(topic: topic) }
    func takeStageSeconds() async -> StageSeconds { await base.takeStageSeconds() }
    func close() async { await base.close() }
}

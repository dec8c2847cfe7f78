import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counters of the processor, read by metrics, the dashboard and tests.
public struct ProcessorStats: Sendable, Equatable {
    public var consumed: [String: Int] = [:]
    /// Records covered by a table commit (written, dead-lettered or superseded).
    public var committed: [String: Int] = [:]
    public var written: [String: Int] = [:]
    public var deadLettered: [String: Int] = [:]
    public var duplicatesSkipped: [String: Int] = [:]
    /// Debezium tombstones (null values after a delete) skipped: no row, no dead letter.
    public var tombstonesSkipped: [String: Int] = [:]
    public var batches = 0
    public var commits: [String: Int] = [:]
    public var commitRetries = 0
    public var conflicts = 0
    public var checkpointGaps = 0
    /// Times the broker became unreachable; `paused` while it is.
    public var brokerOutages = 0
    public var paused = false
    public var lastBatchSeconds = 0.0
    public var lastCommitSeconds = 0.0
    /// When partitions were first assigned to this processor (benchmarks start there).
    public var firstAssignment: ContinuousClock.Instant?
    /// Where the time went, summed over every batch.
    public var stages = StageSeconds()
}

/// Seconds spent per stage of the hot path, summed over batches. Each stage is measured
/// with clock reads per poll, per polled chunk or per commit, never per record:
/// - `poll`: the collector waiting for `consumer.poll` results (librdkafka fetches on its
///   own threads meanwhile, so this is time waited for Kafka, not CPU).
/// - `decode`: JSON to columns: each polled chunk's taken records through the topic's
///   `RecordDecoder` (collector) and the decoder's `finish` into a `DecodedBatch`
///   (committer). Synchronous code, so `decodeCPU` (its thread's CPU time) can be told apart.
/// - `index`: the BLOOM index lookup of each table commit, from the batch's keys to the
///   rows already in base files (`CommitResult.indexLookupSeconds`; its ranged footer
///   reads included, which `store` counts too).
/// - `encode`: writing base files without their I/O: each written file's time (old rows
///   merged, Parquet encoded and stored: the commit's per-file create or upsert time) less
///   the whole-object reads and writes of Parquet files, summed over the file groups a
///   commit writes in parallel.
/// - `store`: every object-store call of the tables (timeline, markers, footers, base
///   files, the commit, heartbeats), summed over concurrent calls.
/// Commits overlap the next batch's poll and decode, and parallel calls are summed, so the
/// stages may add up to more than the wall time.
public struct StageSeconds: Sendable, Equatable {
    public var poll = 0.0, decode = 0.0, decodeCPU = 0.0
    public var index = 0.0, encode = 0.0, store = 0.0

    public init() {}

    /// The stages by name, in pipeline order.
    public var named: [(name: String, seconds: Double)] {
        [("poll", poll), ("decode", decode), ("decode_cpu", decodeCPU), ("index", index), ("encode", encode), ("store", store)]
    }

    /// CPU seconds the calling thread has used (for synchronous stages only: an `await`
    /// may move the task to another thread).
    static func threadCPUNow() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private static var all: [WritableKeyPath<StageSeconds, Double>] { [\.poll, \.decode, \.decodeCPU, \.index, \.encode, \.store] }

    public static func += (a: inout StageSeconds, b: StageSeconds) {
        for stage in all { a[keyPath: stage] += b[keyPath: stage] }
    }
}

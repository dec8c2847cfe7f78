import Synchronization

/// Counters of the processor, read by metrics, the dashboard and tests.
public struct ProcessorStats: Sendable, Equatable {
    public var consumed: [String: Int] = [:]
    /// Records covered by a table commit (written, dead-lettered or superseded).
    public var committed: [String: Int] = [:]
    public var written: [String: Int] = [:]
    public var deadLettered: [String: Int] = [:]
    public var duplicatesSkipped: [String: Int] = [:]
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
}

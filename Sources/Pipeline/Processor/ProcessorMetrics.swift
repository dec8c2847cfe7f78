import Foundation
import KafkaClient
import Metrics
import MonitoringCore
import Synchronization

/// The processor's metrics (`TributaryMetrics`), recorded next to `ProcessorStats`.
/// swift-metrics only: a no-op unless the process bootstrapped a backend (the CLI does).
final class ProcessorMetrics: Sendable {
    private typealias M = TributaryMetrics
    private let topics: [String]
    /// Partitions with a lag gauge, to drop the gauges of partitions no longer assigned.
    private let lagPartitions = Mutex(Set<TopicPartition>())
    private let assigned = Mutex(0)

    init(topics: [String]) {
        self.topics = topics
    }

    /// Partitions assigned at the last refresh.
    var assignedPartitions: Int { assigned.withLock { $0 } }

    /// Series start at 0 (so rates see the first records) and the no-commit clock at now.
    func started() {
        let now = Date().timeIntervalSince1970
        for topic in topics {
            M.recordsConsumed.counter(topic).increment(by: 0)
            M.recordsWritten.counter(topic).increment(by: 0)
            M.checkpointGaps.counter(topic).increment(by: 0)
            M.tombstonesSkipped.counter(topic).increment(by: 0)
            M.commits.counter(topic).increment(by: 0)
            M.commitFailures.counter(topic).increment(by: 0)
            for stage in Rejection.Stage.allCases { M.recordsDeadLettered.counter(topic, stage.rawValue).increment(by: 0) }
            M.lastCommitTimestamp.gauge(topic).record(now)
        }
        M.processorUp.gauge().record(1)
    }

    func stopped() {
        M.processorUp.gauge().record(0)
        assigned.withLock { $0 = 0 }
    }

    func batchFailed() { M.processorUp.gauge().record(0) }

    /// A batch that found no records (not a batch in the histogram, but the loop is alive).
    func idleBatch() { M.processorUp.gauge().record(1) }

    func batchCompleted(_ duration: Duration) {
        M.batchDuration.timer().record(duration: duration)
        M.processorUp.gauge().record(1)
    }

    func consumed(_ counts: [String: Int]) {
        for (topic, count) in counts { M.recordsConsumed.counter(topic).increment(by: count) }
    }

    func checkpointGap(_ topic: String) { M.checkpointGaps.counter(topic).increment() }

    func tombstonesSkipped(_ topic: String, _ count: Int) { M.tombstonesSkipped.counter(topic).increment(by: count) }

    func commitFailed(_ topic: String) { M.commitFailures.counter(topic).increment() }

    func committed(_ topic: String, written: Int, rejected: [Rejection]) {
        M.recordsWritten.counter(topic).increment(by: written)
        for (stage, n) in Dictionary(grouping: rejected, by: \.stage) {
            M.recordsDeadLettered.counter(topic, stage.rawValue).increment(by: n.count)
        }
        M.commits.counter(topic).increment()
        M.lastCommitTimestamp.gauge(topic).record(Date().timeIntervalSince1970)
    }

    /// Lag per assigned partition: the high watermark of the last fetch minus the
    /// table's checkpoint (the log start when the table has none).
    func refreshLag(_ consumer: any ConsumerClient, checkpoints: [TopicPartition: Int64]) {
        let current = consumer.assignment
        assigned.withLock { $0 = current.count }
        var seen = Set<TopicPartition>()
        for tp in current {
            guard let marks = consumer.cachedWatermarks(tp) else { continue }
            let from = checkpoints[tp] ?? max(marks.low, 0)
            M.consumerLag.gauge(tp.topic, String(tp.partition)).record(max(0, marks.high - from))
            seen.insert(tp)
        }
        let gone = lagPartitions.withLock { known in
            defer { known = seen }
            return known.subtracting(seen)
        }
        for tp in gone { M.consumerLag.gauge(tp.topic, String(tp.partition)).destroy() }
    }
}

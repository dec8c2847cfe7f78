import Foundation
import KafkaClient
import Pipeline
import ServiceLifecycle

/// Collects dashboard points: Kafka watermarks and the processor group's lag, the lake's
/// table sizes, the in-process processor's counters. Points are shared by every viewer
/// (one sample per `minInterval` however many streams are open) and the latest
/// `historySize` are kept, so a page that opens shows the recent past at once.
public actor DashboardSampler {
    private let admin: KafkaAdmin
    private let topics: [String]
    private let group: String
    private let lake: LakeInspector?
    private let processorStats: (@Sendable () -> ProcessorStats?)?
    private let minInterval: Duration
    private let lakeInterval: Duration
    private let historySize: Int
    private var points: [DashboardSample] = []
    private var takenAt: ContinuousClock.Instant?
    private var tables: [DashboardSample.Table] = []
    private var tablesAt: ContinuousClock.Instant?
    private var inFlight: Task<DashboardSample, Never>?

    /// - Parameters:
    ///   - topics: the Kafka topics of the pipeline (their `.dlq` topics are read too).
    ///   - group: the processor's consumer group (`processing.group_id`).
    public init(admin: KafkaAdmin, topics: [String], group: String = "tributary-processor", lake: LakeInspector?,
                processorStats: (@Sendable () -> ProcessorStats?)?, minInterval: Duration = .milliseconds(900),
                lakeInterval: Duration = .seconds(4), historySize: Int = 150) {
        self.admin = admin
        self.topics = topics
        self.group = group
        self.lake = lake
        self.processorStats = processorStats
        self.minInterval = minInterval
        self.lakeInterval = lakeInterval
        self.historySize = historySize
    }

    /// The recent points, oldest first.
    public func history() -> [DashboardSample] { points }

    /// A point taken now (or the latest, when it is younger than `minInterval`). Viewers
    /// asking while a point is being taken share it.
    public func sample() async -> DashboardSample {
        if let takenAt, let last = points.last, takenAt.duration(to: .now) < minInterval { return last }
        if let inFlight { return await inFlight.value }
        let task = Task { await self.take() }
        inFlight = task
        let point = await task.value
        inFlight = nil
        return point
    }

    private func take() async -> DashboardSample {
        let now = ContinuousClock.now
        var problems: [String] = []
        let kafka = await kafkaCounts(problems: &problems)
        if lake != nil, tablesAt.map({ $0.duration(to: now) >= lakeInterval }) ?? true {
            do {
                tables = try await lake?.summaries().map {
                    DashboardSample.Table(name: $0.name, bytes: $0.bytes, files: $0.files, commits: $0.commits, tableType: $0.tableType,
                                          logFiles: $0.logFiles, logBytes: $0.logBytes, pendingCompactions: $0.pendingCompactions)
                } ?? []
            } catch {
                problems.append("lake: \(error)")
            }
            tablesAt = now
        }
        let stats = processorStats?()
        let previous = points.last
        let seconds = previous.map { Double(epochMillis() - $0.time) / 1000 } ?? 0
        func rate(_ value: Int64, _ old: Int64?) -> Double {
            guard let old, seconds > 0.05 else { return 0 }
            return max(0, Double(value - old) / seconds)
        }
        let topicPoints = topics.map { topic -> DashboardSample.Topic in
            let counts = kafka[topic] ?? (produced: 0, dlq: 0, committed: 0, lag: 0)
            let out: Int64 = stats.map { Int64($0.written[topic] ?? 0) } ?? counts.committed
            let old = previous?.topics.first { $0.topic == topic }
            return DashboardSample.Topic(
                topic: topic, produced: counts.produced, inRate: rate(counts.produced, old?.produced),
                out: out, outRate: rate(out, old?.out), deadLettered: counts.dlq, dlqRate: rate(counts.dlq, old?.deadLettered),
                lag: counts.lag, tombstonesSkipped: stats.map { $0.tombstonesSkipped[topic] ?? 0 })
        }
        let processor = stats.map {
            DashboardSample.Processor(batches: $0.batches, lastBatchSeconds: $0.lastBatchSeconds, lastCommitSeconds: $0.lastCommitSeconds,
                                      commits: $0.commits.values.reduce(0, +), conflicts: $0.conflicts, commitRetries: $0.commitRetries)
        }
        let point = DashboardSample(time: epochMillis(), topics: topicPoints, tables: tables, processor: processor, problems: problems)
        points.append(point)
        if points.count > historySize { points.removeFirst(points.count - historySize) }
        takenAt = now
        return point
    }

    /// Per topic: messages (high − low summed), `.dlq` messages, the group's committed
    /// records and lag.
    private func kafkaCounts(problems: inout [String]) async -> [String: (produced: Int64, dlq: Int64, committed: Int64, lag: Int64)] {
        var result: [String: (produced: Int64, dlq: Int64, committed: Int64, lag: Int64)] = [:]
        do {
            let metadata = try await admin.metadata()
            let present = topics.filter { metadata.topic($0) != nil }
            var partitions: [(topic: String, low: Int64, high: Int64, committed: Int64?)] = []
            do {
                partitions = try await admin.lag(group: group, topics: present).map {
                    ($0.topicPartition.topic, $0.watermarks.low, $0.watermarks.high, $0.committed)
                }
            } catch {
                // No group yet (nothing processed): watermarks alone, lag = everything.
                for topic in present {
                    for p in metadata.topic(topic)?.partitions ?? [] {
                        if let marks = try? await admin.watermarks(TopicPartition(topic, p.id)) {
                            partitions.append((topic, marks.low, marks.high, nil))
                        }
                    }
                }
            }
            for topic in topics {
                var produced: Int64 = 0, committed: Int64 = 0, lag: Int64 = 0
                for p in partitions where p.topic == topic {
                    produced += p.high
                    committed += p.committed ?? p.low
                    lag += max(0, p.high - (p.committed ?? p.low))
                }
                var dlq: Int64 = 0
                for p in metadata.topic(topic + ".dlq")?.partitions ?? [] {
                    if let marks = try? await admin.watermarks(TopicPartition(topic + ".dlq", p.id)) { dlq += marks.high }
                }
                result[topic] = (produced, dlq, committed, lag)
            }
        } catch {
            problems.append("kafka: \(error)")
        }
        return result
    }

    private func epochMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

/// Run in the app's `ServiceGroup`, the sampler also takes a point every
/// `backgroundInterval` while nobody watches, so a dashboard that opens shows the last
/// minutes at once.
extension DashboardSampler: Service {
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = await self.sample()
                try? await Task.sleep(for: .seconds(5))
            }
        }
    }
}

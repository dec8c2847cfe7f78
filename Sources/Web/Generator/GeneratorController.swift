import Foundation
import KafkaClient
import Logging
import Pipeline

/// Settings of the real-time generator panel.
public struct GeneratorSettings: Sendable, Encodable, Equatable {
    /// Records per second over all chosen topics.
    public var rate: Double = 10
    /// Schema names; empty means all five.
    public var topics: [String] = []
    public var updateRatio: Double = 0.1
    public var deleteRatio: Double = 0.02
    public var lateRatio: Double = 0.02
    public var invalidRatio: Double = 0.01
    public var seed: UInt64?

    public init(rate: Double = 10, topics: [String] = [], updateRatio: Double = 0.1, deleteRatio: Double = 0.02,
                lateRatio: Double = 0.02, invalidRatio: Double = 0.01, seed: UInt64? = nil) {
        self.rate = rate
        self.topics = topics
        self.updateRatio = updateRatio
        self.deleteRatio = deleteRatio
        self.lateRatio = lateRatio
        self.invalidRatio = invalidRatio
        self.seed = seed
    }

    /// The same checks as `tributary generate`; nil when the settings are usable.
    public func problem(known: [String]) -> String? {
        if let problem = Self.mixProblem([("updateRatio", updateRatio), ("deleteRatio", deleteRatio),
                                          ("lateRatio", lateRatio), ("invalidRatio", invalidRatio)]) { return problem }
        if !(rate > 0 && rate <= 100_000) { return "rate must be between 0 and 100000 records per second" }
        for topic in topics where !known.contains(topic) {
            return "unknown topic '\(topic)'; one of \(known.joined(separator: ", "))"
        }
        return nil
    }

    /// The record mix's shares: each between 0 and 1, together at most 1 (named as the
    /// caller shows them: JSON fields here, flags in `tributary generate`).
    public static func mixProblem(_ ratios: [(name: String, value: Double)]) -> String? {
        for (name, value) in ratios where !(0...1).contains(value) {  // NaN too
            return "\(name) must be between 0 and 1"
        }
        return ratios.reduce(0) { $0 + $1.value } > 1 ? "the ratios add up to more than 1" : nil
    }
}

/// What the generator is doing, for the panel's live count.
public struct GeneratorStatus: Sendable, Encodable, Equatable {
    public var running: Bool
    public var settings: GeneratorSettings
    /// Records produced by the current (or last) run, per topic.
    public var sent: [String: Int]
    public var total: Int
    public var lastError: String?
}

/// Runs `RecordGenerator` for the chosen topics at a steady rate until stopped.
public actor GeneratorController {
    private let producer: KafkaProducer
    private let schemas: [TopicSchema]
    private let logger: Logger
    private var task: Task<Void, Never>?
    private var settings = GeneratorSettings()
    private var sent: [String: Int] = [:]
    private var lastError: String?

    public init(producer: KafkaProducer, schemas: [TopicSchema] = TopicSchema.seeds, logger: Logger) {
        self.producer = producer
        self.schemas = schemas
        self.logger = logger
    }

    public var status: GeneratorStatus {
        GeneratorStatus(running: task != nil, settings: settings, sent: sent,
                        total: sent.values.reduce(0, +), lastError: lastError)
    }

    /// Starts (or restarts with new settings) the generator.
    public func start(_ newSettings: GeneratorSettings) throws -> GeneratorStatus {
        if let problem = newSettings.problem(known: schemas.map(\.name)) { throw GeneratorSettingsError(reason: problem) }
        task?.cancel()
        settings = newSettings
        sent = [:]
        lastError = nil
        let chosen = newSettings.topics.isEmpty ? schemas : schemas.filter { newSettings.topics.contains($0.name) }
        let mix = RecordGenerator.Mix(updateRatio: newSettings.updateRatio, deleteRatio: newSettings.deleteRatio,
                                      lateRatio: newSettings.lateRatio, invalidRatio: newSettings.invalidRatio)
        let seed = newSettings.seed ?? UInt64.random(in: 1...UInt64.max)
        let generators = chosen.map { RecordGenerator(schema: $0, mix: mix, seed: seed) }
        let producer = self.producer
        let rate = newSettings.rate
        // The task holds the controller while it runs; `stop` cancels it.
        task = Task {
            await Self.loop(generators: generators, rate: rate, producer: producer) { counts, error in
                await self.record(counts, error: error)
            }
        }
        return status
    }

    /// Stops the generator; the count of the run stays visible.
    public func stop() async -> GeneratorStatus {
        let running = task
        task = nil
        running?.cancel()
        await running?.value
        try? await producer.flush(timeout: .seconds(5))
        return status
    }

    private func record(_ counts: [String: Int], error: String?) {
        for (topic, n) in counts { sent[topic, default: 0] += n }
        if let error {
            lastError = error
            logger.warning("generator stopped", metadata: ["error": "\(error)"])
            task = nil
        }
    }

    /// Sends what the rate allows by now, every 50 ms, and reports counts as it goes.
    private static func loop(generators: [RecordGenerator], rate: Double, producer: KafkaProducer,
                             report: @Sendable ([String: Int], String?) async -> Void) async {
        var generators = generators
        let start = ContinuousClock.now
        var produced = 0
        while !Task.isCancelled {
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let due = Int(seconds * rate) + 1
            var counts: [String: Int] = [:]
            do {
                while produced < due && !Task.isCancelled {
                    let record = generators[produced % generators.count].next(nowMicros: epochMicrosNow())
                    try await producer.enqueue(topic: record.topic, key: Array(record.key.utf8), value: record.value)
                    counts[record.topic, default: 0] += 1
                    produced += 1
                }
            } catch {
                await report(counts, "\(error)")
                return
            }
            if !counts.isEmpty { await report(counts, nil) }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// Settings the generator cannot run with.
public struct GeneratorSettingsError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}

import Foundation
import KafkaClient
import Pipeline
import Testing
import TributaryCore
import TributaryTesting

/// The recorded Debezium change events of a source table (see `ChangeEventFixture`) fed to
/// `tributary process` with a `[streams.customers]` configuration while the processor is
/// killed -9 at random moments: after recovery hudi-rs reads exactly the source table's
/// final state — no deleted row brought back by a re-delivery or a re-read batch — and each
/// malformed event is dead-lettered exactly once.
@Suite(.ownThread, .serialized) struct ChangeStreamCrashTests {
    @Test func killNineWhileChangeEventsArriveEndsAtTheSourceState() async throws {
        let fixture = try ChangeEventFixture()
        let customers = try #require(try StreamCatalog.load(configFile: ChangeEventFixture.configFile).first)
        let rig = try await ProcessorCrashTests.Rig.make(schemas: [customers], configFile: ChangeEventFixture.configFile)
        defer { rig.broker.stop() }
        let kills = TestEnvironment.soak ? 20 : 4
        // Each run gets its share of the events, fed while it works, then dies at a random moment.
        let share = (fixture.messages.count + kills) / (kills + 1)
        var chunks = stride(from: 0, to: fixture.messages.count, by: share).map { fixture.messages[$0..<min($0 + share, fixture.messages.count)] }
        var random = SeededRandom(seed: 18)
        var killedMidWork = 0
        for _ in 0..<kills where !chunks.isEmpty {
            let before = rig.commits()
            let p = try rig.startProcessor()
            for part in chunks.removeFirst().chunked(into: 10) {
                for m in part { try await rig.producer.enqueue(topic: customers.topic, key: m.key, value: m.value) }
                try await rig.producer.flush()
                try await Task.sleep(for: .milliseconds(80))
            }
            let working = ContinuousClock.now + .seconds(30)
            while rig.commits() == before && ContinuousClock.now < working { try await Task.sleep(for: .milliseconds(50)) }
            if rig.commits() > before { killedMidWork += 1 }
            try await Task.sleep(for: .milliseconds(Int64.random(in: 0...700, using: &random)))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        #expect(killedMidWork == kills, "only \(killedMidWork) of \(kills) kills hit a working processor")
        for m in chunks.joined() { try await rig.producer.enqueue(topic: customers.topic, key: m.key, value: m.value) }
        try await rig.producer.flush()

        let final = try rig.startProcessor()
        defer { if final.isRunning { kill(final.processIdentifier, SIGKILL) } }
        let covered = try await rig.waitCovered([customers.topic: fixture.messages.count])
        kill(final.processIdentifier, SIGTERM)
        final.waitUntilExit()
        #expect(covered, "the processor did not catch up after \(kills) kills")

        let lines = try rig.rows(customers).map(ChangeEventFixture.line).sorted()
        #expect(lines == fixture.finalRows, "missing \(Set(fixture.finalRows).subtracting(lines).sorted().prefix(3)), extra \(Set(lines).subtracting(fixture.finalRows).sorted().prefix(3))")
        let letters = try await rig.deadLetters(customers)
        #expect(Dictionary(letters.map { ($0.keyString ?? "", $0.header(DeadLetterHeader.stage) ?? "") }) { a, _ in a } == fixture.deadLetters)
        #expect(letters.count == fixture.deadLetters.count)
    }
}

extension Collection {
    /// Consecutive slices of at most `size` elements.
    func chunked(into size: Int) -> [SubSequence] {
        var out: [SubSequence] = []
        var start = startIndex
        while start != endIndex {
            let end = index(start, offsetBy: size, limitedBy: endIndex) ?? endIndex
            out.append(self[start..<end])
            start = end
        }
        return out
    }
}

import Foundation
import KafkaClient
import KafkaTesting
import Testing
@testable import Pipeline

/// Consumer-group changes around the processor, on the in-memory Kafka: a rebalance while
/// a batch commits, partitions revoked, a dead processor's partitions taken over.
@Suite struct ProcessorRebalanceTests {
    @Test func everyRecordOnceEveryDeadLetterOnce() async throws {
        let h = ProcessorHarness(partitions: 2)
        try h.produce(0..<200, invalidEvery: 10)
        let p = RunningProcessor(h.processor(h.sink()))
        try await eventually("200 records committed") { p.stats.committed[h.schema.topic] == 200 }
        await p.stop()
        let keys = try await h.tableKeys()
        #expect(keys.count == 180)
        #expect(Set(keys) == ProcessorHarness.validKeys(0..<200, invalidEvery: 10))
        #expect(h.deadLetterSources().count == 20)
        #expect(Set(h.deadLetterSources()).count == 20)
        #expect(try await h.checkpoint().values.reduce(0, +) == 200)
        // Kafka's group offsets follow the tables (for lag only).
        #expect(h.kafka.committedOffsets(group: h.group).values.reduce(0, +) == 200)
    }

    /// A member joins while the first processor's batch is committing: the first keeps its
    /// partitions (its revoke waits in `beforeRevoke`) until that commit is done, so the
    /// newcomer never reads from a checkpoint that is about to move.
    @Test func aRebalanceWaitsForTheCommitInFlight() async throws {
        let h = ProcessorHarness(partitions: 2)
        try h.produce(0..<20, invalidEvery: 5)
        let gated = GatedSink(h.sink())
        gated.hold()
        let a = RunningProcessor(h.processor(gated, interval: .milliseconds(300)))
        try await eventually("the first batch at the commit gate") { gated.waiting == 1 }
        try h.produce(20..<40, invalidEvery: 5)
        let b = RunningProcessor(h.processor(h.sink()))
        try await eventually("the second processor joined") { h.kafka.members(group: h.group).count == 2 }
        let members = h.kafka.members(group: h.group)
        try await Task.sleep(for: .milliseconds(100))
        #expect(h.kafka.assignment(of: members[0]).count == 2, "partitions given up while their batch commits")
        #expect(h.kafka.assignment(of: members[1]).isEmpty)

        gated.release()
        try await eventually("the second processor got a partition") { !h.kafka.assignment(of: members[1]).isEmpty }
        try await eventually("40 records committed") { try await h.checkpoint().values.reduce(0, +) == 40 }
        // Records produced after the rebalance reach both partitions, so both processors
        // commit (on a loaded machine the first may have taken all of 20..<40 already).
        try h.produce(40..<60, invalidEvery: 5)
        try await eventually("60 records committed") { try await h.checkpoint().values.reduce(0, +) == 60 }
        await a.stop()
        await b.stop()
        let keys = try await h.tableKeys()
        #expect(keys.count == Set(keys).count, "a key twice in the table")
        #expect(Set(keys) == ProcessorHarness.validKeys(0..<60, invalidEvery: 5))
        #expect(h.deadLetterSources().count == 12)
        #expect(Set(h.deadLetterSources()).count == 12)
        #expect(a.stats.conflicts + b.stats.conflicts == 0)
        #expect(b.stats.committed[h.schema.topic, default: 0] > 0)
    }

    /// Every partition is taken from the first processor and given to the second: what the
    /// first had polled of them is not committed by it; the second reads it from the checkpoints.
    @Test func revokedPartitionsAreLeftToTheirNewOwner() async throws {
        let h = ProcessorHarness(partitions: 2)
        let a = RunningProcessor(h.processor(h.sink(), interval: .milliseconds(200)))
        try await eventually("the first processor joined") { h.kafka.members(group: h.group).count == 1 }
        let b = RunningProcessor(h.processor(h.sink()))
        try await eventually("both processors hold a partition") {
            let members = h.kafka.members(group: h.group)
            return members.count == 2 && members.allSatisfy { h.kafka.assignment(of: $0).count == 1 }
        }
        let members = h.kafka.members(group: h.group)
        try h.produce(0..<20, invalidEvery: 4)
        try await eventually("20 records committed") { try await h.checkpoint().values.reduce(0, +) == 20 }

        // The first processor polls more, then loses both partitions mid-batch.
        let polledBefore = h.offsets(0).count + h.offsets(1).count
        try h.produce(20..<60, invalidEvery: 4)
        try await eventually("more records polled") { h.offsets(0).count + h.offsets(1).count > polledBefore }
        let all: Set<TopicPartition> = [TopicPartition(h.schema.topic, 0), TopicPartition(h.schema.topic, 1)]
        h.kafka.reassign(group: h.group, [members[1]: all])
        try await eventually("the second processor holds both") { h.kafka.assignment(of: members[1]) == all }
        let commitsOfTheFirst = a.stats.commits[h.schema.topic, default: 0]
        try h.produce(60..<80, invalidEvery: 4)
        try await eventually("80 records committed") { try await h.checkpoint().values.reduce(0, +) == 80 }
        #expect(a.stats.commits[h.schema.topic, default: 0] == commitsOfTheFirst, "a commit after the revocation")
        await a.stop()
        await b.stop()
        let keys = try await h.tableKeys()
        #expect(keys.count == Set(keys).count)
        #expect(Set(keys) == ProcessorHarness.validKeys(0..<80, invalidEvery: 4))
        #expect(h.deadLetterSources().count == 20)
        #expect(Set(h.deadLetterSources()).count == 20)
    }

    /// A processor dead-letters its batch's rejected records and dies before the table
    /// commit; whoever takes its partition over finds those letters in the DLQ and does not
    /// send them again. The dead one's late commit is refused.
    @Test func deadLettersOfAnUncommittedBatchAreNotSentTwiceAfterATakeover() async throws {
        let h = ProcessorHarness(partitions: 1)
        try h.produce(0..<30, invalidEvery: 3)
        let gated = GatedSink(h.sink())
        gated.hold()
        let a = RunningProcessor(h.processor(gated))
        try await eventually("the first processor's letters sent, its commit waiting") { gated.waiting == 1 }
        #expect(h.deadLetterSources().count == 10)
        let first = try #require(h.kafka.members(group: h.group).first)
        h.kafka.expel(first)  // its session times out: it is gone for the group

        let b = RunningProcessor(h.processor(h.sink()))
        try await eventually("the second processor committed all 30") { try await h.checkpoint()[0] == 30 }
        #expect(h.deadLetterSources().count == 10, "dead letters sent twice")
        #expect(Set(try await h.tableKeys()) == ProcessorHarness.validKeys(0..<30, invalidEvery: 3))

        // The dead one's commit goes on at last: refused (its instant is older than the
        // table's latest commit), then, retried with a new instant, refused for good (the
        // checkpoint it started from moved).
        gated.release()
        try await eventually("the first processor's commit refused") { a.stats.conflicts == 1 }
        #expect(gated.arrived == 2)
        await a.stop()
        await b.stop()
        #expect(a.stats.commits[h.schema.topic] == nil)
        #expect(try await h.checkpoint() == [0: 30])
        let keys = try await h.tableKeys()
        #expect(keys.count == 20)
        #expect(h.deadLetterSources().count == 10)
    }
}

import Foundation
import KafkaClient
import KafkaTesting
import Testing
@testable import Pipeline

/// Where the processor reads and what it commits when Kafka misbehaves, on the in-memory
/// Kafka: checkpoint gaps, outages, failed commits, failed dead-letter sends, duplicates.
@Suite struct ProcessorOffsetTests {
    /// The broker comes back empty (in-memory storage): the checkpoint lies past the new
    /// log end, the gap is recorded in the commit, and reading goes on from the start.
    @Test func checkpointPastTheLogEndIsRecordedAndReadingGoesOnFromTheStart() async throws {
        let h = ProcessorHarness()
        try h.produce(0..<20)
        let p = RunningProcessor(h.processor(h.sink()))
        try await eventually("20 records committed") { try await h.checkpoint()[0] == 20 }
        h.kafka.restart(losingData: true)
        try h.produce(100..<110)  // offsets 0..<10 of the new log
        try await eventually("the new log committed") { try await h.checkpoint()[0] == 10 }
        await p.stop()
        #expect(try await h.recordedGaps() == [CheckpointGap(partition: 0, from: 20, to: 0)])
        #expect(p.stats.checkpointGaps == 1)
        let keys = try await h.tableKeys()
        #expect(keys.count == 30)
        #expect(Set(keys) == ProcessorHarness.validKeys(0..<20).union(ProcessorHarness.validKeys(100..<110)))
    }

    /// Retention removed records no processor had read: the gap from the checkpoint to the
    /// earliest offset is recorded, never silent.
    @Test func checkpointBeforeTheEarliestOffsetIsRecordedAsAGap() async throws {
        let h = ProcessorHarness()
        try h.produce(0..<20)
        let first = RunningProcessor(h.processor(h.sink()))
        try await eventually("20 records committed") { try await h.checkpoint()[0] == 20 }
        await first.stop()
        try h.produce(20..<50)
        h.kafka.deleteRecords(TopicPartition(h.schema.topic, 0), before: 35)
        let second = RunningProcessor(h.processor(h.sink()))
        try await eventually("50 records committed") { try await h.checkpoint()[0] == 50 }
        await second.stop()
        #expect(try await h.recordedGaps() == [CheckpointGap(partition: 0, from: 20, to: 35)])
        #expect(second.stats.checkpointGaps == 1)
        #expect(Set(try await h.tableKeys()) == ProcessorHarness.validKeys(0..<20).union(ProcessorHarness.validKeys(35..<50)))
    }

    /// The cluster is unreachable for a while: the processor pauses (once, not per poll),
    /// survives, resumes, and nothing is lost or doubled.
    @Test func brokerOutagePausesAndResumes() async throws {
        let h = ProcessorHarness(partitions: 2)
        try h.produce(0..<50, invalidEvery: 10)
        let p = RunningProcessor(h.processor(h.sink()))
        try await eventually("50 records committed") { try await h.checkpoint().values.reduce(0, +) == 50 }
        h.kafka.isReachable = false
        try await eventually("the processor paused") { p.stats.paused }
        try await Task.sleep(for: .milliseconds(100))
        #expect(!p.stopped, "the processor must survive an outage")
        #expect(p.stats.brokerOutages == 1)
        h.kafka.isReachable = true
        try await eventually("the processor resumed") { !p.stats.paused }
        try h.produce(50..<100, invalidEvery: 10)
        try await eventually("100 records committed") { try await h.checkpoint().values.reduce(0, +) == 100 }
        await p.stop()
        #expect(p.stats.brokerOutages == 1)
        #expect(Set(try await h.tableKeys()) == ProcessorHarness.validKeys(0..<100, invalidEvery: 10))
        #expect(try await h.tableKeys().count == 90)
        #expect(h.deadLetterSources().count == 10)
        #expect(Set(h.deadLetterSources()).count == 10)
    }

    /// A batch's commit fails for good while the next batch was collected meanwhile: that
    /// one is dropped, and both are read again from the checkpoint, in order.
    @Test func failedCommitRereadsBothBatches() async throws {
        let h = ProcessorHarness()
        try h.produce(0..<40)
        let gated = GatedSink(h.sink())
        gated.hold()
        // Batches of 20: the first one commits (held at the gate) while the second is polled.
        let p = RunningProcessor(h.processor(gated, commitAttempts: 2, maxBatchRecords: 20))
        try await eventually("the first batch at the commit gate") { gated.waiting == 1 }
        try await eventually("the next batch polled meanwhile") { h.offsets().count == 40 }
        gated.release(failing: 2)  // both attempts of the first batch fail
        try await eventually("40 records committed") { try await h.checkpoint()[0] == 40 }
        await p.stop()
        #expect(h.offsets() == Array(0..<40) + Array(0..<40), "both batches read again from the checkpoint")
        #expect(p.stats.commitRetries == 1)
        let keys = try await h.tableKeys()
        #expect(keys.count == 40)
        #expect(Set(keys) == ProcessorHarness.validKeys(0..<40))
    }

    /// Storage errors are retried with the same batch: Kafka is not read again.
    @Test func storageErrorsAreRetriedWithoutReadingKafkaAgain() async throws {
        let h = ProcessorHarness()
        try h.produce(0..<20)
        let gated = GatedSink(h.sink())
        gated.release(failing: 3)
        let p = RunningProcessor(h.processor(gated))
        try await eventually("20 records committed") { try await h.checkpoint()[0] == 20 }
        await p.stop()
        #expect(p.stats.commitRetries == 3)
        #expect(h.offsets() == Array(0..<20))
        #expect(try await h.tableKeys().count == 20)
    }

    /// A dead letter cannot be delivered: the batch fails and is read again; the letters
    /// the failed attempt had delivered are not sent twice.
    @Test func failedDeadLetterSendRereadsWithoutDoublingLetters() async throws {
        let h = ProcessorHarness()
        try h.produce(0..<40, invalidEvery: 4)
        h.kafka.failNextSends(1)
        let p = RunningProcessor(h.processor(h.sink()))
        try await eventually("40 records committed") { try await h.checkpoint()[0] == 40 }
        await p.stop()
        #expect(h.offsets().count > 40, "the failed batch was read again")
        #expect(h.deadLetterSources().count == 10)
        #expect(Set(h.deadLetterSources()).count == 10)
        #expect(Set(try await h.tableKeys()) == ProcessorHarness.validKeys(0..<40, invalidEvery: 4))
    }

    /// The consumer hands out offsets twice within one poll: each record is taken once.
    @Test func duplicateOffsetsInsideABatchAreTakenOnce() async throws {
        let h = ProcessorHarness()
        try h.produce(0..<20, invalidEvery: 4)
        h.kafka.redeliver(TopicPartition(h.schema.topic, 0), from: 5)
        let p = RunningProcessor(h.processor(h.sink()))
        try await eventually("20 records committed") { try await h.checkpoint()[0] == 20 }
        await p.stop()
        #expect(h.offsets() == Array(0..<20) + Array(5..<20))
        #expect(p.stats.batches == 1)
        #expect(p.stats.duplicatesSkipped[h.schema.topic] == 15)
        #expect(p.stats.consumed[h.schema.topic] == 20)
        #expect(p.stats.committed[h.schema.topic] == 20)
        #expect(try await h.tableKeys().count == 15)
        #expect(h.deadLetterSources().count == 5)
    }
}

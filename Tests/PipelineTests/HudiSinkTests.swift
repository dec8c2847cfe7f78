import Foundation
import Hudi
import ObjectStore
import Testing
import TributaryTesting
@testable import Pipeline

@Suite struct HudiSinkTests {
    @Test func emptyTableHasEmptyCheckpointThenCommitsOne() async throws {
        let lake = try TestEnvironment.temporaryDirectory("lake")
        let sink = HudiTableSink(root: try LocalObjectStore(root: lake), schemas: [.userEvents])
        let empty = try await sink.checkpoint(topic: "user_events")
        #expect(empty.offsets.isEmpty)
        var decoder = RecordDecoder(schema: .userEvents, nowMicros: now)
        let message = Array(#"{"event_id":"e1","user_id":"u","event_type":"click","timestamp":"2026-11-26T09:00:00Z"}"#.utf8)
        #expect(message.withUnsafeBytes { decoder.append($0, partition: 0, offset: 7) } == nil)
        let id = try await sink.newBatchID(topic: "user_events")
        let batch = decoder.finish(batchID: id, ingestedAtMicros: now)
        let next = KafkaCheckpoint(topic: "user_events", offsets: [0: 8])
        try await sink.commit(CommitRequest(topic: "user_events", records: batch, expected: empty, checkpoint: next,
                                            extraMetadata: [:], batchID: id))
        #expect(try await sink.checkpoint(topic: "user_events") == next)
        await #expect(throws: CheckpointConflict.self) {
            try await sink.commit(CommitRequest(topic: "user_events", records: batch, expected: empty, checkpoint: next,
                                                extraMetadata: [:], batchID: id))
        }
    }
}

import Foundation
import Hudi
import ObjectStore
import Testing
import TributaryTesting
@testable import Pipeline

@Suite struct HudiSinkTests {
    @Test func emptyTableHasEmptyCheckpointThenCommitsOne() async throws {
        let lake = try TestEnvironment.temporaryDirectory("lake")
        let sink = HudiTableSink(root: try LocalObjectStore(root: lake), schemas: [.seed("user_events")!])
        let empty = try await sink.checkpoint(topic: "user_events")
        #expect(empty.offsets.isEmpty)
        var decoder = RecordDecoder(schema: .seed("user_events")!, nowMicros: now)
        let message = Array(#"{"event_id":"e1","user_id":"u","event_type":"click","timestamp":"2026-11-26T09:00:00Z"}"#.utf8)
        #expect(message.withUnsafeBytes { decoder.append($0, partition: 0, offset: 7) } == nil)
        let id = try await sink.newBatchID(topic: "user_events")
        let batch = decoder.finish(batchID: id, ingestedAtMicros: now)
        let next = KafkaCheckpoint(topic: "user_events", offsets: [0: 8])
        try await sink.commit(CommitRequest(topic: "user_events", records: batch, expected: empty, checkpoint: next,
                                            batchID: id))
        #expect(try await sink.checkpoint(topic: "user_events") == next)
        // A batch that read partition 0 from the old checkpoint is refused at the commit
        // point, and nothing of it stays in the table.
        let stale = try await sink.newBatchID(topic: "user_events")
        await #expect(throws: CheckpointConflict.self) {
            try await sink.commit(CommitRequest(topic: "user_events", records: batch, expected: empty, checkpoint: next,
                                                batchID: stale))
        }
        #expect(try await sink.checkpoint(topic: "user_events") == next)
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: lake.path).filter { $0.contains(stale) }
        #expect(leftovers.allSatisfy { $0.contains(".rollback") || $0.contains(".heartbeat") == false && !$0.hasSuffix(".parquet") }, "\(leftovers)")

        // Another processor's partition 1 merges into the checkpoint; partition 0 stays.
        var other = RecordDecoder(schema: .seed("user_events")!, nowMicros: now)
        let message2 = Array(#"{"event_id":"e2","user_id":"u","event_type":"click","timestamp":"2026-11-26T09:00:00Z"}"#.utf8)
        #expect(message2.withUnsafeBytes { other.append($0, partition: 1, offset: 3) } == nil)
        let id2 = try await sink.newBatchID(topic: "user_events")
        try await sink.commit(CommitRequest(topic: "user_events", records: other.finish(batchID: id2, ingestedAtMicros: now),
                                            expected: empty, checkpoint: KafkaCheckpoint(topic: "user_events", offsets: [1: 4]),
                                            batchID: id2))
        #expect(try await sink.checkpoint(topic: "user_events").offsets == [0: 8, 1: 4])
    }

    /// A stream's `table_type` wins over the sink's default when its table is created.
    @Test func aStreamsTableTypeCreatesItsTable() async throws {
        let lake = try TestEnvironment.temporaryDirectory("lake")
        var schema = try #require(TopicSchema.seed("user_events"))
        schema.tableType = "merge_on_read"
        let sink = HudiTableSink(root: try LocalObjectStore(root: lake), schemas: [schema])
        var decoder = RecordDecoder(schema: schema, nowMicros: now)
        let message = Array(#"{"event_id":"e1","user_id":"u","event_type":"click","timestamp":"2026-11-26T09:00:00Z"}"#.utf8)
        #expect(message.withUnsafeBytes { decoder.append($0, partition: 0, offset: 0) } == nil)
        let id = try await sink.newBatchID(topic: "user_events")
        try await sink.commit(CommitRequest(topic: "user_events", records: decoder.finish(batchID: id, ingestedAtMicros: now),
                                            expected: KafkaCheckpoint(topic: "user_events", offsets: [:]),
                                            checkpoint: KafkaCheckpoint(topic: "user_events", offsets: [0: 1]), batchID: id))
        let table = try await HudiTable.open(store: try LocalObjectStore(root: lake).scoped(to: schema.table))
        #expect(table.config.type == .mergeOnRead)
    }

    /// A stream's `compaction_max_log_bytes` wins over the sink's: its table compacts a
    /// file group by log size while the sink's default would not yet.
    @Test func aStreamsMaxLogBytesSchedulesItsCompaction() async throws {
        var options = WriteOptions()
        options.compactionMaxDeltaCommits = 0  // never by count
        options.compactInBackground = false    // scheduled only: the plan stays to be seen
        for streamBytes in [nil, 1] as [Int?] {
            let lake = try TestEnvironment.temporaryDirectory("lake")
            var schema = try #require(TopicSchema.seed("user_events"))
            schema.tableType = "merge_on_read"
            schema.compactionMaxLogBytes = streamBytes
            let sink = HudiTableSink(root: try LocalObjectStore(root: lake), schemas: [schema], options: options)
            var checkpoint = KafkaCheckpoint(topic: "user_events", offsets: [:])
            for offset in Int64(0)..<2 {  // an insert, then an update of the same key: a log file
                var decoder = RecordDecoder(schema: schema, nowMicros: now)
                let message = Array(#"{"event_id":"e1","user_id":"u","event_type":"click","timestamp":"2026-11-26T09:00:0\#(offset)Z"}"#.utf8)
                #expect(message.withUnsafeBytes { decoder.append($0, partition: 0, offset: offset) } == nil)
                let id = try await sink.newBatchID(topic: "user_events")
                let next = KafkaCheckpoint(topic: "user_events", offsets: [0: offset + 1])
                try await sink.commit(CommitRequest(topic: "user_events", records: decoder.finish(batchID: id, ingestedAtMicros: now),
                                                    expected: checkpoint, checkpoint: next, batchID: id))
                checkpoint = next
            }
            await sink.close()
            let table = try await HudiTable.open(store: try LocalObjectStore(root: lake).scoped(to: schema.table))
            #expect(try await table.planSnapshot().hasLogFiles)
            let compactions = try await table.timeline().pending.filter { $0.action == "compaction" }
            #expect(compactions.count == (streamBytes == nil ? 0 : 1), "stream's max log bytes \(String(describing: streamBytes))")
        }
    }
}

import Foundation
import Hudi
import Monitoring
import ObjectStore
import Testing
import TributaryTesting
@testable import Pipeline

/// The Hudi sink's metrics through the real exporter: commits, bytes and files written,
/// table size, commit duration, and a rollback of a crashed writer's pending instant.
@Suite struct SinkMetricsTests {
    @Test func commitsAndRollbacksAreCounted() async throws {
        MetricsExport.bootstrap()
        let lake = try TestEnvironment.temporaryDirectory("lake")
        let topic = "sink_metrics_\(UUID().uuidString.prefix(6).lowercased())"
        let schema = TopicSchema.seed("user_events")!.onTopic(topic)
        let sink = HudiTableSink(root: try LocalObjectStore(root: lake), schemas: [schema])
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)

        func commit(_ sink: HudiTableSink, offset: Int64) async throws {
            var decoder = RecordDecoder(schema: schema, nowMicros: now)
            let message = Array(#"{"event_id":"e\#(offset)","user_id":"u","event_type":"click","timestamp":"2026-11-26T09:00:00Z"}"#.utf8)
            #expect(message.withUnsafeBytes { decoder.append($0, partition: 0, offset: offset) } == nil)
            let id = try await sink.newBatchID(topic: topic)
            let expected = try await sink.checkpoint(topic: topic)
            try await sink.commit(CommitRequest(
                topic: topic, records: decoder.finish(batchID: id, ingestedAtMicros: now), expected: expected,
                checkpoint: KafkaCheckpoint(topic: topic, offsets: [0: offset + 1]), batchID: id))
        }
        try await commit(sink, offset: 0)
        var samples = Self.samples(table: topic)
        #expect(samples["tributary_written_bytes_total"].map { $0 > 0 } == true)
        #expect(samples["tributary_files_written_total"] == 1)
        #expect(samples["tributary_commit_duration_seconds_count"] == 1)
        #expect(samples["tributary_table_size_bytes"].map { $0 > 0 } == true)
        #expect(samples["tributary_rollbacks_total"] == nil)

        // A writer crashed mid-commit: its requested + inflight instants are left. The next
        // writer (a new sink, as after a restart) rolls them back.
        let pending = try await sink.newBatchID(topic: topic)
        let hoodie = lake.appendingPathComponent("\(topic)/.hoodie")
        try Data().write(to: hoodie.appendingPathComponent("\(pending).commit.requested"))
        try Data().write(to: hoodie.appendingPathComponent("\(pending).inflight"))
        let restarted = HudiTableSink(root: try LocalObjectStore(root: lake), schemas: [schema])
        try await commit(restarted, offset: 1)
        samples = Self.samples(table: topic)
        #expect(samples["tributary_rollbacks_total"] == 1)
        #expect(samples["tributary_files_written_total"] == 2)
        #expect(!FileManager.default.fileExists(atPath: hoodie.appendingPathComponent("\(pending).inflight").path))
    }

    /// This table's series by name.
    static func samples(table: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for s in Exposition.parse(MetricsExport.render()) where s.labels["table"] == table && s.labels["le"] == nil {
            out[s.name] = s.value
        }
        return out
    }
}

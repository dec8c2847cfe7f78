import Foundation
import Hudi
import Monitoring
import ObjectStore
import Testing
import TributaryTesting
@testable import Pipeline

/// The Hudi sink's metrics through the real exporter: commits, bytes and files written,
/// table size, commit duration, a rollback of a crashed writer's pending instant, and the
/// merge-on-read series (logs, pending and completed compactions).
@Suite struct SinkMetricsTests {
    @Test func commitsAndRollbacksAreCounted() async throws {
        MetricsExport.bootstrap()
        let lake = try TestEnvironment.temporaryDirectory("lake")
        let topic = "sink_metrics_\(UUID().uuidString.prefix(6).lowercased())"
        let schema = TopicSchema.seed("user_events")!.onTopic(topic)
        let sink = HudiTableSink(root: try LocalObjectStore(root: lake), schemas: [schema])
        func commit(_ sink: HudiTableSink, offset: Int64) async throws {
            try await Self.commit(sink, schema, event: "e\(offset)", offset: offset)
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

    @Test func mergeOnReadLogsAndCompactionsAreWatched() async throws {
        MetricsExport.bootstrap()
        let lake = try TestEnvironment.temporaryDirectory("lake")
        let topic = "sink_mor_\(UUID().uuidString.prefix(6).lowercased())"
        let schema = TopicSchema.seed("user_events")!.onTopic(topic)
        var options = WriteOptions()
        options.compactionMaxDeltaCommits = 2
        options.compactInBackground = false  // the test runs the scheduled compaction itself
        let sink = HudiTableSink(root: try LocalObjectStore(root: lake), schemas: [schema], options: options,
                                 tableType: .mergeOnRead, storageRefreshInterval: 0)
        let folder = lake.appendingPathComponent(topic)

        // Delta commit 1 inserts into a base file: no logs yet.
        try await Self.commit(sink, schema, event: "e0", offset: 0, at: "2026-11-26T09:00:00Z")
        var samples = Self.samples(table: topic)
        #expect(samples["tributary_table_log_files"] == 0)
        #expect(samples["tributary_table_log_bytes"] == 0)
        #expect(samples["tributary_table_base_bytes"] == Double(try Self.sizes(in: folder, ending: ".parquet").reduce(0, +)))
        #expect(samples["tributary_pending_compactions"] == 0)
        #expect(samples["tributary_compactions_total"] == nil)

        // Delta commit 2 updates e0: a log file; the second delta commit schedules a compaction.
        try await Self.commit(sink, schema, event: "e0", offset: 1, at: "2026-11-26T10:00:00Z")
        samples = Self.samples(table: topic)
        let logs = try Self.sizes(in: folder, ending: nil, containing: ".log.")
        #expect(logs.count == 1)
        #expect(samples["tributary_table_log_files"] == 1)
        #expect(samples["tributary_table_log_bytes"] == Double(logs.reduce(0, +)))
        #expect(samples["tributary_pending_compactions"] == 1)
        #expect(samples["tributary_compactions_total"] == nil)

        // The compaction folds the log into a new base file.
        let results = try await sink.table(topic: topic).compact(force: false)
        #expect(results.count == 1)
        let compacted = try #require(results.first)
        samples = Self.samples(table: topic)
        #expect(samples["tributary_compactions_total"] == 1)
        #expect(samples["tributary_compaction_duration_seconds_count"] == 1)
        #expect(samples["tributary_compaction_duration_seconds_sum"].map { abs($0 - compacted.seconds) < 0.001 } == true)
        #expect(samples["tributary_pending_compactions"] == 0)
        #expect(samples["tributary_table_log_files"] == 0)
        #expect(samples["tributary_table_log_bytes"] == 0)
        let newBase = try Self.sizes(in: folder, ending: "_\(compacted.instant).parquet")
        #expect(newBase.count == 1)
        #expect(samples["tributary_table_base_bytes"] == Double(newBase.reduce(0, +)))
        await sink.close()
    }

    /// Commits one user event through the sink, as the processor would.
    static func commit(_ sink: HudiTableSink, _ schema: TopicSchema, event: String, offset: Int64,
                       at time: String = "2026-11-26T09:00:00Z") async throws {
        let topic = schema.topic
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        var decoder = RecordDecoder(schema: schema, nowMicros: now)
        let message = Array(#"{"event_id":"\#(event)","user_id":"u","event_type":"click","timestamp":"\#(time)"}"#.utf8)
        #expect(message.withUnsafeBytes { decoder.append($0, partition: 0, offset: offset) } == nil)
        let id = try await sink.newBatchID(topic: topic)
        let expected = try await sink.checkpoint(topic: topic)
        try await sink.commit(CommitRequest(
            topic: topic, records: decoder.finish(batchID: id, ingestedAtMicros: now), expected: expected,
            checkpoint: KafkaCheckpoint(topic: topic, offsets: [0: offset + 1]), batchID: id))
    }

    /// Sizes of the data files under `folder` (not `.hoodie/`) whose names end with `ending`
    /// and contain `containing`.
    static func sizes(in folder: URL, ending: String?, containing: String? = nil) throws -> [Int] {
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.fileSizeKey])?.compactMap { $0 as? URL } ?? []
        return try files.filter { url in
            !url.path.contains("/.hoodie/") && ending.map(url.lastPathComponent.hasSuffix) ?? true
                && containing.map(url.lastPathComponent.contains) ?? true
        }.map { try $0.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0 }
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

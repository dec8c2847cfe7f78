import Foundation
import Hudi
import ObjectStore
@testable import Pipeline
import TributaryTesting

/// A small lake written by the processor's sink: `user_events` with upsert and delete
/// commits, each carrying a Kafka checkpoint.
struct WebTestLake {
    /// "Now" for the decoder (2026-11-26T06:00:00Z): test timestamps lie before it.
    static let now: Int64 = 1_795_687_200_000_000
    let root: URL
    let store: any ObjectStore
    let sink: HudiTableSink
    var instants: [String] = []
    private var checkpoint = KafkaCheckpoint(topic: "user_events", offsets: [:])
    private var offset: Int64 = 0

    init() throws {
        root = try TestEnvironment.temporaryDirectory("web-lake")
        store = try LocalObjectStore(root: root)
        sink = HudiTableSink(root: store, schemas: [.seed("user_events")!])
    }

    static func message(_ k: Int, version v: Int) -> String {
        let types = ["page_view", "click", "signup", "login", "purchase"]
        return #"{"event_id":"e\#(k)","user_id":"u\#(k % 7)","event_type":"\#(types[(k + v) % types.count])","page":"/p/\#(k)/\#(v)","timestamp":"2026-11-\#(24 + k % 2)T10:\#(String(format: "%02d", v % 60)):00Z"}"#
    }

    /// Commits the keys (upserts, or deletes) as one processor batch; returns the instant.
    @discardableResult
    mutating func commit(_ keys: some Sequence<Int>, version: Int, delete: Bool = false) async throws -> String {
        var decoder = RecordDecoder(schema: .seed("user_events")!, nowMicros: Self.now)
        for k in keys {
            let bytes = Array(Self.message(k, version: version).utf8)
            let rejection = bytes.withUnsafeBytes { decoder.append($0, partition: 0, offset: offset) }
            precondition(rejection == nil, "test message rejected: \(String(describing: rejection))")
            offset += 1
        }
        let id = try await sink.newBatchID(topic: "user_events")
        var batch = decoder.finish(batchID: id, ingestedAtMicros: Self.now)
        if delete { batch.operations = [RecordOperation](repeating: .delete, count: batch.count) }
        let next = KafkaCheckpoint(topic: "user_events", offsets: [0: offset])
        try await sink.commit(CommitRequest(topic: "user_events", records: batch, expected: checkpoint, checkpoint: next,
                                            batchID: id))
        checkpoint = next
        instants.append(id)
        return id
    }
}

import Foundation
import Pipeline

/// The processor's hot path alone: RecordDecoder over generated messages of each topic
/// (parse, validate, rules, column building), vs the Python peer pipeline's per-record
/// work (json.loads, timestamp and date) on the same messages in the same run.
enum DecodeBench {
    static func run(_ args: [String]) async throws {
        let count = args.first.flatMap(Int.init) ?? 500_000
        var rows: [[String]] = []
        let only = args.dropFirst().first
        for schema in TopicSchema.seeds where only == nil || only == schema.topic {
            var generator = RecordGenerator(schema: schema, seed: 3)
            let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
            let messages = (0..<count).map { generator.next(nowMicros: now - Int64($0)).value }
            let bytes = messages.reduce(0) { $0 + $1.count }
            var best = Double.infinity
            for _ in 0..<3 {
                var decoder = RecordDecoder(schema: schema, nowMicros: now)
                let start = ContinuousClock.now
                var rejected = 0
                for m in messages {
                    if m.withUnsafeBytes({ decoder.append($0, partition: 0, offset: 0) }) != nil { rejected += 1 }
                }
                let batch = decoder.finish(batchID: "20261126000000000", ingestedAtMicros: now)
                best = min(best, Bench.seconds(.now - start))
                precondition(batch.count + rejected == count)
            }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("decode-\(schema.topic)-\(UUID().uuidString).jsonl")
            defer { try? FileManager.default.removeItem(at: file) }
            var text = Data()
            for m in messages where !m.contains(UInt8(ascii: "\n")) { text.append(contentsOf: m); text.append(UInt8(ascii: "\n")) }
            try text.write(to: file)
            let peer = try Bench.runPeer([Bench.peerScript("decode_peer.py"), file.path])
            let peerRate = (peer["count"] ?? 0) / (peer["seconds"] ?? .infinity)
            let ours = Double(count) / best
            rows.append([schema.topic, "\(bytes / count)", Bench.format(ours), Bench.format(best * 1e9 / Double(count), 0),
                         Bench.format(peerRate), Bench.format(ours / peerRate, 2) + "x"])
        }
        Bench.table(["decode (parse, validate, columns)", "avg bytes", "tributary rec/s", "ns/record", "python json rec/s", "ratio"], rows)
    }
}

import Foundation
import Pipeline

/// The processor's hot path alone: RecordDecoder over generated messages of each seed stream
/// and of a nested one (`Benchmarks/streams/nested.toml`: a 3-field object and a 5-element
/// array), parse, validate, rules and column building, vs two Python peers on the same
/// messages in the same run: the per-record peer pipeline's work (json.loads, timestamp and
/// date) and Arrow's C++ JSON reader over the whole file (the vectorized pipeline peer's parse).
enum DecodeBench {
    static func run(_ args: [String]) async throws {
        let count = args.first.flatMap(Int.init) ?? 500_000
        let only = args.dropFirst().first
        let nestedFile = Bench.packageFile("Benchmarks/streams/nested.toml")
        let schemas = TopicSchema.seeds + (try StreamCatalog.load(configFile: nestedFile))
        var rows: [[String]] = []
        for schema in schemas where only == nil || only == schema.topic {
            rows.append(try measure(schema, count: count))
        }
        Bench.table(["decode (parse, validate, columns)", "avg bytes", "tributary rec/s", "ns/record",
                     "python json rec/s", "ratio", "arrow json rec/s", "ratio"], rows)
    }

    private static func measure(_ schema: TopicSchema, count: Int) throws -> [String] {
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
        let ours = Double(count) / best
        var row = [schema.topic, "\(bytes / count)", Bench.format(ours), Bench.format(best * 1e9 / Double(count), 0)]
        for peerScript in ["decode_peer.py", "decode_vectorized_peer.py"] {
            let peer = try Bench.runPeer([Bench.peerScript(peerScript), file.path])
            let peerRate = (peer["count"] ?? 0) / (peer["seconds"] ?? .infinity)
            row += [Bench.format(peerRate), Bench.format(ours / peerRate, 2) + "x"]
        }
        return row
    }
}

import Foundation
import Pipeline

/// The processor's hot path alone: RecordDecoder over generated messages of each topic
/// (parse, validate, rules, column building), vs Python's json.loads + the same required
/// field checks (the peer pipeline's per-record work) in the same run.
enum DecodeBench {
    static func run(_ args: [String]) async throws {
        let count = args.first.flatMap(Int.init) ?? 500_000
        var rows: [[String]] = []
        let only = args.dropFirst().first
        for schema in TopicSchema.all where only == nil || only == schema.topic {
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
            rows.append([schema.topic, "\(bytes / count)", Bench.format(Double(count) / best), Bench.format(best * 1e9 / Double(count), 0)])
        }
        Bench.table(["decode (parse, validate, columns)", "avg bytes", "records/s", "ns/record"], rows)
    }
}

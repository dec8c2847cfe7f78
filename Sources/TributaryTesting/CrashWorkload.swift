import TributaryCore

/// The deterministic batches `hudi-crash-writer` commits and the crash tests model: batch
/// `n` upserts and deletes keys computed from `n` alone, so the table after any set of
/// committed batches is known.
public enum CrashWorkload {
    public static let keyCount = 48
    public static let days = 3
    /// 2026-11-18T00:00:00Z in epoch microseconds; day `d` of a key is `base + d days`.
    public static let baseMicros: Int64 = 1_795_000_000_000_000 - 1_795_000_000_000_000 % 86_400_000_000
    public static let upsertsPerBatch = 9
    public static let deletesPerBatch = 3

    public struct Op: Sendable, Equatable {
        public var key: String
        /// Partition (0..<days), fixed per key.
        public var day: Int
        public var value: Int64
        /// Precombine / `ts` column: grows with the batch number.
        public var micros: Int64
        public var delete: Bool
    }

    public struct Row: Sendable, Equatable, CustomStringConvertible {
        public var day: Int
        public var value: Int64
        public var batch: Int
        public var description: String { "day \(day) value \(value) batch \(batch)" }
    }

    public static func key(_ i: Int) -> String { "k" + (i < 10 ? "0" : "") + String(i) }
    public static func day(ofKey i: Int) -> Int { i % days }
    public static func date(ofDay d: Int) -> String { ["2026-11-18", "2026-11-19", "2026-11-20"][d % days] }

    /// Batch `n` (n ≥ 1): distinct keys, the first `upsertsPerBatch` upserted, the rest deleted.
    public static func batch(_ n: Int) -> [Op] {
        var random = SeededRandom(seed: UInt64(n) &* 0x9E37_79B9_7F4A_7C15)
        var picked: [Int] = []
        while picked.count < upsertsPerBatch + deletesPerBatch {
            let i = Int(random.next() % UInt64(keyCount))
            if !picked.contains(i) { picked.append(i) }
        }
        return picked.enumerated().map { j, i in
            let d = day(ofKey: i)
            return Op(key: key(i), day: d, value: Int64(n) * 1000 + Int64(i),
                      micros: baseMicros + Int64(d) * 86_400_000_000 + Int64(n) * 1000 + Int64(j),
                      delete: j >= upsertsPerBatch)
        }
    }

    /// The table after batches `1...n` committed in order.
    public static func model(through n: Int) -> [String: Row] {
        var rows: [String: Row] = [:]
        guard n >= 1 else { return rows }
        for b in 1...n {
            for op in batch(b) {
                if op.delete { rows[op.key] = nil } else { rows[op.key] = Row(day: op.day, value: op.value, batch: b) }
            }
        }
        return rows
    }
}

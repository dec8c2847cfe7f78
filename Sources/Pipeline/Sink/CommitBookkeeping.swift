/// A table's Kafka bookkeeping: the checkpoint and, per source partition, where the
/// dead-letter topic ended. Typed everywhere; text only in a commit's extra metadata
/// (`init(metadata:topic:)` reads it, `metadata` writes it).
///
/// Several processors of one group share a table, each owning some Kafka partitions and
/// recording only those: `merging` runs at the commit point (where no other commit can
/// complete). The partitions a commit moves must still hold the offsets its batch read
/// from — else another processor took them over and committed (`CheckpointConflict`, the
/// batch is read again) — and their new offsets are merged into the latest checkpoint,
/// which keeps every other partition as the other processors left it. Dead-letter ends are
/// kept per source partition the same way.
public struct CommitBookkeeping: Sendable, Equatable {
    /// The extra-metadata keys bookkeeping is read from.
    public static let keys = [KafkaCheckpoint.metadataKey, deadLetterEndKey]

    public var checkpoint: KafkaCheckpoint
    public var deadLetterEnds: DeadLetterEnds

    public init(checkpoint: KafkaCheckpoint, deadLetterEnds: DeadLetterEnds = DeadLetterEnds()) {
        self.checkpoint = checkpoint
        self.deadLetterEnds = deadLetterEnds
    }

    /// Reads the latest values of `keys` from a table's commits.
    public init(metadata: [String: String], topic: String) {
        checkpoint = metadata[KafkaCheckpoint.metadataKey].flatMap { KafkaCheckpoint(decoding: $0, topic: topic) }
            ?? KafkaCheckpoint(topic: topic, offsets: [:])
        deadLetterEnds = DeadLetterEnds(parsing: metadata[deadLetterEndKey] ?? "")
    }

    /// As commit extra metadata.
    public var metadata: [String: String] {
        var out = [KafkaCheckpoint.metadataKey: checkpoint.encoded]
        if !deadLetterEnds.isEmpty { out[deadLetterEndKey] = deadLetterEnds.encoded }
        return out
    }

    /// This (the table's latest) bookkeeping after `request`; throws `CheckpointConflict`
    /// when a partition the request moves no longer holds the offset its batch read from.
    public func merging(_ request: CommitRequest) throws -> CommitBookkeeping {
        var merged = self
        var moved: [Int32] = []
        for (partition, offset) in request.checkpoint.offsets where offset != request.expected.offsets[partition] {
            guard checkpoint.offsets[partition] == request.expected.offsets[partition] else {
                throw CheckpointConflict(topic: request.topic, expected: request.expected, actual: checkpoint)
            }
            merged.checkpoint.offsets[partition] = offset
            moved.append(partition)
        }
        if !request.deadLetterEnds.isEmpty {
            for partition in moved { merged.deadLetterEnds.advance(partition, to: request.deadLetterEnds) }
        }
        return merged
    }
}

/// Per source partition, where the dead-letter topic ended (per DLQ partition) after that
/// partition's last commit: `p=d:o/d:o;p=...` in commit metadata. Letters a later,
/// uncommitted batch of `p` sent lie past it, so recovery scans each DLQ partition from
/// the smallest end. (A legacy flat value `d:o,d:o` applies to every source partition.)
public struct DeadLetterEnds: Sendable, Equatable {
    public var bySource: [Int32: [Int32: Int64]] = [:]
    /// A flat (legacy) end, applying to every source partition.
    public var shared: [Int32: Int64] = [:]

    public init(bySource: [Int32: [Int32: Int64]] = [:], shared: [Int32: Int64] = [:]) {
        self.bySource = bySource
        self.shared = shared
    }

    public init(parsing text: String) {
        if !text.contains("=") {
            shared = Self.flat(text)
            return
        }
        for entry in text.split(separator: ";") {
            let parts = entry.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let source = Int32(parts[0]) else { continue }
            bySource[source] = Self.flat(String(parts[1]).replacingOccurrences(of: "/", with: ","))
        }
    }

    public var isEmpty: Bool { bySource.isEmpty && shared.isEmpty }

    /// `d:o,d:o` → offsets by DLQ partition.
    static func flat(_ text: String) -> [Int32: Int64] {
        var out: [Int32: Int64] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: ":")
            if parts.count == 2, let d = Int32(parts[0]), let o = Int64(parts[1]) { out[d] = o }
        }
        return out
    }

    /// Source partition `source` committed with the DLQ ending at `sent` (by DLQ partition).
    mutating func advance(_ source: Int32, to sent: [Int32: Int64]) {
        var current = bySource[source] ?? shared
        current.merge(sent) { max($0, $1) }
        bySource[source] = current
    }

    public var encoded: String {
        if bySource.isEmpty { return shared.keys.sorted().map { "\($0):\(shared[$0] ?? 0)" }.joined(separator: ",") }
        return bySource.keys.sorted().map { source in
            let ends = bySource[source] ?? [:]
            return "\(source)=" + ends.keys.sorted().map { "\($0):\(ends[$0] ?? 0)" }.joined(separator: "/")
        }.joined(separator: ";")
    }

    /// Where to scan a DLQ partition from to find every letter not covered by a commit:
    /// the smallest recorded end (0 when some source partition has none for it).
    public func scanStart(dlqPartition d: Int32) -> Int64 {
        var starts = bySource.values.map { $0[d] ?? 0 }
        if bySource.isEmpty { starts.append(shared[d] ?? 0) }
        return starts.min() ?? 0
    }
}

/// Offsets of a partition a batch could not read, recorded in its commit
/// (`tributary.checkpoint.gaps`, `p:from->to,...`): gone from Kafka before they were read
/// (retention), or skipped because the checkpoint lay past the log end (the topic was
/// recreated, an in-memory broker restarted) and reading went on from the earliest offset.
public struct CheckpointGap: Sendable, Hashable, CustomStringConvertible {
    public var partition: Int32
    /// The checkpoint: where reading should have gone on.
    public var from: Int64
    /// Where it did.
    public var to: Int64

    public init(partition: Int32, from: Int64, to: Int64) {
        (self.partition, self.from, self.to) = (partition, from, to)
    }

    public var description: String { "\(partition):\(from)->\(to)" }

    /// The commit-metadata value of a batch's gaps.
    public static func encoded(_ gaps: [CheckpointGap]) -> String { gaps.map(\.description).joined(separator: ",") }

    /// Gaps from a commit-metadata value (entries that do not parse are left out).
    public static func decoded(_ text: String) -> [CheckpointGap] {
        text.split(separator: ",").compactMap { entry in
            let parts = entry.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let partition = Int32(parts[0]) else { return nil }
            let range = parts[1].split(separator: "-", maxSplits: 1)
            guard range.count == 2, range[1].hasPrefix(">"), let from = Int64(range[0]), let to = Int64(range[1].dropFirst()) else { return nil }
            return CheckpointGap(partition: partition, from: from, to: to)
        }
    }
}

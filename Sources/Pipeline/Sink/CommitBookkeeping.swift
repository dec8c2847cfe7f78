/// How a commit's Kafka bookkeeping joins the table's latest, so several processors of one
/// group can share a table: each owns some Kafka partitions and records only those.
///
/// Run at the commit point (where no other commit can complete): the partitions this commit
/// moves must still hold the offsets the batch read from — else another processor took
/// them over and committed (`CheckpointConflict`, the batch is read again) — and their new
/// offsets are merged into the latest checkpoint, which keeps every other partition as the
/// other processors left it. Dead-letter ends are kept per source partition the same way.
public enum CommitBookkeeping {
    /// The extra-metadata keys a commit needs the latest values of.
    public static let keys = [KafkaCheckpoint.metadataKey, deadLetterEndKey]

    /// The extra metadata this commit records (checkpoint, dead-letter ends) given the
    /// table's latest values; throws `CheckpointConflict` when a moved partition changed.
    public static func merge(latest: [String: String], request: CommitRequest) throws -> [String: String] {
        let topic = request.topic
        let stored = latest[KafkaCheckpoint.metadataKey].flatMap { KafkaCheckpoint(decoding: $0, topic: topic) }
            ?? KafkaCheckpoint(topic: topic, offsets: [:])
        var merged = stored.offsets
        var moved: [Int32] = []
        for (partition, offset) in request.checkpoint.offsets where offset != request.expected.offsets[partition] {
            guard stored.offsets[partition] == request.expected.offsets[partition] else {
                throw CheckpointConflict(topic: topic, expected: request.expected, actual: stored)
            }
            merged[partition] = offset
            moved.append(partition)
        }
        var out = [KafkaCheckpoint.metadataKey: KafkaCheckpoint(topic: topic, offsets: merged).encoded]
        var ends = DeadLetterEnds(parsing: latest[deadLetterEndKey] ?? "")
        if let sent = request.extraMetadata[deadLetterEndKey].map(DeadLetterEnds.flat) {
            for partition in moved { ends.advance(partition, to: sent) }
        }
        if !ends.isEmpty { out[deadLetterEndKey] = ends.encoded }
        return out
    }
}

/// Per source partition, where the dead-letter topic ended (per DLQ partition) after that
/// partition's last commit: `p=d:o/d:o;p=...`. Letters a later, uncommitted batch of `p`
/// sent lie past it, so recovery scans each DLQ partition from the smallest end.
/// (A legacy flat value `d:o,d:o` applies to every source partition.)
public struct DeadLetterEnds: Sendable, Equatable {
    public var bySource: [Int32: [Int32: Int64]] = [:]
    /// A flat (legacy or not-yet-attributed) end, applying to every source partition.
    public var shared: [Int32: Int64] = [:]

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

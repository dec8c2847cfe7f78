/// The Kafka position a table has consumed up to: next offset per partition of one topic,
/// stored in the table's commit metadata under `deltastreamer.checkpoint.key` in the
/// format of Hudi's own Kafka source: `topic,partition:offset,partition:offset`.
public struct KafkaCheckpoint: Sendable, Equatable {
    public static let metadataKey = "deltastreamer.checkpoint.key"

    public var topic: String
    public var offsets: [Int32: Int64]

    public init(topic: String, offsets: [Int32: Int64]) {
        self.topic = topic
        self.offsets = offsets
    }

    public var encoded: String {
        ([topic] + offsets.keys.sorted().map { "\($0):\(offsets[$0] ?? 0)" }).joined(separator: ",")
    }

    /// Parses the metadata value; nil when it is not a checkpoint of `topic`.
    public init?(decoding text: String, topic: String) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard let first = parts.first, first == topic else { return nil }
        var offsets: [Int32: Int64] = [:]
        for part in parts.dropFirst() {
            let pair = part.split(separator: ":")
            guard pair.count == 2, let p = Int32(pair[0]), let o = Int64(pair[1]), p >= 0, o >= 0 else { return nil }
            offsets[p] = o
        }
        self.init(topic: topic, offsets: offsets)
    }

    /// This checkpoint advanced by `other` (the larger offset per partition).
    public func merging(_ other: [Int32: Int64]) -> KafkaCheckpoint {
        KafkaCheckpoint(topic: topic, offsets: offsets.merging(other) { max($0, $1) })
    }
}

import CRdKafka

/// One partition of one topic.
public struct TopicPartition: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (a: TopicPartition, b: TopicPartition) -> Bool {
        (a.topic, a.partition) < (b.topic, b.partition)
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// Owns an `rd_kafka_topic_partition_list_t`.
final class NativePartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(capacity: Int = 4) {
        pointer = rd_kafka_topic_partition_list_new(Int32(capacity))
    }

    /// Builds a list of partitions with optional offsets (`RD_KAFKA_OFFSET_INVALID` when nil).
    convenience init(_ entries: [(TopicPartition, Int64?)]) {
        self.init(capacity: entries.count)
        for (tp, offset) in entries { add(tp, offset: offset) }
    }

    func add(_ tp: TopicPartition, offset: Int64? = nil) {
        let element = rd_kafka_topic_partition_list_add(pointer, tp.topic, tp.partition)
        element?.pointee.offset = offset ?? Int64(RD_KAFKA_OFFSET_INVALID)
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }

    /// The entries of a native list (not owned).
    static func entries(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [PartitionEntry] {
        guard let list, let elems = list.pointee.elems else { return [] }
        return (0..<Int(list.pointee.cnt)).map { i in
            let e = elems[i]
            return PartitionEntry(
                topicPartition: TopicPartition(String(cString: e.topic), e.partition),
                offset: e.offset, error: e.err)
        }
    }
}

struct PartitionEntry {
    var topicPartition: TopicPartition
    var offset: Int64
    var error: rd_kafka_resp_err_t
}

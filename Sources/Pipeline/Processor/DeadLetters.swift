import KafkaClient

/// Headers of a dead-lettered record (the value and key are the original bytes).
public enum DeadLetterHeader {
    public static let stage = "error.stage"
    public static let reason = "error.reason"
    public static let sourceTopic = "source.topic"
    public static let sourcePartition = "source.partition"
    public static let sourceOffset = "source.offset"

    static func make(_ message: ConsumedMessage, _ rejection: Rejection) -> [KafkaHeader] {
        [
            KafkaHeader(stage, rejection.stage.rawValue),
            KafkaHeader(reason, rejection.reason),
            KafkaHeader(sourceTopic, message.topic),
            KafkaHeader(sourcePartition, String(message.partition)),
            KafkaHeader(sourceOffset, String(message.offset)),
        ]
    }
}

/// Commit-metadata key holding the dead-letter topic's end offsets after the batch:
/// `dlqPartition:nextOffset,...`. After a crash, the records the uncommitted batch had
/// already dead-lettered are found by reading the DLQ from there, so re-processing the
/// batch does not send them twice.
public let deadLetterEndKey = "tributary.dlq.end"
/// Commit-metadata key listing checkpoint gaps found in the batch (retention, recreated topics).
public let checkpointGapKey = "tributary.checkpoint.gaps"

import CRdKafka

extension KafkaAdmin {
    /// For each partition, the earliest offset whose message timestamp is at or after
    /// `timestamp` (epoch milliseconds); nil where no such message exists (the time lies
    /// after the partition's last message). librdkafka's `rd_kafka_offsets_for_times`.
    public func offsetsForTimes(_ partitions: [TopicPartition], timestamp: Int64) async throws -> [TopicPartition: Int64?] {
        if partitions.isEmpty { return [:] }
        let handle = self.handle, timeout = timeoutMs
        do {
            return try await handle.offload {
                let list = NativePartitionList(partitions.map { ($0, timestamp) })
                try check(rd_kafka_offsets_for_times(handle.pointer, list.pointer, timeout), "look up offsets for time \(timestamp)")
                var result: [TopicPartition: Int64?] = [:]
                for entry in NativePartitionList.entries(list.pointer) {
                    if entry.error != RD_KAFKA_RESP_ERR_NO_ERROR {
                        throw KafkaError(code: entry.error, operation: "look up offsets for time \(timestamp) in \(entry.topicPartition)")
                    }
                    // -1 (OFFSET_END): no message at or after the time.
                    result[entry.topicPartition] = entry.offset >= 0 ? entry.offset : nil
                }
                return result
            }
        } catch let error as KafkaError {
            throw unreachable(error)
        }
    }
}

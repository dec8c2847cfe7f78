import KafkaClient

/// A producer of an `InMemoryKafka`: a send is stored at once, or fails during an outage
/// (as a delivery timeout would) or when the test asked for failing sends.
struct InMemoryProducer: ProducerClient {
    let kafka: InMemoryKafka

    func send(topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader], partition: Int32?) async throws -> DeliveryReport {
        try kafka.locked { s in
            guard s.reachable else { throw KafkaError(.delivery, operation: "deliver to \(topic)", reason: "Local: Message timed out (in-memory outage)") }
            if s.failingSends > 0 {
                s.failingSends -= 1
                throw KafkaError(.delivery, operation: "deliver to \(topic)", reason: "Local: Message timed out (injected)")
            }
            return try InMemoryKafka.append(topic: topic, partition: partition, key: key, value: value, headers: headers, &s)
        }
    }
}

/// Admin requests of an `InMemoryKafka`; they fail during an outage.
struct InMemoryAdmin: AdminClient {
    let kafka: InMemoryKafka

    func metadata() async throws -> ClusterMetadata {
        try kafka.locked { s in
            guard s.reachable else { throw s.unreachable("metadata") }
            let topics = s.logs.keys.sorted().map { name in
                TopicInfo(name: name, partitions: (s.logs[name] ?? []).indices.map {
                    PartitionInfo(id: Int32($0), leader: 1, replicas: [1], inSyncReplicas: [1])
                })
            }
            return ClusterMetadata(brokers: [BrokerInfo(id: 1, host: "in-memory", port: 0)], topics: topics)
        }
    }

    func watermarks(_ tp: TopicPartition) async throws -> Watermarks {
        try kafka.locked { s in
            guard s.reachable else { throw s.unreachable("query watermarks of \(tp)") }
            guard let log = s.log(tp) else {
                throw KafkaError(.unknownTopicOrPartition, operation: "query watermarks of \(tp)", reason: "Broker: Unknown topic or partition")
            }
            return Watermarks(low: log.start, high: log.end)
        }
    }
}

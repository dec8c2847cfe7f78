import CRdKafka

/// librdkafka's in-process mock Kafka cluster, for fast unit tests without a broker.
public final class MockCluster: @unchecked Sendable {
    private let owner: KafkaHandle
    private let cluster: OpaquePointer
    /// The cluster's bootstrap servers, for `KafkaConfiguration`.
    public let bootstrapServers: String

    public init(brokers: Int32 = 1) throws {
        let conf = try KafkaConfiguration(bootstrapServers: "", properties: ["log_level": "3"]).withoutBootstrap().makeNative()
        owner = try KafkaHandle(type: RD_KAFKA_PRODUCER, conf: conf)
        guard let cluster = rd_kafka_mock_cluster_new(owner.pointer, brokers) else {
            throw KafkaError(.other, operation: "create mock cluster", reason: "librdkafka refused")
        }
        self.cluster = cluster
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    /// Creates a topic on the mock cluster.
    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32 = 1) throws {
        try check(rd_kafka_mock_topic_create(cluster, name, partitions, replicationFactor), "create mock topic \(name)")
    }

    /// Makes the cluster answer requests about `topic` with "topic authorization failed",
    /// as a broker enforcing ACLs does for a principal without them; `false` lifts it.
    public func denyTopic(_ topic: String, _ denied: Bool = true) {
        rd_kafka_mock_topic_set_error(cluster, topic, denied ? RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED : RD_KAFKA_RESP_ERR_NO_ERROR)
    }

    deinit { rd_kafka_mock_cluster_destroy(cluster) }
}

extension KafkaConfiguration {
    func withoutBootstrap() -> KafkaConfiguration {
        var copy = self
        copy.properties.removeValue(forKey: "bootstrap.servers")
        return copy
    }
}

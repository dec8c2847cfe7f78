import CRdKafka

/// One configuration entry of a topic (`retention.ms`, `cleanup.policy`, …).
public struct TopicConfigEntry: Sendable, Equatable {
    public var name: String
    /// nil for sensitive or unset values.
    public var value: String?
    /// True when the broker reports its default rather than a topic override.
    public var isDefault: Bool
    /// Where the value comes from (`DYNAMIC_TOPIC_CONFIG`, `DEFAULT_CONFIG`, …).
    public var source: String

    public init(name: String, value: String?, isDefault: Bool, source: String) {
        (self.name, self.value, self.isDefault, self.source) = (name, value, isDefault, source)
    }
}

extension KafkaAdmin {
    /// The configuration of a topic as the broker reports it (librdkafka's
    /// `rd_kafka_DescribeConfigs` for a topic resource), by entry name. Brokers that do not
    /// implement DescribeConfigs answer with an error (`KafkaError`).
    public func describeTopicConfig(_ topic: String) async throws -> [String: TopicConfigEntry] {
        let handle = self.handle, timeout = timeoutMs
        let operation = "describe the configuration of topic \(topic)"
        do {
            return try await handle.offload {
                guard let resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic) else {
                    throw KafkaError(.other, operation: operation, reason: "could not create the request")
                }
                defer { rd_kafka_ConfigResource_destroy(resource) }
                var resources: [OpaquePointer?] = [resource]
                return try handle.adminRequest(
                    RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, operation: operation, timeout: timeout,
                    send: { rd_kafka_DescribeConfigs(handle.pointer, &resources, 1, $0, $1) },
                    result: rd_kafka_event_DescribeConfigs_result, items: rd_kafka_DescribeConfigs_result_resources
                ) { described in
                    // One resource was asked about, so the answer describes that one.
                    guard let answered = described.first else { return [:] }
                    let code = rd_kafka_ConfigResource_error(answered)
                    if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                        throw KafkaError(code: code, operation: operation,
                                         reason: rd_kafka_ConfigResource_error_string(answered).map { String(cString: $0) } ?? "")
                    }
                    var count = 0
                    guard let configs = rd_kafka_ConfigResource_configs(answered, &count) else { return [:] }
                    var entries: [String: TopicConfigEntry] = [:]
                    for e in (0..<count).compactMap({ configs[$0] }) {
                        let name = String(cString: rd_kafka_ConfigEntry_name(e))
                        entries[name] = TopicConfigEntry(
                            name: name, value: rd_kafka_ConfigEntry_value(e).map { String(cString: $0) },
                            isDefault: rd_kafka_ConfigEntry_is_default(e) != 0,
                            source: String(cString: rd_kafka_ConfigSource_name(rd_kafka_ConfigEntry_source(e))))
                    }
                    return entries
                }
            }
        } catch let error as KafkaError {
            throw unreachable(error)
        }
    }
}

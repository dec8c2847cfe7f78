import CRdKafka
import Foundation

/// A topic to create.
public struct TopicSpec: Sendable, Equatable {
    public var name: String
    public var partitions: Int32
    public var replicationFactor: Int32
    /// Topic configs, e.g. `retention.ms`.
    public var configs: [String: String]

    public init(name: String, partitions: Int32 = 1, replicationFactor: Int32 = 1, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}

/// The outcome of creating one topic.
public enum TopicCreation: Sendable, Equatable {
    case created
    case alreadyExists
}

public struct BrokerInfo: Sendable, Equatable {
    public var id: Int32
    public var host: String
    public var port: Int32

    public init(id: Int32, host: String, port: Int32) {
        (self.id, self.host, self.port) = (id, host, port)
    }
}

public struct PartitionInfo: Sendable, Equatable {
    public var id: Int32
    public var leader: Int32
    public var replicas: [Int32]
    public var inSyncReplicas: [Int32]

    public init(id: Int32, leader: Int32, replicas: [Int32], inSyncReplicas: [Int32]) {
        (self.id, self.leader, self.replicas, self.inSyncReplicas) = (id, leader, replicas, inSyncReplicas)
    }
}

public struct TopicInfo: Sendable, Equatable {
    public var name: String
    public var partitions: [PartitionInfo]
    /// Set when the broker reported an error for this topic.
    public var error: String?

    public init(name: String, partitions: [PartitionInfo], error: String? = nil) {
        (self.name, self.partitions, self.error) = (name, partitions, error)
    }
}

public struct ClusterMetadata: Sendable, Equatable {
    public var brokers: [BrokerInfo]
    public var topics: [TopicInfo]
    public func topic(_ name: String) -> TopicInfo? { topics.first { $0.name == name } }

    public init(brokers: [BrokerInfo], topics: [TopicInfo]) {
        (self.brokers, self.topics) = (brokers, topics)
    }
}

public struct GroupInfo: Sendable, Equatable {
    public var name: String
    public var state: String
    public var protocolType: String
    public var members: Int
}

public struct Watermarks: Sendable, Equatable {
    public var low: Int64
    public var high: Int64

    public init(low: Int64, high: Int64) {
        self.low = low
        self.high = high
    }
}

/// How far a consumer group is behind one partition.
public struct PartitionLag: Sendable, Equatable {
    public var topicPartition: TopicPartition
    /// The group's committed next offset, nil when it never committed.
    public var committed: Int64?
    public var watermarks: Watermarks
    /// Messages not yet consumed: high watermark minus committed (or minus low when
    /// nothing was committed).
    public var lag: Int64 { max(0, watermarks.high - (committed ?? watermarks.low)) }
}

/// Cluster administration: topics, metadata, watermarks, groups, committed offsets and lag.
public final class KafkaAdmin: Sendable {
    let handle: KafkaHandle
    public let configuration: KafkaConfiguration

    public init(configuration: KafkaConfiguration) throws {
        self.configuration = configuration.withDefaults(["client.id": "tributary-admin"])
        handle = try KafkaHandle(type: RD_KAFKA_PRODUCER, conf: try self.configuration.makeNative())
    }

    var timeoutMs: Int32 { configuration.operationTimeoutMilliseconds }

    /// Turns a timeout or transport failure into an error naming the brokers tried.
    func unreachable(_ error: KafkaError) -> KafkaError {
        guard error.kind == .timedOut || error.kind == .brokerUnreachable else { return error }
        // A broker that answered but refused us (TLS, SASL) is a different fix than one that is down.
        // Refused or unresolvable: nothing listens there (the message below says so).
        if let failure = handle.lastConnectionFailure, !failure.contains("state CONNECT)"), !failure.contains("resolve") {
            let plaintext = (configuration["security.protocol"] ?? "plaintext").lowercased() == "plaintext"
            // A TLS listener resets a plaintext client at its first request (ApiVersion).
            let hint = plaintext && failure.contains("state APIVERSION_QUERY")
                ? "the broker dropped the connection at the first request, as a TLS or SASL listener does with a plaintext client: set kafka.security.protocol"
                : "check kafka.security.protocol and the kafka.tls / kafka.sasl settings"
            return KafkaError(
                .brokerUnreachable, code: error.code, operation: error.operation,
                reason: "no Kafka broker at \(configuration.bootstrapServers) could be used within \(configuration.operationTimeout): "
                    + "\(failure); \(hint)")
        }
        return KafkaError(
            .brokerUnreachable, code: error.code, operation: error.operation,
            reason: "no Kafka broker answered at \(configuration.bootstrapServers) within \(configuration.operationTimeout) "
                + "(\(error.reason)); check that the broker runs and kafka.bootstrap_servers is right")
    }

    /// Brokers and topics (partitions, leaders, replicas) of the cluster.
    public func metadata() async throws -> ClusterMetadata {
        let handle = self.handle, timeout = timeoutMs
        do {
            return try await handle.offload {
                var raw: UnsafePointer<rd_kafka_metadata>?
                try check(rd_kafka_metadata(handle.pointer, 1, nil, &raw, timeout), "fetch cluster metadata")
                guard let md = raw?.pointee else {
                    throw KafkaError(.other, operation: "fetch cluster metadata", reason: "empty answer")
                }
                defer { rd_kafka_metadata_destroy(raw) }
                let brokers = (0..<Int(md.broker_cnt)).map { i in
                    let b = md.brokers[i]
                    return BrokerInfo(id: b.id, host: String(cString: b.host), port: b.port)
                }
                let topics = (0..<Int(md.topic_cnt)).map { i in
                    let t = md.topics[i]
                    let partitions = (0..<Int(t.partition_cnt)).map { j in
                        let p = t.partitions[j]
                        return PartitionInfo(
                            id: p.id, leader: p.leader,
                            replicas: (0..<Int(p.replica_cnt)).map { p.replicas[$0] },
                            inSyncReplicas: (0..<Int(p.isr_cnt)).map { p.isrs[$0] })
                    }.sorted { $0.id < $1.id }
                    let error = t.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : String(cString: rd_kafka_err2str(t.err))
                    return TopicInfo(name: String(cString: t.topic), partitions: partitions, error: error)
                }.sorted { $0.name < $1.name }
                return ClusterMetadata(brokers: brokers, topics: topics)
            }
        } catch let error as KafkaError {
            throw unreachable(error)
        }
    }

    /// Creates topics; existing ones are reported as `.alreadyExists`, not as errors.
    public func createTopics(_ specs: [TopicSpec]) async throws -> [String: TopicCreation] {
        guard !specs.isEmpty else { return [:] }
        let handle = self.handle, timeout = timeoutMs
        do {
            return try await handle.offload {
                var errorBuffer = [CChar](repeating: 0, count: 512)
                var newTopics: [OpaquePointer?] = []
                defer { for t in newTopics { rd_kafka_NewTopic_destroy(t) } }
                for spec in specs {
                    guard let topic = rd_kafka_NewTopic_new(spec.name, spec.partitions, spec.replicationFactor, &errorBuffer, errorBuffer.count) else {
                        throw KafkaError(.configuration, operation: "create topic \(spec.name)", reason: errorBuffer.nulTerminatedText)
                    }
                    newTopics.append(topic)
                    for (key, value) in spec.configs.sorted(by: { $0.key < $1.key }) {
                        try check(rd_kafka_NewTopic_set_config(topic, key, value), "topic \(spec.name) config \(key)")
                    }
                }
                return try handle.adminRequest(RD_KAFKA_ADMIN_OP_CREATETOPICS, operation: "create topics", timeout: timeout,
                                               operationTimeout: true, send: { options, queue in
                    newTopics.withUnsafeMutableBufferPointer {
                        rd_kafka_CreateTopics(handle.pointer, $0.baseAddress, $0.count, options, queue)
                    }
                }, read: { event in
                    var count = 0
                    guard let result = rd_kafka_event_CreateTopics_result(event),
                          let topics = rd_kafka_CreateTopics_result_topics(result, &count) else {
                        throw KafkaError(.other, operation: "create topics", reason: "unexpected answer")
                    }
                    var outcome: [String: TopicCreation] = [:]
                    for i in 0..<count {
                        let name = String(cString: rd_kafka_topic_result_name(topics[i]))
                        let err = rd_kafka_topic_result_error(topics[i])
                        switch err {
                        case RD_KAFKA_RESP_ERR_NO_ERROR: outcome[name] = .created
                        case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS: outcome[name] = .alreadyExists
                        default:
                            let message = rd_kafka_topic_result_error_string(topics[i]).map { String(cString: $0) }
                            throw KafkaError(code: err, operation: "create topic \(name)", reason: message)
                        }
                    }
                    return outcome
                })
            }
        } catch let error as KafkaError {
            throw unreachable(error)
        }
    }

    /// Low and high watermarks of a partition, asked of its leader.
    /// (Tansu 0.6 answers the high watermark wrongly — see tools.md; real Kafka is right.)
    public func watermarks(_ tp: TopicPartition) async throws -> Watermarks {
        let handle = self.handle, timeout = timeoutMs
        do {
            return try await handle.offload {
                var low: Int64 = -1, high: Int64 = -1
                try check(rd_kafka_query_watermark_offsets(handle.pointer, tp.topic, tp.partition, &low, &high, timeout),
                          "query watermarks of \(tp)")
                return Watermarks(low: low, high: high)
            }
        } catch let error as KafkaError {
            throw unreachable(error)
        }
    }

    /// Consumer groups known to the cluster.
    public func listGroups() async throws -> [GroupInfo] {
        let handle = self.handle, timeout = timeoutMs
        do {
            return try await handle.offload {
                var raw: UnsafePointer<rd_kafka_group_list>?
                try check(rd_kafka_list_groups(handle.pointer, nil, &raw, timeout), "list consumer groups")
                guard let list = raw?.pointee else { return [] }
                defer { rd_kafka_group_list_destroy(raw) }
                return (0..<Int(list.group_cnt)).map { i in
                    let g = list.groups[i]
                    return GroupInfo(
                        name: String(cString: g.group), state: g.state.map { String(cString: $0) } ?? "",
                        protocolType: g.protocol_type.map { String(cString: $0) } ?? "", members: Int(g.member_cnt))
                }.sorted { $0.name < $1.name }
            }
        } catch let error as KafkaError {
            throw unreachable(error)
        }
    }

    /// The committed next offsets of `group` for `partitions` (nil: every partition the
    /// group committed to).
    public func committedOffsets(group: String, partitions: [TopicPartition]?) async throws -> [TopicPartition: Int64] {
        if partitions?.isEmpty == true { return [:] }
        let handle = self.handle, timeout = timeoutMs
        do {
            return try await handle.offload {
                let operation = "fetch offsets of group \(group)"
                let list = partitions.map { NativePartitionList($0.map { ($0, nil) }) }
                var request: OpaquePointer? = rd_kafka_ListConsumerGroupOffsets_new(group, list?.pointer)
                defer { rd_kafka_ListConsumerGroupOffsets_destroy(request) }
                return try handle.adminRequest(
                    RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, operation: operation, timeout: timeout,
                    send: { rd_kafka_ListConsumerGroupOffsets(handle.pointer, &request, 1, $0, $1) },
                    result: rd_kafka_event_ListConsumerGroupOffsets_result, items: rd_kafka_ListConsumerGroupOffsets_result_groups
                ) { groups in
                    var offsets: [TopicPartition: Int64] = [:]
                    for groupResult in groups {
                        if let error = rd_kafka_group_result_error(groupResult) {
                            throw KafkaError(code: rd_kafka_error_code(error), operation: operation,
                                             reason: String(cString: rd_kafka_error_string(error)))
                        }
                        for entry in NativePartitionList.entries(rd_kafka_group_result_partitions(groupResult))
                        where entry.offset >= 0 && entry.error == RD_KAFKA_RESP_ERR_NO_ERROR {
                            offsets[entry.topicPartition] = entry.offset
                        }
                    }
                    return offsets
                }
            }
        } catch let error as KafkaError {
            throw unreachable(error)
        }
    }

    /// Lag of `group` on every partition of `topics` (nil: the topics it committed to).
    public func lag(group: String, topics: [String]? = nil) async throws -> [PartitionLag] {
        let md = try await metadata()
        let names: [String]
        if let topics {
            names = topics
        } else {
            let committed = try await committedOffsets(group: group, partitions: nil)
            names = Array(Set(committed.keys.map(\.topic))).sorted()
        }
        let partitions = names.flatMap { name in
            (md.topic(name)?.partitions ?? []).map { TopicPartition(name, $0.id) }
        }
        let committed = try await committedOffsets(group: group, partitions: partitions)
        var result: [PartitionLag] = []
        for tp in partitions {
            let marks = try await watermarks(tp)
            result.append(PartitionLag(topicPartition: tp, committed: committed[tp], watermarks: marks))
        }
        return result
    }
}

/// The Kafka a component needs, as small protocols: `KafkaConsumer`, `KafkaProducer` and
/// `KafkaAdmin` (librdkafka) implement them, and so does `InMemoryKafka` (KafkaTesting),
/// which lets offset, rebalance and outage logic be tested without a broker.

/// A consumer: group subscription (partitions arrive and leave through rebalances served
/// inside `poll`), or partitions assigned by hand.
public protocol ConsumerClient: AnyObject, Sendable {
    /// The partitions currently assigned.
    var assignment: Set<TopicPartition> { get }
    /// Joins the group and subscribes to `topics`.
    func subscribe(_ topics: [String]) throws
    /// Assigns partitions by hand, each from an offset or, when nil, from the committed
    /// offset / `auto.offset.reset`.
    func assign(_ partitions: [TopicPartition: Int64?]) throws
    /// Waits up to `timeout` for messages; rebalances are served during the call.
    func poll(maxMessages: Int, timeout: Duration) async throws -> PollResult
    /// Moves the read position of assigned partitions.
    func seek(_ offsets: [TopicPartition: Int64]) async throws
    /// Commits next offsets to the group.
    func commit(_ offsets: [TopicPartition: Int64]) async throws
    /// Low and high watermarks last seen in fetch responses (no broker round trip).
    func cachedWatermarks(_ tp: TopicPartition) -> (low: Int64, high: Int64)?
    /// Leaves the group (revoking partitions) and stops.
    func close() async throws
}

/// A producer that waits for each message's acknowledgement.
public protocol ProducerClient: Sendable {
    func send(topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader], partition: Int32?) async throws -> DeliveryReport
}

/// Cluster questions: topics and partitions, a partition's watermarks.
public protocol AdminClient: Sendable {
    func metadata() async throws -> ClusterMetadata
    func watermarks(_ tp: TopicPartition) async throws -> Watermarks
}

/// Called inside a rebalance: where to start reading an assigned partition (nil: the
/// committed offset or `auto.offset.reset`; -2: the beginning), and a hook before
/// partitions are given up, which may block but must not use the consumer.
public struct RebalanceHooks: Sendable {
    public var startOffset: (@Sendable (TopicPartition) -> Int64?)?
    public var beforeRevoke: (@Sendable ([TopicPartition]) -> Void)?

    public init(startOffset: (@Sendable (TopicPartition) -> Int64?)? = nil,
                beforeRevoke: (@Sendable ([TopicPartition]) -> Void)? = nil) {
        self.startOffset = startOffset
        self.beforeRevoke = beforeRevoke
    }
}

/// Where a component gets its clients. `settings` are client properties applied where
/// the configuration sets none (librdkafka tuning; an in-memory cluster ignores them).
public protocol KafkaClients: Sendable {
    /// The cluster's address, for logs.
    var servers: String { get }
    func consumer(groupID: String?, settings: [String: String], hooks: RebalanceHooks) throws -> any ConsumerClient
    func producer(settings: [String: String]) throws -> any ProducerClient
    /// An admin client; `operationTimeout` overrides the configuration's (short probes).
    func admin(operationTimeout: Duration?) throws -> any AdminClient
}

/// The real clients: librdkafka against the configured cluster.
public struct LibrdkafkaClients: KafkaClients {
    public let configuration: KafkaConfiguration

    public init(configuration: KafkaConfiguration) { self.configuration = configuration }

    public var servers: String { configuration.bootstrapServers }

    public func consumer(groupID: String?, settings: [String: String], hooks: RebalanceHooks) throws -> any ConsumerClient {
        try KafkaConsumer(configuration: configuration.withDefaults(settings), groupID: groupID,
                          startOffset: hooks.startOffset, beforeRevoke: hooks.beforeRevoke)
    }

    public func producer(settings: [String: String]) throws -> any ProducerClient {
        try KafkaProducer(configuration: configuration.withDefaults(settings))
    }

    public func admin(operationTimeout: Duration?) throws -> any AdminClient {
        var configuration = self.configuration
        if let operationTimeout { configuration.operationTimeout = operationTimeout }
        return try KafkaAdmin(configuration: configuration)
    }
}

extension KafkaConsumer: ConsumerClient {}
extension KafkaAdmin: AdminClient {}
extension KafkaProducer: ProducerClient {}

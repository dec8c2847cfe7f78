import CRdKafka
import Foundation
import Synchronization

/// A change of the partitions assigned to this consumer by its group.
public enum RebalanceEvent: Sendable, Equatable {
    case assigned([TopicPartition])
    case revoked([TopicPartition])
    /// The group lost the partitions without a clean revoke (e.g. session timeout).
    case lost([TopicPartition])
}

/// A Kafka consumer over librdkafka: group subscription with rebalance events, manual
/// assign and seek, batch polling and manual offset commits (auto commit is off by
/// default: the table commit, not Kafka, is the source of truth for where to resume).
public final class KafkaConsumer: Sendable {
    private let handle: KafkaHandle
    private let context: RebalanceContext
    private let queue: ConsumerQueue
    public let configuration: KafkaConfiguration
    /// Serialises polls: librdkafka's queue is served by one caller at a time.
    private let pollLock = Mutex(())

    /// Creates a consumer.
    /// - Parameters:
    ///   - groupID: the consumer group (`group.id`); required for `subscribe` and `commit`.
    ///   - startOffset: called on every partition assignment, inside the rebalance, to
    ///     choose where to start reading that partition (nil: the committed offset, or
    ///     `auto.offset.reset` when there is none). The processor answers with the
    ///     checkpoint stored in the table's latest commit.
    ///   - beforeRevoke: called inside the rebalance, before partitions are given up; it
    ///     may block (the processor waits there for the batch it is committing), but must
    ///     not use this consumer.
    public init(
        configuration: KafkaConfiguration, groupID: String? = nil,
        startOffset: (@Sendable (TopicPartition) -> Int64?)? = nil,
        beforeRevoke: (@Sendable ([TopicPartition]) -> Void)? = nil
    ) throws {
        var config = configuration.withDefaults(KafkaConfiguration.consumerDefaults)
        if let groupID { config["group.id"] = groupID }
        if config["group.id"] == nil {
            // librdkafka needs a group id for a consumer handle even without a group.
            config["group.id"] = "tributary-standalone-\(UUID().uuidString.prefix(8))"
        }
        self.configuration = config
        let conf = try config.makeNative()
        let context = RebalanceContext(startOffset: startOffset, beforeRevoke: beforeRevoke)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_rebalance_cb(conf, rebalanceCallback)
        // Client-level errors (all brokers down, transport failures) do not come through
        // the message queue by themselves: collect them so `poll` returns them.
        rd_kafka_conf_set_error_cb(conf, consumerErrorCallback)
        let handle = try KafkaHandle(type: RD_KAFKA_CONSUMER, conf: conf)
        handle.callbackContext = Unmanaged.passRetained(context as AnyObject)
        rd_kafka_poll_set_consumer(handle.pointer)
        guard let queue = rd_kafka_queue_get_consumer(handle.pointer) else {
            throw KafkaError(.other, operation: "create consumer", reason: "no consumer queue")
        }
        self.handle = handle
        self.context = context
        self.queue = ConsumerQueue(pointer: queue)
    }

    deinit {
        queue.destroy()
        // Leave the group cleanly (serves the final revoke) before the handle goes away.
        _ = rd_kafka_consumer_close(handle.pointer)
    }

    /// Assignment changes, in order. Finishes when the consumer is closed.
    public var rebalanceEvents: AsyncStream<RebalanceEvent> { context.events }

    /// The partitions currently assigned.
    public var assignment: Set<TopicPartition> { context.assignment }

    /// Joins the group and subscribes to `topics`; partitions arrive through rebalances
    /// served while you `poll`.
    public func subscribe(_ topics: [String]) throws {
        let list = NativePartitionList(capacity: topics.count)
        for topic in topics { list.add(TopicPartition(topic, RD_KAFKA_PARTITION_UA)) }
        try check(rd_kafka_subscribe(handle.pointer, list.pointer), "subscribe to \(topics.joined(separator: ", "))")
        context.joining()
    }

    /// Assigns partitions by hand (no group rebalancing), each from an offset or, when
    /// nil, from the committed offset / `auto.offset.reset`.
    public func assign(_ partitions: [TopicPartition: Int64?]) throws {
        let list = NativePartitionList(partitions.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        try check(rd_kafka_assign(handle.pointer, list.pointer), "assign \(partitions.keys.sorted())")
        context.setAssignment(Set(partitions.keys))
    }

    /// Moves the read position of assigned partitions.
    public func seek(_ offsets: [TopicPartition: Int64]) async throws {
        let handle = self.handle
        let timeout = configuration.operationTimeoutMilliseconds
        let entries = offsets.map { ($0.key, Optional($0.value)) }
        try await handle.offload {
            let list = NativePartitionList(entries)
            if let error = rd_kafka_seek_partitions(handle.pointer, list.pointer, timeout) {
                throw KafkaError(consuming: error, operation: "seek \(offsets)")
            }
            for entry in NativePartitionList.entries(list.pointer) where entry.error != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(code: entry.error, operation: "seek \(entry.topicPartition) to \(entry.offset)")
            }
        }
    }

    /// Waits up to `timeout` for messages and returns up to `maxMessages` of them
    /// (fewer when the timeout passes first). Rebalances are served during the call.
    /// Non-fatal consumer errors (e.g. a subscribed topic that does not exist yet) are
    /// returned in `errors`.
    public func poll(maxMessages: Int, timeout: Duration) async throws -> PollResult {
        let handle = self.handle, queue = self.queue
        let timeoutMs = timeout.milliseconds
        let limit = max(1, maxMessages)
        return try await handle.offload {
            try self.pollLock.withLock { _ in
                _ = handle
                let buffer = UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>.allocate(capacity: limit)
                defer { buffer.deallocate() }
                let count = rd_kafka_consume_batch_queue(queue.pointer, timeoutMs, buffer, limit)
                if count < 0 {
                    throw KafkaError(code: rd_kafka_last_error(), operation: "poll messages")
                }
                var result = PollResult()
                result.errors = self.context.drainErrors()
                result.messages.reserveCapacity(buffer, count: count)
                var lastTopic: (OpaquePointer?, Int32) = (nil, 0)
                for i in 0..<count {
                    guard let message = buffer[i] else { continue }
                    let err = message.pointee.err
                    if err == RD_KAFKA_RESP_ERR_NO_ERROR {
                        result.messages.append(message, lastTopic: &lastTopic)
                    } else if err != RD_KAFKA_RESP_ERR__PARTITION_EOF {
                        var reason = String(cString: rd_kafka_err2str(err))
                        if let payload = message.pointee.payload, message.pointee.len > 0 {
                            reason = String(decoding: UnsafeRawBufferPointer(start: payload, count: message.pointee.len), as: UTF8.self)
                        }
                        let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) }
                        result.errors.append(KafkaError(code: err, operation: "consume", reason: reason, topic: topic))
                    }
                    rd_kafka_message_destroy(message)
                }
                return result
            }
        }
    }

    /// Commits the given next offsets (one past the last processed message) to the group.
    public func commit(_ offsets: [TopicPartition: Int64]) async throws {
        guard !offsets.isEmpty else { return }
        let handle = self.handle
        let entries = offsets.sorted { $0.key < $1.key }.map { ($0.key, Optional($0.value)) }
        try await handle.offload {
            let list = NativePartitionList(entries)
            try check(rd_kafka_commit(handle.pointer, list.pointer, 0), "commit offsets \(offsets)")
            for entry in NativePartitionList.entries(list.pointer) where entry.error != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(code: entry.error, operation: "commit offset of \(entry.topicPartition)")
            }
        }
    }

    /// The group's committed offsets for `partitions` (absent: none committed).
    public func committed(_ partitions: [TopicPartition]) async throws -> [TopicPartition: Int64] {
        let handle = self.handle
        let timeout = configuration.operationTimeoutMilliseconds
        return try await handle.offload {
            let list = NativePartitionList(partitions.map { ($0, nil) })
            try check(rd_kafka_committed(handle.pointer, list.pointer, timeout), "fetch committed offsets")
            var result: [TopicPartition: Int64] = [:]
            for entry in NativePartitionList.entries(list.pointer) where entry.offset >= 0 {
                result[entry.topicPartition] = entry.offset
            }
            return result
        }
    }

    /// Low and high watermarks last seen in fetch responses (no broker round trip).
    public func cachedWatermarks(_ tp: TopicPartition) -> (low: Int64, high: Int64)? {
        var low: Int64 = -1, high: Int64 = -1
        let code = rd_kafka_get_watermark_offsets(handle.pointer, tp.topic, tp.partition, &low, &high)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { return nil }
        return (low, high)
    }

    /// Leaves the group (revoking partitions) and stops the consumer. A consumer in the middle
    /// of a rebalance first finishes it (polling for up to 10 s; records polled
    /// meanwhile are dropped, as nothing was committed from them): Tansu 0.6 never forgets a
    /// leader that leaves while the group is forming, and then no member is ever assigned
    /// anything (seen in the rolling-restart test: SIGTERM during a rebalance, elected leader
    /// while finishing the batch, left before its SyncGroup). Leaving a formed group is fine.
    public func close() async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while context.isRebalancing, ContinuousClock.now < deadline {
            _ = try? await poll(maxMessages: 1_000, timeout: .milliseconds(100))
        }
        let handle = self.handle
        try await handle.offload { try check(rd_kafka_consumer_close(handle.pointer), "close consumer") }
        context.finish()
    }
}

/// What one `poll` returned.
public struct PollResult: Sendable {
    public var messages = ConsumedBatch()
    public var errors: [KafkaError] = []

    public init(messages: ConsumedBatch = ConsumedBatch(), errors: [KafkaError] = []) {
        self.messages = messages
        self.errors = errors
    }
}

/// The consumer's message queue (thread-safe in librdkafka).
final class ConsumerQueue: @unchecked Sendable {
    let pointer: OpaquePointer
    private let destroyed = Mutex(false)
    init(pointer: OpaquePointer) { self.pointer = pointer }
    func destroy() {
        if destroyed.withLock({ d in defer { d = true }; return d }) { return }
        rd_kafka_queue_destroy(pointer)
    }
    deinit { destroy() }
}

/// Reached from librdkafka's rebalance callback through the configuration's opaque pointer.
final class RebalanceContext: Sendable {
    let events: AsyncStream<RebalanceEvent>
    private let continuation: AsyncStream<RebalanceEvent>.Continuation
    private let startOffset: (@Sendable (TopicPartition) -> Int64?)?
    private let beforeRevoke: (@Sendable ([TopicPartition]) -> Void)?
    private let assigned = Mutex(Set<TopicPartition>())
    /// Client-level errors since the last poll (bounded: a long outage repeats the same ones).
    private let clientErrors = Mutex([KafkaError]())

    func recordError(_ error: KafkaError) {
        clientErrors.withLock { if $0.count < 64 { $0.append(error) } }
    }

    func drainErrors() -> [KafkaError] {
        clientErrors.withLock { errors in defer { errors.removeAll() }; return errors }
    }

    init(startOffset: (@Sendable (TopicPartition) -> Int64?)?, beforeRevoke: (@Sendable ([TopicPartition]) -> Void)? = nil) {
        (events, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        self.startOffset = startOffset
        self.beforeRevoke = beforeRevoke
    }

    /// True from subscribing until the group assigns (possibly nothing), and again from a
    /// revoke until the assignment that ends that rebalance.
    private let rebalancing = Mutex(false)
    var isRebalancing: Bool { rebalancing.withLock { $0 } }
    func joining() { rebalancing.withLock { $0 = true } }

    var assignment: Set<TopicPartition> { assigned.withLock { $0 } }
    func setAssignment(_ partitions: Set<TopicPartition>) { assigned.withLock { $0 = partitions } }
    func finish() { continuation.finish() }

    func rebalance(rk: OpaquePointer, err: rd_kafka_resp_err_t, list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
        let partitions = NativePartitionList.entries(list).map(\.topicPartition)
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            if let startOffset, let elems = list.pointee.elems {
                for i in 0..<Int(list.pointee.cnt) {
                    let tp = TopicPartition(String(cString: elems[i].topic), elems[i].partition)
                    if let offset = startOffset(tp) { elems[i].offset = offset }
                }
            }
            if cooperative {
                if let error = rd_kafka_incremental_assign(rk, list) { rd_kafka_error_destroy(error) }
            } else {
                _ = rd_kafka_assign(rk, list)
            }
            assigned.withLock { set in
                if !cooperative { set.removeAll() }
                set.formUnion(partitions)
            }
            rebalancing.withLock { $0 = false }
            continuation.yield(.assigned(partitions))
        default:
            let lost = rd_kafka_assignment_lost(rk) != 0
            beforeRevoke?(partitions)
            if cooperative {
                if let error = rd_kafka_incremental_unassign(rk, list) { rd_kafka_error_destroy(error) }
            } else {
                _ = rd_kafka_assign(rk, nil)
            }
            assigned.withLock { set in set.subtract(partitions) }
            rebalancing.withLock { $0 = true }
            continuation.yield(lost ? .lost(partitions) : .revoked(partitions))
        }
    }
}

private let rebalanceCallback: @convention(c) (
    OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?
) -> Void = { rk, err, list, opaque in
    guard let rk, let list, let opaque else { return }
    Unmanaged<RebalanceContext>.fromOpaque(opaque).takeUnretainedValue().rebalance(rk: rk, err: err, list: list)
}

private let consumerErrorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = { _, code, reason, opaque in
    guard let opaque else { return }
    let text = reason.map { String(cString: $0) } ?? ""
    Unmanaged<RebalanceContext>.fromOpaque(opaque).takeUnretainedValue()
        .recordError(KafkaError(code: rd_kafka_resp_err_t(code), operation: "consume", reason: text))
}

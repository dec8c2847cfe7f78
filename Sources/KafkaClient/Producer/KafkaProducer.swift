import CRdKafka
import Foundation
import Synchronization

/// A header of a Kafka message.
public struct KafkaHeader: Sendable, Equatable, Hashable {
    public var name: String
    public var value: [UInt8]?

    public init(_ name: String, _ value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    public init(_ name: String, _ value: String) {
        self.init(name, Array(value.utf8))
    }

    public var stringValue: String? { value.map { String(decoding: $0, as: UTF8.self) } }
}

/// Where a message was stored.
public struct DeliveryReport: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64

    public init(topic: String, partition: Int32, offset: Int64) {
        (self.topic, self.partition, self.offset) = (topic, partition, offset)
    }
}

/// An idempotent, batching Kafka producer over librdkafka.
///
/// `send` waits for the broker's acknowledgement of one message. `enqueue` hands a
/// message to librdkafka's queue and returns at once (the fast path: no allocation
/// beyond librdkafka's copy of the payload); `flush` then waits for every enqueued
/// message and reports the ones that failed.
public final class KafkaProducer: Sendable {
    private let core: ProducerCore
    public let configuration: KafkaConfiguration

    /// Creates the producer with `configuration.producerTuning`, then the defaults of
    /// `KafkaConfiguration.producerDefaults`, applied where `configuration` sets nothing.
    public init(configuration: KafkaConfiguration) throws {
        let config = configuration.withDefaults(configuration.producerTuning).withDefaults(KafkaConfiguration.producerDefaults)
        self.configuration = config
        let conf = try config.makeNative()
        // Delivery reports and errors arrive as events on the main queue, which our
        // poller thread serves (no C callbacks, no per-message closures).
        rd_kafka_conf_set_events(conf, Int32(RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR))
        let handle = try KafkaHandle(type: RD_KAFKA_PRODUCER, conf: conf)
        core = ProducerCore(handle: handle)
        core.startPoller()
    }

    deinit { core.stop() }

    /// Sends one message and waits until the broker has acknowledged it.
    @discardableResult
    public func send(
        topic: String, key: [UInt8]? = nil, value: [UInt8], headers: [KafkaHeader] = [],
        partition: Int32? = nil
    ) async throws -> DeliveryReport {
        let id = core.nextTicket()
        return try await withCheckedThrowingContinuation { continuation in
            core.registerWaiter(id, continuation)
            do {
                try core.produce(topic: topic, key: key, value: value, headers: headers, partition: partition, ticket: id)
            } catch {
                core.failWaiter(id, error)
            }
        }
    }

    /// Hands a message to librdkafka's queue; waits (without blocking a thread) while
    /// the queue is full. Delivery failures are reported by `flush`.
    public func enqueue(
        topic: String, key: [UInt8]? = nil, value: [UInt8], headers: [KafkaHeader] = [],
        partition: Int32? = nil
    ) async throws {
        while true {
            do {
                try core.produce(topic: topic, key: key, value: value, headers: headers, partition: partition, ticket: 0)
                return
            } catch let error as KafkaError where error.code == RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue {
                try await Task.sleep(for: .milliseconds(1))
            }
        }
    }

    /// Same as `enqueue(topic:key:value:...)` with raw buffers, for callers that hold
    /// bytes in their own storage (no copy until librdkafka's own).
    public func enqueue(
        topic: String, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer, partition: Int32? = nil
    ) throws -> Bool {
        do {
            try core.produceRaw(topic: topic, key: key, value: value, headers: nil, partition: partition, ticket: 0)
            return true
        } catch let error as KafkaError where error.code == RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue {
            return false
        }
    }

    /// Waits until every enqueued message is delivered or failed; throws a `FlushError`
    /// listing failures since the last flush, or a timeout.
    public func flush(timeout: Duration? = nil) async throws {
        let timeoutMs = (timeout ?? configuration.operationTimeout).milliseconds
        let handle = core.handle
        let code = try await handle.offload { rd_kafka_flush(handle.pointer, timeoutMs) }
        try await core.waitUntilIdle(timeout: timeout ?? configuration.operationTimeout)
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(code: code, operation: "flush producer (\(core.inFlight) messages still queued)")
        }
        let failures = core.takeFailures()
        if !failures.isEmpty { throw FlushError(failures: failures) }
    }

    /// Messages enqueued and not yet acknowledged or failed.
    public var inFlight: Int { core.inFlight }
}

/// Deliveries that failed since the previous flush.
public struct FlushError: Error, CustomStringConvertible {
    public var failures: [KafkaError]
    public var description: String {
        "\(failures.count) message(s) were not delivered; first: \(failures.first.map(String.init(describing:)) ?? "")"
    }
}

/// State shared by the producer and its poller thread.
final class ProducerCore: Sendable {
    let handle: KafkaHandle
    private let ticketCounter = Atomic<UInt64>(1)
    private let inFlightCounter = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)
    private struct State {
        var waiters: [UInt64: CheckedContinuation<DeliveryReport, any Error>] = [:]
        var failures: [KafkaError] = []
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())
    private let pollerDone = DispatchSemaphore(value: 0)

    init(handle: KafkaHandle) { self.handle = handle }

    var inFlight: Int { inFlightCounter.load(ordering: .relaxed) }

    func nextTicket() -> UInt64 { ticketCounter.add(1, ordering: .relaxed).oldValue }

    func registerWaiter(_ id: UInt64, _ continuation: CheckedContinuation<DeliveryReport, any Error>) {
        state.withLock { $0.waiters[id] = continuation }
    }

    func failWaiter(_ id: UInt64, _ error: any Error) {
        let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
        waiter?.resume(throwing: error)
    }

    func takeFailures() -> [KafkaError] {
        state.withLock { state in
            defer { state.failures = [] }
            return state.failures
        }
    }

    func produce(
        topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader], partition: Int32?, ticket: UInt64
    ) throws {
        try value.withUnsafeBytes { valueBytes in
            if let key {
                try key.withUnsafeBytes { keyBytes in
                    try produceRaw(topic: topic, key: keyBytes, value: valueBytes, headers: headers, partition: partition, ticket: ticket)
                }
            } else {
                try produceRaw(topic: topic, key: nil, value: valueBytes, headers: headers, partition: partition, ticket: ticket)
            }
        }
    }

    func produceRaw(
        topic: String, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer, headers: [KafkaHeader]?,
        partition: Int32?, ticket: UInt64
    ) throws {
        if stopped.load(ordering: .relaxed) {
            throw KafkaError(.closed, operation: "produce to \(topic)", reason: "the producer is closed")
        }
        var nativeHeaders: OpaquePointer?
        if let headers, !headers.isEmpty {
            nativeHeaders = rd_kafka_headers_new(headers.count)
            for header in headers {
                if let v = header.value {
                    _ = v.withUnsafeBytes { rd_kafka_header_add(nativeHeaders, header.name, -1, $0.baseAddress, $0.count) }
                } else {
                    _ = rd_kafka_header_add(nativeHeaders, header.name, -1, nil, 0)
                }
            }
        }
        let error: OpaquePointer? = topic.withCString { topicName in
            withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 8) { vus in
                var count = 0
                func push(_ vtype: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
                    var vu = rd_kafka_vu_t()
                    vu.vtype = vtype
                    fill(&vu)
                    vus[count] = vu
                    count += 1
                }
                push(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topicName }
                push(RD_KAFKA_VTYPE_VALUE) {
                    $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress)
                    $0.u.mem.size = value.count
                }
                if let key {
                    push(RD_KAFKA_VTYPE_KEY) {
                        $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress)
                        $0.u.mem.size = key.count
                    }
                }
                push(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                push(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition ?? RD_KAFKA_PARTITION_UA }
                if let nativeHeaders { push(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = nativeHeaders } }
                push(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = UnsafeMutableRawPointer(bitPattern: UInt(ticket)) }
                inFlightCounter.add(1, ordering: .relaxed)
                return rd_kafka_produceva(handle.pointer, vus.baseAddress, count)
            }
        }
        if let error {
            inFlightCounter.subtract(1, ordering: .relaxed)
            if let nativeHeaders { rd_kafka_headers_destroy(nativeHeaders) }
            throw KafkaError(consuming: error, operation: "produce to \(topic)")
        }
    }

    func waitUntilIdle(timeout: Duration) async throws {
        if inFlight == 0 { return }
        let deadline = ContinuousClock.now + timeout
        while inFlight > 0 {
            if ContinuousClock.now > deadline {
                throw KafkaError(.timedOut, operation: "flush producer", reason: "\(inFlight) messages not acknowledged within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    func startPoller() {
        let thread = Thread { [self] in pollLoop() }
        thread.name = "rdkafka-producer-poll"
        thread.start()
    }

    func stop() {
        if stopped.exchange(true, ordering: .relaxed) { return }
        _ = rd_kafka_flush(handle.pointer, 2000)
        pollerDone.wait()
    }

    private func pollLoop() {
        guard let queue = rd_kafka_queue_get_main(handle.pointer) else { return }
        defer {
            rd_kafka_queue_destroy(queue)
            pollerDone.signal()
        }
        // Keep serving until stopped and nothing is left in flight.
        while !stopped.load(ordering: .relaxed) || inFlight > 0 {
            guard let event = rd_kafka_queue_poll(queue, 100) else {
                if stopped.load(ordering: .relaxed) && rd_kafka_outq_len(handle.pointer) == 0 { break }
                continue
            }
            handle(event: event)
            rd_kafka_event_destroy(event)
        }
    }

    private func handle(event: OpaquePointer) {
        switch rd_kafka_event_type(event) {
        case RD_KAFKA_EVENT_DR:
            var resumes: [(CheckedContinuation<DeliveryReport, any Error>, Result<DeliveryReport, KafkaError>)] = []
            var delivered = 0
            var newFailures: [KafkaError] = []
            var lastTopic: OpaquePointer?
            var lastTopicName = ""
            while let message = rd_kafka_event_message_next(event) {
                delivered += 1
                let m = message.pointee
                let ticket = UInt64(UInt(bitPattern: m._private))
                let failed = m.err != RD_KAFKA_RESP_ERR_NO_ERROR
                if ticket == 0 && !failed { continue }
                if m.rkt != lastTopic {
                    lastTopic = m.rkt
                    lastTopicName = String(cString: rd_kafka_topic_name(m.rkt))
                }
                let result: Result<DeliveryReport, KafkaError> = failed
                    ? .failure(KafkaError(code: m.err, operation: "deliver message to \(lastTopicName)", topic: lastTopicName))
                    : .success(DeliveryReport(topic: lastTopicName, partition: m.partition, offset: m.offset))
                if ticket == 0 {
                    if case .failure(let error) = result { newFailures.append(error) }
                } else if let waiter = state.withLock({ $0.waiters.removeValue(forKey: ticket) }) {
                    resumes.append((waiter, result))
                }
            }
            if !newFailures.isEmpty { state.withLock { $0.failures.append(contentsOf: newFailures) } }
            for (waiter, result) in resumes { waiter.resume(with: result.mapError { $0 as any Error }) }
            inFlightCounter.subtract(delivered, ordering: .relaxed)
        default:
            break  // errors are logged by librdkafka and surface as delivery failures
        }
    }
}

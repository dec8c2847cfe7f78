import CRdKafka
import Dispatch

/// Owns one `rd_kafka_t` client instance (thread-safe in librdkafka).
final class KafkaHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    /// An object librdkafka callbacks reach through the configuration's opaque
    /// pointer; kept alive until the client is destroyed.
    var callbackContext: Unmanaged<AnyObject>?
    /// Blocking calls of this client run here: a serial queue gets its own thread from
    /// Dispatch's overcommit pool, so blocked calls of one client never starve another's
    /// (the default global queue is only as wide as the core count).
    let blockingQueue = DispatchQueue(label: "tributary.rdkafka.blocking")

    /// Creates a client of `type` from a native configuration, which it takes over.
    init(type: rd_kafka_type_t, conf: OpaquePointer) throws(KafkaError) {
        var errorBuffer = [CChar](repeating: 0, count: 512)
        guard let rk = rd_kafka_new(type, conf, &errorBuffer, errorBuffer.count) else {
            rd_kafka_conf_destroy(conf)
            let reason = errorBuffer.nulTerminatedText
            throw KafkaError(.configuration, operation: "create Kafka client", reason: reason)
        }
        pointer = rk
    }

    deinit {
        rd_kafka_destroy(pointer)
        ConnectionFailures.forget(pointer)
        callbackContext?.release()
    }

    /// librdkafka's last logged connection failure of this client, if any.
    var lastConnectionFailure: String? { ConnectionFailures.latest(pointer) }
}

extension KafkaHandle {
    /// Runs a blocking librdkafka call on this client's own thread, so it never blocks
    /// the cooperative thread pool (on two cores it has two threads).
    func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            blockingQueue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}

extension Duration {
    var milliseconds: Int32 {
        let (seconds, attos) = components
        return Int32(clamping: seconds * 1000 + attos / 1_000_000_000_000_000)
    }
}

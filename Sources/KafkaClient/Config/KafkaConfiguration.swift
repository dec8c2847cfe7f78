import CRdKafka

/// librdkafka properties, passed through unchanged (so `security.protocol`, `sasl.*`,
/// `ssl.*` and every other setting work as documented by librdkafka), plus the few
/// settings of our own wrapper.
public struct KafkaConfiguration: Sendable, Equatable {
    /// librdkafka properties by name.
    public var properties: [String: String]
    /// How long operations that talk to the cluster (metadata, admin, commit, flush)
    /// wait before failing with a clear error.
    public var operationTimeout: Duration
    /// Producer settings applied where `properties` sets nothing, before the library's
    /// `producerDefaults` (a deployment's tuning, e.g. the durable embedded broker's larger
    /// batches: one object write per batch); consumers and admin clients ignore them.
    public var producerTuning: [String: String] = [:]

    public init(bootstrapServers: String, properties: [String: String] = [:], operationTimeout: Duration = .seconds(10)) {
        self.properties = properties
        self.properties["bootstrap.servers"] = bootstrapServers
        self.operationTimeout = operationTimeout
    }

    public var bootstrapServers: String { properties["bootstrap.servers"] ?? "" }

    public subscript(key: String) -> String? {
        get { properties[key] }
        set { properties[key] = newValue }
    }

    /// Returns a copy with `defaults` applied where no value was set.
    public func withDefaults(_ defaults: [String: String]) -> KafkaConfiguration {
        var copy = self
        copy.properties.merge(defaults) { current, _ in current }
        return copy
    }

    var operationTimeoutMilliseconds: Int32 {
        let (seconds, attos) = operationTimeout.components
        return Int32(clamping: seconds * 1000 + attos / 1_000_000_000_000_000)
    }

    /// Builds an `rd_kafka_conf_t`, naming the property librdkafka refuses.
    func makeNative() throws(KafkaError) -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(.other, operation: "create configuration", reason: "out of memory")
        }
        rd_kafka_conf_set_log_cb(conf, LibrdkafkaLogging.callback)
        var errorBuffer = [CChar](repeating: 0, count: 512)
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
            let result = rd_kafka_conf_set(conf, key, value, &errorBuffer, errorBuffer.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let reason = errorBuffer.nulTerminatedText
                throw KafkaError(.configuration, operation: "configuration property \(key)", reason: reason)
            }
        }
        return conf
    }

    /// Largest message we produce by default (10 MiB; librdkafka's own default is 1 MB,
    /// too small for the 2 MiB records the pipeline accepts). Topics we create allow it too.
    public static let maxMessageBytes = 10 << 20

    /// Producer defaults: idempotence on, the seed's tuning (snappy, batch.size 16384, linger.ms 10).
    public static let producerDefaults: [String: String] = [
        "message.max.bytes": String(maxMessageBytes),
        "enable.idempotence": "true",
        "compression.type": "snappy",
        "batch.size": "16384",
        "linger.ms": "10",
        "client.id": "tributary",
    ]

    /// Consumer defaults: manual commits, start from the earliest offset of a new group.
    public static let consumerDefaults: [String: String] = [
        "enable.auto.commit": "false",
        "enable.auto.offset.store": "false",
        "auto.offset.reset": "earliest",
        "enable.partition.eof": "false",
        "client.id": "tributary",
    ]
}

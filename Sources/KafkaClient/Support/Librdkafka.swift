import CRdKafka

/// Facts about the librdkafka library Tributary is linked against.
public enum Librdkafka {
    /// The library's version string, e.g. `2.16.0`.
    public static var version: String { String(cString: rd_kafka_version_str()) }
}

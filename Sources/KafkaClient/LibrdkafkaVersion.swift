import CRdKafka

/// The version of the librdkafka library Tributary is linked against.
public enum Librdkafka {
    public static var version: String { String(cString: rd_kafka_version_str()) }
}

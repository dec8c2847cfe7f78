import CRdKafka

/// Every error the Kafka client throws: what failed, librdkafka's code and reason,
/// and what to do about it where that is known.
public struct KafkaError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A configuration property was rejected by librdkafka.
        case configuration
        /// No broker answered within the timeout.
        case brokerUnreachable
        /// An operation did not complete within its timeout.
        case timedOut
        /// A message could not be delivered.
        case delivery
        /// The topic already exists (create topics).
        case topicAlreadyExists
        /// The topic or partition does not exist.
        case unknownTopicOrPartition
        /// The client was closed.
        case closed
        /// The broker refused the operation: the client's principal lacks an ACL
        /// (topic, group or cluster authorization failed).
        case notAuthorized
        /// Any other librdkafka error.
        case other
    }

    public var kind: Kind
    /// librdkafka's error code (`rd_kafka_resp_err_t`), 0 when not from librdkafka.
    public var code: Int32
    /// What was being done, in words.
    public var operation: String
    /// librdkafka's reason, or ours.
    public var reason: String
    /// The topic the error is about, when librdkafka names one.
    public var topic: String?

    public init(_ kind: Kind, code: Int32 = 0, operation: String, reason: String, topic: String? = nil) {
        self.kind = kind
        self.code = code
        self.operation = operation
        self.reason = reason
        self.topic = topic
    }

    /// An error from a librdkafka response code.
    init(code: rd_kafka_resp_err_t, operation: String, reason: String? = nil, topic: String? = nil) {
        let text = reason ?? String(cString: rd_kafka_err2str(code))
        let kind: Kind
        switch code {
        case RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT: kind = .timedOut
        case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS: kind = .topicAlreadyExists
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC,
             RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION: kind = .unknownTopicOrPartition
        case RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
             RD_KAFKA_RESP_ERR__RESOLVE: kind = .brokerUnreachable
        case RD_KAFKA_RESP_ERR__DESTROY: kind = .closed
        case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED,
             RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED: kind = .notAuthorized
        default: kind = .other
        }
        self.init(kind, code: code.rawValue, operation: operation, reason: text, topic: topic)
    }

    /// An error from an `rd_kafka_error_t`, which this destroys.
    init(consuming error: OpaquePointer, operation: String) {
        let code = rd_kafka_error_code(error)
        let reason = String(cString: rd_kafka_error_string(error))
        rd_kafka_error_destroy(error)
        self.init(code: code, operation: operation, reason: reason)
    }

    public var description: String { "\(operation): \(reason)" }
}

/// Throws when `code` is not `RD_KAFKA_RESP_ERR_NO_ERROR`.
@inline(__always)
func check(_ code: rd_kafka_resp_err_t, _ operation: @autoclosure () -> String) throws(KafkaError) {
    if code != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: code, operation: operation()) }
}

extension Array where Element == CChar {
    /// The text of a NUL-terminated error buffer filled by librdkafka.
    var nulTerminatedText: String {
        String(decoding: prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

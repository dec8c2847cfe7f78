import KafkaClient
import Logging
import Synchronization

/// Topics the cluster refuses this processor (its principal lacks an ACL): reading a source
/// topic, or writing the dead letters of one. Each refusal is logged once, as an error that
/// names the topic and the permission to grant; the other topics go on. A refused topic is
/// tried again every batch, so a permission granted later takes effect without a restart
/// (and a refusal after that is logged again).
final class AccessDenials: Sendable {
    enum Access: String, Sendable {
        case read, write
    }

    private let logged = Mutex<Set<String>>([])
    private let logger: Logger
    private let group: String

    init(logger: Logger, group: String) {
        self.logger = logger
        self.group = group
    }

    /// Whether `error` is an authorization refusal; the first one per topic and access is
    /// logged. `topic` names the source topic whose records wait.
    func note(_ error: any Error, access: Access, sourceTopic: String? = nil) -> Bool {
        guard let kafka = error as? KafkaError, kafka.kind == .notAuthorized else { return false }
        let topic = kafka.topic ?? sourceTopic ?? "?"
        guard logged.withLock({ $0.insert("\(access.rawValue) \(topic)").inserted }) else { return true }
        switch access {
        case .read:
            logger.error("not authorized to read topic \(topic): grant this processor's principal Read and Describe on it (and Read on group \(group)); the other topics go on",
                         metadata: ["topic": "\(topic)", "error": "\(kafka.reason)"])
        case .write:
            logger.error("not authorized to write dead letters to \(topic): grant this processor's principal Write and Describe on it; records of \(sourceTopic ?? "its source topic") wait (nothing is skipped), the other topics go on",
                         metadata: ["topic": "\(topic)", "error": "\(kafka.reason)"])
        }
        return true
    }

    /// The dead letters of `sourceTopic` were written: a later refusal is news again.
    func writeSucceeded(deadLetterTopic: String) {
        _ = logged.withLock { $0.remove("write \(deadLetterTopic)") }
    }
}

/// A batch whose only failures were refused topics: the other topics committed.
struct TopicsNotAuthorized: Error, CustomStringConvertible {
    var topics: [String]
    var description: String { "not authorized: \(topics.joined(separator: ", "))" }
}

/// The five topics Tributary ingests, each with a dead-letter topic `{topic}.dlq`.
enum StandardTopics {
    /// Topic name → record key field (see shared/design/topics.md).
    static let recordKeys: [(topic: String, key: String)] = [
        ("user_events", "event_id"),
        ("transactions", "transaction_id"),
        ("sensor_data", "reading_id"),
        ("log_events", "log_id"),
        ("bulk_upload", "record_id"),
    ]

    static var names: [String] { recordKeys.map(\.topic) }
    static var namesWithDeadLetters: [String] { names.flatMap { [$0, "\($0).dlq"] } }

    static func recordKey(of topic: String) -> String? {
        recordKeys.first { $0.topic == topic }?.key
    }
}

/// A last check of a commit, with metadata computed from the table as it is at the commit
/// point: run right before the completed instant is created, while no other writer can
/// complete one (under the single-writer lease, or the optimistic commit lock).
///
/// The processor uses it so several processors can share a table: each verifies that the
/// Kafka partitions it commits still hold the offsets it read from, and merges its offsets
/// into the latest checkpoint (which holds the other processors' partitions).
public struct CommitCheck: Sendable {
    /// Extra-metadata keys to look up: for each, the value of the newest completed commit
    /// that has it.
    public var keys: [String]
    /// Given those latest values, throws to abandon the commit (its files are rolled back)
    /// or returns extra metadata to add to (or override in) the commit.
    public var body: @Sendable (_ latest: [String: String]) throws -> [String: String]

    public init(keys: [String], body: @escaping @Sendable (_ latest: [String: String]) throws -> [String: String]) {
        self.keys = keys
        self.body = body
    }
}

/// A `CommitCheck` refused the commit (carries the check's own error to the caller).
struct CommitCheckRejected: Error {
    var error: any Error
}

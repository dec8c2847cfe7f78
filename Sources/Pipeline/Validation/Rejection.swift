/// Why a record was refused, for the dead-letter topic's `error.stage` / `error.reason`.
public struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Stage: String, Sendable, CaseIterable {
        /// Not a JSON object.
        case parse
        /// Not a Debezium change event (debezium streams): no or unknown `op`, no `after`
        /// for an upsert, a `before` that does not identify the deleted row, no ordering value.
        case envelope
        /// Missing field, wrong type, bad format or enum value.
        case schema
        /// A data-quality rule: a value out of its range, a timestamp in the future.
        case quality
    }

    public var stage: Stage
    /// Human readable; names the field.
    public var reason: String

    public init(_ stage: Stage, _ reason: String) {
        self.stage = stage
        self.reason = reason
    }

    public var description: String { "\(stage.rawValue): \(reason)" }
}

// A record's operation (upsert, or delete from `"_op": "delete"`) is the table's own
// `Hudi.RecordOperation`.
@_exported import enum Hudi.RecordOperation

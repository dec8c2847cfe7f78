import Foundation

/// The recorded Debezium change events of a source `customers` table
/// (`Tests/PipelineTests/Fixtures/customers`, made by its seeded `make_change_events.py`):
/// snapshot reads, inserts, updates, deletes with their tombstones, re-deliveries after
/// connector restarts, and a few malformed envelopes; with the table's final state.
public struct ChangeEventFixture: Sendable {
    public struct Message: Sendable {
        public var key: [UInt8]
        /// Empty for a tombstone (a null Kafka value).
        public var value: [UInt8]
        /// The stage a malformed message is dead-lettered at; nil for a change or tombstone.
        public var deadLetterStage: String?
        public var isTombstone: Bool { value.isEmpty }
    }

    public static let folder = TestEnvironment.packageRoot.appendingPathComponent("Tests/PipelineTests/Fixtures/customers")
    /// The stream's definition (its schema path is relative to it).
    public static let configFile = folder.appendingPathComponent("tributary.toml").path

    public var messages: [Message]
    /// The source table's rows at the end, as `line(_:)` renders them, sorted.
    public var finalRows: [String]

    public init() throws {
        func lines(_ name: String) throws -> [[String: Any]] {
            let text = try String(contentsOf: Self.folder.appendingPathComponent(name), encoding: .utf8)
            return try text.split(separator: "\n").map {
                guard let object = try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] else {
                    throw CocoaError(.fileReadCorruptFile)
                }
                return object
            }
        }
        messages = try lines("change_events.jsonl").map { m in
            Message(key: Array((m["key"] as? String ?? "").utf8), value: Array((m["value"] as? String ?? "").utf8),
                    deadLetterStage: m["dead"] as? String)
        }
        finalRows = try lines("final_state.jsonl").map(Self.line).sorted()
    }

    /// Keys (as text) of the malformed messages, with their stage.
    public var deadLetters: [String: String] {
        var out: [String: String] = [:]
        for m in messages { if let stage = m.deadLetterStage { out[String(decoding: m.key, as: UTF8.self)] = stage } }
        return out
    }

    /// A customers row as comparable text (`id|name|email|region|balance|updated_at`), from
    /// the fixture or from a reader's JSON (decimals as numbers or strings).
    public static func line(_ row: [String: Any]) -> String {
        func text(_ key: String) -> String {
            switch row[key] {
            case let s as String: s
            case let n as NSNumber: n.stringValue
            default: "null"
            }
        }
        let balance = (row["balance"] as? String).flatMap(Double.init) ?? (row["balance"] as? NSNumber)?.doubleValue
        return [text("id"), text("name"), text("email"), text("region"), balance.map { String(format: "%.2f", $0) } ?? "null",
                text("updated_at")].joined(separator: "|")
    }
}

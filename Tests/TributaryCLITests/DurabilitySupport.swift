import Foundation
import KafkaClient
import TributaryTesting

/// What the durability tests of `tributary up` share: records with known keys, the
/// stack's broker address and child pids, and the hudi-rs oracle of what a table holds.
enum Durability {
    static let oracle = TestEnvironment.packageRoot.appendingPathComponent("Tests/TributaryCLITests/oracle/table_keys.py").path

    /// A valid `user_events` record whose key (event_id) is `key`.
    static func userEvent(_ key: String) -> String {
        #"{"event_id":"\#(key)","user_id":"u\#(key.utf8.count)","event_type":"click","timestamp":"2026-11-26T10:00:00Z","page":"/p/\#(key)"}"#
    }

    /// Writes `count` records keyed `prefix-0` … into a JSON-lines file; returns it and the keys.
    static func recordsFile(in dir: URL, prefix: String, count: Int) throws -> (URL, Set<String>) {
        let url = dir.appendingPathComponent("\(prefix).jsonl")
        var text = ""
        text.reserveCapacity(count * 120)
        var keys = Set<String>()
        keys.reserveCapacity(count)
        for i in 0..<count {
            let key = "\(prefix)-\(i)"
            keys.insert(key)
            text += userEvent(key)
            text += "\n"
        }
        try text.write(to: url, atomically: true, encoding: .utf8)
        return (url, keys)
    }

    /// The keys of the stack's `user_events` table, as hudi-rs reads it (every row: a
    /// duplicate shows up twice).
    static func tableKeys(_ stateDir: URL, table: String = "user_events", field: String = "event_id") throws -> [String] {
        let out = try runPython([oracle, stateDir.appendingPathComponent("lake/\(table)").path, field])
        return out.stdoutText.split(separator: "\n").map(String.init)
    }

    /// Polls the table until it holds every key of `expected` (or the time is up); returns
    /// its keys as last read.
    static func waitForKeys(_ stateDir: URL, _ expected: Set<String>, timeout: Double = 180) throws -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        var keys: [String] = []
        repeat {
            keys = try tableKeys(stateDir)
            if expected.isSubset(of: keys) { return keys }
            usleep(1_000_000)
        } while Date() < deadline
        return keys
    }

    /// `host:port` of the embedded broker of the stack running in `stateDir`.
    static func brokerAddress(_ stateDir: URL) -> String? {
        let file = CLI.stateFolder(stateDir).appendingPathComponent("broker")
        return (try? String(contentsOf: file, encoding: .utf8))?.split(separator: " ").first.map(String.init)
    }

    /// The embedded broker's processes (`tansu`, `seaweedfs`) by name, from `kafka/pids`.
    static func childPids(_ stateDir: URL) -> [String: Int32] {
        let file = CLI.stateFolder(stateDir).appendingPathComponent("kafka/pids")
        let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        var pids: [String: Int32] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count >= 2, let pid = Int32(parts[1]) { pids[String(parts[0])] = pid }
        }
        return pids
    }

    /// True while `pid` runs (a zombie counts as gone).
    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        guard let close = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    /// Waits until `condition` holds (or the time is up); returns whether it did.
    @discardableResult
    static func wait(_ timeout: Double = 60, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return true }
            usleep(100_000)
        }
        return try condition()
    }
}

/// Produces keyed `user_events` records to a stack's broker in small acknowledged batches
/// while the stack is killed and restarted under it: a batch counts as acknowledged only
/// when its flush succeeded; after a failure the producer is made again (the broker's
/// address is read anew, it may have moved).
final class AcknowledgingFeeder: @unchecked Sendable {
    private let stateDir: URL
    private let lock = NSLock()
    private var attemptedKeys = Set<String>()
    private var acknowledgedKeys = Set<String>()
    private var task: Task<Void, Never>?

    init(stateDir: URL) { self.stateDir = stateDir }

    var attempted: Set<String> { lock.withLock { attemptedKeys } }
    var acknowledged: Set<String> { lock.withLock { acknowledgedKeys } }

    func start(prefix: String, batch: Int = 50) {
        task = Task { [self] in
            var current: KafkaProducer?
            var next = 0
            while !Task.isCancelled {
                if current == nil, let address = Durability.brokerAddress(stateDir) {
                    // As `tributary produce` and the web app produce to the embedded broker.
                    var configuration = KafkaConfiguration(bootstrapServers: address, properties: ["message.timeout.ms": "5000"])
                    configuration.producerTuning = EmbeddedBroker.producerSettings
                    current = try? KafkaProducer(configuration: configuration)
                }
                guard let producer = current else {
                    try? await Task.sleep(for: .milliseconds(200))
                    continue
                }
                let keys = (next..<next + batch).map { "\(prefix)-\($0)" }
                next += batch
                lock.withLock { attemptedKeys.formUnion(keys) }
                do {
                    for key in keys {
                        try await producer.enqueue(topic: "user_events", key: Array(key.utf8), value: Array(Durability.userEvent(key).utf8))
                    }
                    try await producer.flush(timeout: .seconds(10))
                    lock.withLock { acknowledgedKeys.formUnion(keys) }
                } catch {
                    // Not acknowledged: they may or may not be in Kafka. Start over with a new
                    // producer (a restarted broker no longer knows the old idempotent one).
                    current = nil
                    try? await Task.sleep(for: .milliseconds(300))
                }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    func stop() async {
        task?.cancel()
        await task?.value
    }
}

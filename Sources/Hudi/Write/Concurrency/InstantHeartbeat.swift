import Foundation
import ObjectStore
import TributaryCore

/// Hudi's per-instant heartbeat for optimistic writers: `.hoodie/.heartbeat/<instant>`,
/// rewritten every interval while the write runs and deleted when it ends. A pending
/// instant whose heartbeat is missing or older than the expiry belongs to a writer that is
/// gone, and may be rolled back by anyone; one with a fresh heartbeat is another live
/// writer's and must be left alone. (Java's `HoodieHeartbeatClient` uses the same folder
/// and judges by the file's modification time; ours also stores the beat time in the file.)
struct InstantHeartbeat: Sendable {
    static let folder = ".hoodie/.heartbeat"
    let store: any ObjectStore
    let instant: String
    private let task: Task<Void, Never>

    static func key(_ instant: String) -> String { "\(folder)/\(instant)" }

    /// Writes the first beat (before the instant's requested file exists) with put-if-absent,
    /// then beats every `interval` seconds until stopped. Throws `alreadyExists` when another
    /// writer beats for the same instant time: the heartbeat is that writer's, and stopping
    /// ours must not delete it (its live write would then look dead and be rolled back).
    static func start(store: any ObjectStore, instant: String, interval: Double) async throws -> InstantHeartbeat {
        try await store.putIfAbsent(key(instant), content())
        let task = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(max(0.01, interval) * 1e9))
                if Task.isCancelled { return }
                try? await beat(store: store, instant: instant)
            }
        }
        return InstantHeartbeat(store: store, instant: instant, task: task)
    }

    private static func beat(store: any ObjectStore, instant: String) async throws {
        try await store.put(key(instant), content())
    }

    /// The beat time, then who beats: a writer process of this machine that is gone
    /// (SIGKILLed) is known dead at once, without waiting for the expiry.
    private static func content() -> Data {
        Data((String(Int64(Date().timeIntervalSince1970 * 1000)) + "\n" + LeaseHolder.current().json.json).utf8)
    }

    /// Stops beating and deletes the heartbeat file (after the commit point, or after a failure).
    func stop() async {
        task.cancel()
        try? await store.delete(Self.key(instant))
    }

    /// Whether the writer of `instant` beat within the last `expiry` seconds.
    static func isAlive(store: any ObjectStore, instant: String, expiry: Double) async throws -> Bool {
        let data: Data
        do {
            data = try await store.get(key(instant))
        } catch ObjectStoreError.notFound {
            return false
        }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", maxSplits: 1)
        if lines.count == 2, let holder = (try? JSONValue.parse(String(lines[1]))).flatMap(LeaseHolder.init(json:)),
           !(holder.pid == LocalProcess.pid && holder.processStart == LocalProcess.ownStart), holder.isGone {
            return false
        }
        guard let millis = lines.first.flatMap({ Int64($0.trimmingCharacters(in: .whitespaces)) }) else {
            // Written by another implementation (Java writes an empty file): use its time.
            let info = try await store.head(key(instant))
            guard let modified = info.lastModified else { return true }
            return Date().timeIntervalSince(modified) < expiry
        }
        return Double(Int64(Date().timeIntervalSince1970 * 1000) - millis) / 1000 < expiry
    }
}

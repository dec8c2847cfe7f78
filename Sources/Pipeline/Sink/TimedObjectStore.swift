import Foundation
import ObjectStore
import Synchronization

/// A table's store as the sink hands it to the Hudi writer, adding up how long its calls
/// take (the processor's `store` stage). Whole-object reads and writes of Parquet files —
/// the base files a commit merges and writes — are also summed apart, so the `encode`
/// stage can leave them out. A clock read before and after each call; nothing per byte.
final class TimedObjectStore: ObjectStore {
    struct Totals: Sendable {
        var all = Duration.zero
        var dataFiles = Duration.zero
    }

    private let base: any ObjectStore
    private let totals = Mutex(Totals())

    init(_ base: any ObjectStore) { self.base = base }

    var backendDescription: String { base.backendDescription }

    /// The totals since the last call, reset.
    func take() -> Totals {
        totals.withLock { t in
            defer { t = Totals() }
            return t
        }
    }

    private func timed<T>(_ key: String, wholeObject: Bool, _ call: () async throws -> T) async rethrows -> T {
        let start = ContinuousClock.now
        defer {
            let spent = ContinuousClock.now - start
            let dataFile = wholeObject && key.hasSuffix(".parquet")
            totals.withLock {
                $0.all += spent
                if dataFile { $0.dataFiles += spent }
            }
        }
        return try await call()
    }

    func get(_ key: String) async throws -> Data { try await timed(key, wholeObject: true) { try await base.get(key) } }
    func get(_ key: String, range: Range<Int>) async throws -> Data {
        try await timed(key, wholeObject: false) { try await base.get(key, range: range) }
    }
    func head(_ key: String) async throws -> ObjectInfo { try await timed(key, wholeObject: false) { try await base.head(key) } }
    func put(_ key: String, _ data: Data) async throws { try await timed(key, wholeObject: true) { try await base.put(key, data) } }
    func putIfAbsent(_ key: String, _ data: Data) async throws {
        try await timed(key, wholeObject: true) { try await base.putIfAbsent(key, data) }
    }
    func putStreaming(_ key: String, chunks: ObjectChunkSequence) async throws {
        try await timed(key, wholeObject: true) { try await base.putStreaming(key, chunks: chunks) }
    }
    func delete(_ keys: [String]) async throws { try await timed("", wholeObject: false) { try await base.delete(keys) } }

    /// Listings are timed page by page as they are read.
    func list(prefix: String, delimiter: String?) -> ObjectListing {
        base.list(prefix: prefix, delimiter: delimiter).observingPageTimes { [self] spent in totals.withLock { $0.all += spent } }
    }
}

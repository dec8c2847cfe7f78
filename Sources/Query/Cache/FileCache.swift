import Foundation
import Logging
import ObjectStore

/// A bounded local copy of immutable lake files (Hudi base files never change once
/// written), so DuckDB reads S3 tables as local files. Files are fetched on demand, in
/// parallel, only those a plan names; the least recently used ones are evicted when the
/// total size passes the capacity, except files the current views still use.
public actor FileCache {
    public let directory: URL
    public let capacityBytes: Int
    private let store: any ObjectStore
    private let parallelism: Int
    private let logger: Logger
    /// Cached files by key: size and last use (a counter, so order is exact).
    private var entries: [String: (size: Int, lastUse: UInt64)] = [:]
    private var clock: UInt64 = 0
    /// Fetches running now, so concurrent plans share them.
    private var inFlight: [String: Task<Void, Error>] = [:]
    public private(set) var totalBytes = 0
    public private(set) var fetchedFiles = 0

    /// - Parameters:
    ///   - store: the lake root; keys are relative to it.
    ///   - directory: where copies live (created; files already there are reused).
    public init(store: any ObjectStore, directory: URL, capacityBytes: Int, parallelism: Int = 8,
                logger: Logger = Logger(label: "tributary.query.cache")) throws {
        self.store = store
        self.directory = directory.standardizedFileURL
        self.capacityBytes = capacityBytes
        self.parallelism = max(1, parallelism)
        self.logger = logger
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Local path of a key (whether or not it is cached).
    public nonisolated func localPath(_ key: String) -> String { directory.appendingPathComponent(key).path }

    /// Makes every key available locally and returns their paths (in order). `pinned` keys
    /// (in use by views) are never evicted.
    public func ensure(_ keys: [(key: String, size: Int)], pinned: Set<String>) async throws -> [String] {
        clock += 1
        var missing: [(key: String, size: Int)] = []
        for k in keys {
            if entries[k.key] != nil {
                entries[k.key]?.lastUse = clock
            } else if FileManager.default.fileExists(atPath: localPath(k.key)) {
                // Left by an earlier run: immutable, so still valid.
                entries[k.key] = (k.size, clock)
                totalBytes += k.size
            } else {
                missing.append(k)
            }
        }
        var tasks: [Task<Void, Error>] = []
        var next = missing[...]
        // Start at most `parallelism` fetches at a time.
        while !next.isEmpty || !tasks.isEmpty {
            while tasks.count < parallelism, let k = next.first {
                next = next.dropFirst()
                tasks.append(fetchTask(k.key))
            }
            let t = tasks.removeFirst()
            try await t.value
        }
        for k in missing where entries[k.key] == nil {
            entries[k.key] = (k.size, clock)
            totalBytes += k.size
            fetchedFiles += 1
        }
        evict(keeping: pinned.union(keys.map(\.key)))
        return keys.map { localPath($0.key) }
    }

    private func fetchTask(_ key: String) -> Task<Void, Error> {
        if let t = inFlight[key] { return t }
        let store = self.store
        let target = URL(fileURLWithPath: localPath(key))
        let t = Task {
            let data = try await store.get(key)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            // Write then rename, so DuckDB never sees a half-written file.
            let tmp = target.deletingLastPathComponent().appendingPathComponent(".tmp-\(UUID().uuidString)")
            try data.write(to: tmp)
            _ = try? FileManager.default.removeItem(at: target)
            try FileManager.default.moveItem(at: tmp, to: target)
        }
        inFlight[key] = t
        Task { _ = try? await t.value; self.finished(key) }
        return t
    }

    private func finished(_ key: String) { inFlight[key] = nil }

    private func evict(keeping: Set<String>) {
        guard totalBytes > capacityBytes else { return }
        for (key, e) in entries.sorted(by: { $0.value.lastUse < $1.value.lastUse }) where !keeping.contains(key) {
            try? FileManager.default.removeItem(atPath: localPath(key))
            entries[key] = nil
            totalBytes -= e.size
            if totalBytes <= capacityBytes { break }
        }
    }

    /// Keys cached now.
    public var cachedKeys: Set<String> { Set(entries.keys) }
}

import Foundation

/// A view of another store rooted at a key prefix: `scoped.get("a")` reads
/// `PREFIX/a` of the base store, listings return keys relative to the prefix. A Hudi
/// table lives in such a view (`hudi-tables/{topic}`).
public struct PrefixedObjectStore: ObjectStore {
    /// The store underneath.
    public let base: any ObjectStore
    /// The prefix, always ending with `/` (empty for the whole store).
    public let prefix: String

    /// A view of `base` under `prefix` (`"a/b"` and `"a/b/"` mean the same).
    public init(base: any ObjectStore, prefix: String) throws {
        var normalized = prefix
        while normalized.hasSuffix("/") { normalized.removeLast() }
        if !normalized.isEmpty {
            try ObjectKey.validate(normalized, backend: base.backendDescription)
            normalized += "/"
        }
        // Nested views collapse into one level over the real store.
        if let inner = base as? PrefixedObjectStore {
            self.base = inner.base
            self.prefix = inner.prefix + normalized
        } else {
            self.base = base
            self.prefix = normalized
        }
    }

    public var backendDescription: String {
        prefix.isEmpty ? base.backendDescription : "\(base.backendDescription) under '\(prefix)'"
    }

    private func full(_ key: String) throws -> String {
        try ObjectKey.validate(key, backend: backendDescription)
        return prefix + key
    }

    /// Runs `body` and reports errors with keys relative to this view.
    private func scoped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ObjectStoreError {
            throw error.scoped(prefix: prefix, view: backendDescription)
        }
    }

    public func get(_ key: String) async throws -> Data {
        let key = try full(key)
        return try await scoped { try await base.get(key) }
    }

    public func get(_ key: String, range: Range<Int>) async throws -> Data {
        let key = try full(key)
        return try await scoped { try await base.get(key, range: range) }
    }

    public func head(_ key: String) async throws -> ObjectInfo {
        let key = try full(key)
        var info = try await scoped { try await base.head(key) }
        info.key = String(info.key.dropFirst(prefix.count))
        return info
    }

    public func put(_ key: String, _ data: Data) async throws {
        let key = try full(key)
        try await scoped { try await base.put(key, data) }
    }

    public func putIfAbsent(_ key: String, _ data: Data) async throws {
        let key = try full(key)
        try await scoped { try await base.putIfAbsent(key, data) }
    }

    public func putStreaming(_ key: String, chunks: ObjectChunkSequence) async throws {
        let key = try full(key)
        try await scoped { try await base.putStreaming(key, chunks: chunks) }
    }

    public func list(prefix listPrefix: String, delimiter: String?) -> ObjectListing {
        let prefix = prefix
        return base.list(prefix: prefix + listPrefix, delimiter: delimiter).map { entry in
            switch entry {
            case .object(var info):
                info.key = String(info.key.dropFirst(prefix.count))
                return .object(info)
            case .commonPrefix(let common):
                return .commonPrefix(String(common.dropFirst(prefix.count)))
            }
        }
    }

    public func delete(_ keys: [String]) async throws {
        let keys = try keys.map(full)
        try await scoped { try await base.delete(keys) }
    }
}

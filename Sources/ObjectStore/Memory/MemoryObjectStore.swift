import Crypto
import Foundation

/// An object store in memory, for unit tests: fast, shared by everyone holding the same
/// instance, and gone with it.
public final class MemoryObjectStore: ObjectStore {
    private let state = MemoryState()
    /// Keys per listing page; small values exercise pagination in tests.
    public let pageSize: Int

    public init(pageSize: Int = 1000) {
        self.pageSize = max(1, pageSize)
    }

    public var backendDescription: String { "memory" }

    public func get(_ key: String) async throws -> Data {
        try ObjectKey.validate(key, backend: backendDescription)
        guard let object = await state.objects[key] else {
            throw ObjectStoreError.notFound(key: key, backend: backendDescription)
        }
        return object.data
    }

    public func get(_ key: String, range: Range<Int>) async throws -> Data {
        let data = try await get(key)
        guard range.lowerBound >= 0, range.lowerBound < data.count else {
            throw ObjectStoreError.invalidRange(key: key, backend: backendDescription, range: range, size: data.count)
        }
        return data.subdata(in: range.lowerBound..<min(range.upperBound, data.count))
    }

    public func head(_ key: String) async throws -> ObjectInfo {
        try ObjectKey.validate(key, backend: backendDescription)
        guard let object = await state.objects[key] else {
            throw ObjectStoreError.notFound(key: key, backend: backendDescription)
        }
        return object.info(key)
    }

    public func put(_ key: String, _ data: Data) async throws {
        try ObjectKey.validate(key, backend: backendDescription)
        await state.put(key, MemoryObject(data))
    }

    public func putIfAbsent(_ key: String, _ data: Data) async throws {
        try ObjectKey.validate(key, backend: backendDescription)
        guard await state.putIfAbsent(key, MemoryObject(data)) else {
            throw ObjectStoreError.alreadyExists(key: key, backend: backendDescription)
        }
    }

    public func putStreaming(_ key: String, chunks: ObjectChunkSequence) async throws {
        try ObjectKey.validate(key, backend: backendDescription)
        var data = Data()
        for try await chunk in chunks { data.append(chunk) }
        await state.put(key, MemoryObject(data))
    }

    public func list(prefix: String, delimiter: String?) -> ObjectListing {
        let state = state, pageSize = pageSize
        return ObjectListing { token in
            let objects = await state.sortedInfos(prefix: prefix)
            return LocalListing.page(
                sortedObjects: objects, prefix: prefix, delimiter: delimiter, token: token, pageSize: pageSize)
        }
    }

    public func delete(_ keys: [String]) async throws {
        for key in keys { try ObjectKey.validate(key, backend: backendDescription) }
        await state.delete(keys)
    }
}

private struct MemoryObject: Sendable {
    var data: Data
    var etag: String
    var lastModified: Date

    init(_ data: Data) {
        self.data = data
        // Like S3 for single-part uploads: the hex MD5 of the content.
        etag = Insecure.MD5.hash(data: data).hexString
        lastModified = Date()
    }

    func info(_ key: String) -> ObjectInfo {
        ObjectInfo(key: key, size: data.count, etag: etag, lastModified: lastModified)
    }
}

private actor MemoryState {
    var objects: [String: MemoryObject] = [:]

    func put(_ key: String, _ object: MemoryObject) { objects[key] = object }

    func putIfAbsent(_ key: String, _ object: MemoryObject) -> Bool {
        guard objects[key] == nil else { return false }
        objects[key] = object
        return true
    }

    func delete(_ keys: [String]) {
        for key in keys { objects[key] = nil }
    }

    func sortedInfos(prefix: String) -> [ObjectInfo] {
        objects.filter { $0.key.hasPrefix(prefix) }.map { $0.value.info($0.key) }.sorted(by: LocalListing.keyOrder)
    }
}

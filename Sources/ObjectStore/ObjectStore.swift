import Foundation

/// What a store knows about one stored object.
public struct ObjectInfo: Sendable, Hashable {
    /// The object's key, relative to the store (a prefix-scoped view strips its prefix).
    public var key: String
    /// Size in bytes.
    public var size: Int
    /// An opaque version tag that changes whenever the content is replaced (S3's ETag,
    /// without quotes). Equal tags mean equal content only within one backend.
    public var etag: String
    /// When the object was last written, if the backend reports it.
    public var lastModified: Date?

    public init(key: String, size: Int, etag: String, lastModified: Date? = nil) {
        (self.key, self.size, self.etag, self.lastModified) = (key, size, etag, lastModified)
    }
}

/// One entry of a listing: an object, or (with a delimiter) a common prefix that groups
/// several keys, like a folder.
public enum ObjectListEntry: Sendable, Hashable {
    case object(ObjectInfo)
    /// A key prefix ending with the delimiter, e.g. `"2024/01/"`.
    case commonPrefix(String)

    /// The object, when this entry is one.
    public var object: ObjectInfo? {
        if case .object(let info) = self { return info }
        return nil
    }
}

/// A key-value store of immutable byte objects: a local folder, S3, or memory.
///
/// Keys are `/`-separated relative paths (`hudi-tables/orders/.hoodie/hoodie.properties`):
/// not empty, not starting or ending with `/`, without empty, `.` or `..` segments and
/// without NUL. Every backend refuses other keys the same way (``ObjectStoreError/invalidKey(key:backend:reason:)``),
/// so code that works on one backend works on all.
///
/// Writes are all-or-nothing: a reader sees the old object, the new object, or no object,
/// never a partial one.
public protocol ObjectStore: Sendable {
    /// A short description of the backend for error messages, e.g. `s3://bucket/prefix`.
    var backendDescription: String { get }

    /// The whole object. Throws ``ObjectStoreError/notFound(key:backend:)`` when missing.
    func get(_ key: String) async throws -> Data

    /// Bytes `range` of the object. A range reaching past the end is cut at the end; a
    /// range starting at or past the end throws ``ObjectStoreError/invalidRange(key:backend:range:size:)``.
    func get(_ key: String, range: Range<Int>) async throws -> Data

    /// Size and etag of the object. Throws ``ObjectStoreError/notFound(key:backend:)`` when missing.
    func head(_ key: String) async throws -> ObjectInfo

    /// Stores `data` under `key`, replacing any object there. Large objects may be sent in
    /// parts (S3 multipart); the result is visible only once complete.
    func put(_ key: String, _ data: Data) async throws

    /// Creates the object only if no object exists under `key`, atomically: of several
    /// concurrent callers exactly one succeeds; the others get
    /// ``ObjectStoreError/alreadyExists(key:backend:)``. This is the commit point of the
    /// Hudi timeline.
    func putIfAbsent(_ key: String, _ data: Data) async throws

    /// Stores an object whose bytes arrive as a sequence of chunks (of any size), without
    /// holding the whole object in memory: S3 uploads parts of ``S3Configuration/partSize``
    /// in parallel and aborts the upload on failure. Nothing is visible until complete.
    func putStreaming(_ key: String, chunks: ObjectChunkSequence) async throws

    /// The objects under `prefix` in ascending key order, fetched page by page. With a
    /// `delimiter` (usually `/`), keys that continue past the next delimiter are grouped
    /// into one ``ObjectListEntry/commonPrefix(_:)`` each.
    func list(prefix: String, delimiter: String?) -> ObjectListing

    /// Deletes the objects; keys that do not exist are ignored (as in S3).
    func delete(_ keys: [String]) async throws
}

extension ObjectStore {
    /// Lists everything under `prefix` without a delimiter.
    public func list(prefix: String = "") -> ObjectListing {
        list(prefix: prefix, delimiter: nil)
    }

    /// All objects under `prefix` (no delimiter), collected into an array.
    public func listAll(prefix: String = "") async throws -> [ObjectInfo] {
        var result: [ObjectInfo] = []
        for try await entry in list(prefix: prefix, delimiter: nil) {
            if let object = entry.object { result.append(object) }
        }
        return result
    }

    /// Deletes one object; a missing object is not an error.
    public func delete(_ key: String) async throws {
        try await delete([key])
    }

    /// True when an object exists under `key`.
    public func exists(_ key: String) async throws -> Bool {
        do {
            _ = try await head(key)
            return true
        } catch ObjectStoreError.notFound {
            return false
        }
    }

    /// A view of this store rooted at `prefix` (e.g. `hudi-tables/orders`): keys given to
    /// and returned by the view are relative to it.
    public func scoped(to prefix: String) throws -> PrefixedObjectStore {
        try PrefixedObjectStore(base: self, prefix: prefix)
    }
}

/// Chunks of an object being streamed into ``ObjectStore/putStreaming(_:chunks:)``.
public struct ObjectChunkSequence: AsyncSequence, Sendable {
    public typealias Element = Data
    private let makeNext: @Sendable () -> (@Sendable () async throws -> Data?)

    /// Wraps any sendable sequence of `Data` chunks.
    public init<S: AsyncSequence & Sendable>(_ sequence: S) where S.Element == Data {
        makeNext = {
            let box = IteratorBox(sequence.makeAsyncIterator())
            return { try await box.next() }
        }
    }

    /// Chunks already in memory (handy in tests).
    public init(_ chunks: [Data]) {
        self.init(ChunkArraySequence(chunks: chunks))
    }

    public func makeAsyncIterator() -> Iterator { Iterator(produce: makeNext()) }

    public struct Iterator: AsyncIteratorProtocol {
        let produce: @Sendable () async throws -> Data?
        public mutating func next() async throws -> Data? { try await produce() }
    }
}

/// Holds a non-sendable iterator; only the one consumer of the sequence calls it, in order.
private final class IteratorBox<I: AsyncIteratorProtocol>: @unchecked Sendable where I.Element == Data {
    var iterator: I
    init(_ iterator: I) { self.iterator = iterator }
    func next() async throws -> Data? { try await iterator.next() }
}

private struct ChunkArraySequence: AsyncSequence, Sendable {
    typealias Element = Data
    let chunks: [Data]
    func makeAsyncIterator() -> Iterator { Iterator(chunks: chunks) }
    struct Iterator: AsyncIteratorProtocol {
        var chunks: [Data]
        var index = 0
        mutating func next() async throws -> Data? {
            guard index < chunks.count else { return nil }
            defer { index += 1 }
            return chunks[index]
        }
    }
}

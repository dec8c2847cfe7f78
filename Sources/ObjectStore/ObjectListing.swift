import Foundation

/// One page of a listing and where the next one starts.
public struct ObjectListPage: Sendable {
    public var entries: [ObjectListEntry]
    /// Opaque token for the next page; nil on the last page.
    public var nextToken: String?

    public init(entries: [ObjectListEntry], nextToken: String?) {
        self.entries = entries
        self.nextToken = nextToken
    }
}

/// A listing fetched lazily page by page as it is iterated (S3 returns up to 1,000 keys
/// per request). Iterating it again starts a new listing.
public struct ObjectListing: AsyncSequence, Sendable {
    public typealias Element = ObjectListEntry
    /// Fetches the page starting at the token (nil: the first page).
    public typealias PageFetcher = @Sendable (_ token: String?) async throws -> ObjectListPage

    private let fetchPage: PageFetcher

    /// A listing backed by a page fetcher; backends and wrappers build one.
    public init(fetchPage: @escaping PageFetcher) {
        self.fetchPage = fetchPage
    }

    public func makeAsyncIterator() -> Iterator { Iterator(fetchPage: fetchPage) }

    /// All entries, collected into an array.
    public func collect() async throws -> [ObjectListEntry] {
        var result: [ObjectListEntry] = []
        for try await entry in self { result.append(entry) }
        return result
    }

    /// Applies `transform` to every entry (used by prefix-scoped views).
    public func map(_ transform: @escaping @Sendable (ObjectListEntry) -> ObjectListEntry) -> ObjectListing {
        let fetch = fetchPage
        return ObjectListing { token in
            let page = try await fetch(token)
            return ObjectListPage(entries: page.entries.map(transform), nextToken: page.nextToken)
        }
    }

    /// Calls `observe` with how long each page took to fetch (for timing wrappers).
    public func observingPageTimes(_ observe: @escaping @Sendable (Duration) -> Void) -> ObjectListing {
        let fetch = fetchPage
        return ObjectListing { token in
            let start = ContinuousClock.now
            defer { observe(ContinuousClock.now - start) }
            return try await fetch(token)
        }
    }

    public struct Iterator: AsyncIteratorProtocol {
        let fetchPage: PageFetcher
        var buffer: [ObjectListEntry] = []
        var index = 0
        var token: String?
        var finished = false

        public mutating func next() async throws -> ObjectListEntry? {
            while index >= buffer.count {
                if finished { return nil }
                let page = try await fetchPage(token)
                buffer = page.entries
                index = 0
                token = page.nextToken
                finished = page.nextToken == nil
            }
            defer { index += 1 }
            return buffer[index]
        }
    }
}

/// Listing logic shared by backends that hold all keys locally (memory, local folder):
/// filter by prefix, group by delimiter, and cut into pages of `pageSize`.
enum LocalListing {
    /// S3's order: keys compare as UTF-8 bytes (not as Swift's Unicode-aware `<`).
    static func keyOrder(_ a: ObjectInfo, _ b: ObjectInfo) -> Bool {
        a.key.utf8.lexicographicallyPrecedes(b.key.utf8)
    }

    /// One page of `sortedObjects` (in ``keyOrder(_:_:)``) after `token`
    /// (the last key or common prefix of the previous page).
    static func page(
        sortedObjects: [ObjectInfo], prefix: String, delimiter: String?, token: String?, pageSize: Int
    ) -> ObjectListPage {
        var entries: [ObjectListEntry] = []
        var lastPrefix: String?
        var lastMarker: String?
        for object in sortedObjects {
            let key = object.key
            guard key.hasPrefix(prefix) else { continue }
            if let token {
                // Resume after the token: skip keys up to it, and all keys inside it when
                // it was a common prefix.
                if !token.utf8.lexicographicallyPrecedes(key.utf8) { continue }
                if let delimiter, !delimiter.isEmpty, token.hasSuffix(delimiter), key.hasPrefix(token) { continue }
            }
            if let delimiter, !delimiter.isEmpty,
               let range = key.dropFirst(prefix.count).range(of: delimiter) {
                let common = String(key[..<range.upperBound])
                if common == lastPrefix { continue }
                if entries.count == pageSize { return ObjectListPage(entries: entries, nextToken: lastMarker) }
                lastPrefix = common
                lastMarker = common
                entries.append(.commonPrefix(common))
            } else {
                if entries.count == pageSize { return ObjectListPage(entries: entries, nextToken: lastMarker) }
                lastMarker = key
                entries.append(.object(object))
            }
        }
        return ObjectListPage(entries: entries, nextToken: nil)
    }
}

import Foundation

/// Why an object store operation failed. Every case names the key (when there is one)
/// and the backend, so a message in a log says what failed where.
public enum ObjectStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No object under `key`.
    case notFound(key: String, backend: String)
    /// ``ObjectStore/putIfAbsent(_:_:)`` lost: an object already exists under `key`.
    case alreadyExists(key: String, backend: String)
    /// The credentials are missing, wrong, or not allowed to do this (S3 403).
    case accessDenied(key: String?, backend: String, message: String)
    /// The backend asked us to slow down (S3 503 SlowDown) and retries did not help.
    case throttled(key: String?, backend: String, message: String)
    /// A failure that might go away when retried (5xx, timeout, reset connection), still
    /// failing after the configured retries.
    case transient(key: String?, backend: String, message: String)
    /// The key is not acceptable (absolute, `..`, empty segment, ...).
    case invalidKey(key: String, backend: String, reason: String)
    /// A ranged read started at or past the end of the object.
    case invalidRange(key: String, backend: String, range: Range<Int>, size: Int?)
    /// Any other permanent failure (a 4xx S3 error, a local I/O error, bad configuration).
    case failed(key: String?, backend: String, message: String)

    /// The kind of failure without its details, for `switch`es and metrics.
    public enum Kind: String, Sendable {
        case notFound, alreadyExists, accessDenied, throttled, transient, invalidKey, invalidRange, failed
    }

    public var kind: Kind {
        switch self {
        case .notFound: .notFound
        case .alreadyExists: .alreadyExists
        case .accessDenied: .accessDenied
        case .throttled: .throttled
        case .transient: .transient
        case .invalidKey: .invalidKey
        case .invalidRange: .invalidRange
        case .failed: .failed
        }
    }

    public var description: String {
        func at(_ key: String?, _ backend: String) -> String {
            key.map { "'\($0)' in \(backend)" } ?? backend
        }
        switch self {
        case .notFound(let key, let backend):
            return "object not found: \(at(key, backend))"
        case .alreadyExists(let key, let backend):
            return "object already exists: \(at(key, backend))"
        case .accessDenied(let key, let backend, let message):
            return "access denied: \(at(key, backend)): \(message)"
        case .throttled(let key, let backend, let message):
            return "throttled: \(at(key, backend)): \(message)"
        case .transient(let key, let backend, let message):
            return "transient failure (retries exhausted): \(at(key, backend)): \(message)"
        case .invalidKey(let key, let backend, let reason):
            return "invalid key '\(key)' for \(backend): \(reason)"
        case .invalidRange(let key, let backend, let range, let size):
            return "invalid range \(range.lowerBound)..<\(range.upperBound) of \(at(key, backend))"
                + (size.map { " (size \($0))" } ?? "")
        case .failed(let key, let backend, let message):
            return "failed: \(at(key, backend)): \(message)"
        }
    }

    /// The same error with `prefix` removed from its key and `view` as its backend (for
    /// prefix-scoped views, whose callers know keys relative to the view).
    func scoped(prefix: String, view backend: String) -> ObjectStoreError {
        func strip(_ key: String) -> String {
            key.hasPrefix(prefix) ? String(key.dropFirst(prefix.count)) : key
        }
        switch self {
        case .notFound(let key, _): return .notFound(key: strip(key), backend: backend)
        case .alreadyExists(let key, _): return .alreadyExists(key: strip(key), backend: backend)
        case .accessDenied(let key, _, let m): return .accessDenied(key: key.map(strip), backend: backend, message: m)
        case .throttled(let key, _, let m): return .throttled(key: key.map(strip), backend: backend, message: m)
        case .transient(let key, _, let m): return .transient(key: key.map(strip), backend: backend, message: m)
        case .invalidKey(let key, _, let r): return .invalidKey(key: strip(key), backend: backend, reason: r)
        case .invalidRange(let key, _, let range, let size):
            return .invalidRange(key: strip(key), backend: backend, range: range, size: size)
        case .failed(let key, _, let m): return .failed(key: key.map(strip), backend: backend, message: m)
        }
    }
}

/// The key rules every backend shares (see ``ObjectStore``).
public enum ObjectKey {
    /// Throws ``ObjectStoreError/invalidKey(key:backend:reason:)`` unless `key` is a valid
    /// object key.
    public static func validate(_ key: String, backend: String) throws {
        if let reason = problem(with: key) {
            throw ObjectStoreError.invalidKey(key: key, backend: backend, reason: reason)
        }
    }

    /// Why `key` is not valid, or nil when it is.
    public static func problem(with key: String) -> String? {
        if key.isEmpty { return "empty key" }
        if key.hasPrefix("/") { return "absolute keys are not allowed" }
        if key.hasSuffix("/") { return "a key must not end with '/'" }
        if key.utf8.contains(0) { return "NUL in key" }
        if key.utf8.count > 1024 { return "longer than 1024 bytes" }
        for segment in key.split(separator: "/", omittingEmptySubsequences: false) {
            if segment.isEmpty { return "empty path segment ('//')" }
            if segment == "." || segment == ".." { return "'.' and '..' segments are not allowed" }
        }
        return nil
    }
}

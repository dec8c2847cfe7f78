import Foundation
import Logging

/// Temporary credentials from a ``S3CredentialSource``, cached and refreshed before they
/// expire, so no request is signed with credentials about to lapse.
///
/// - Refresh window: the last `min(maximumMargin, half the lifetime)` before expiry: an
///   hour of STS credentials is refreshed 5 minutes early, test credentials of a few
///   seconds at half-life.
/// - One refresh at a time: requests arriving while it runs wait for it (one STS call, not
///   one per request); a cancelled request does not cancel the shared refresh.
/// - A failed refresh while the cached credentials still hold is logged and retried after
///   `retryInterval`; requests keep signing with the valid ones meanwhile, so an STS or
///   metadata hiccup does not fail writes.
/// - Credentials S3 rejects (`ExpiredToken`) are dropped at once (``rejected(_:)``).
public actor RefreshingCredentialProvider: S3CredentialProvider {
    public nonisolated let source: String
    private let fetcher: any S3CredentialSource
    private let maximumMargin: TimeInterval
    private let retryInterval: TimeInterval
    private let logger: Logger
    private var cached: (credentials: S3Credentials, fetchedAt: Date)?
    private var inFlight: Task<S3Credentials, Error>?
    private var retryNotBefore: Date?
    private var failing = false
    /// Successful fetches so far (tests check that concurrent requests share one).
    public private(set) var fetches = 0

    public init(
        _ fetcher: any S3CredentialSource, maximumMargin: TimeInterval = 300, retryInterval: TimeInterval = 1,
        logger: Logger = Logger(label: "tributary.s3.credentials")
    ) {
        self.fetcher = fetcher
        source = fetcher.description
        self.maximumMargin = maximumMargin
        self.retryInterval = retryInterval
        self.logger = logger
    }

    public func credentials() async throws -> S3Credentials {
        let now = Date()
        if let cached {
            if !needsRefresh(cached, now: now) { return cached.credentials }
            let stillValid = !cached.credentials.expires(within: 0, of: now)
            if stillValid, let retryNotBefore, now < retryNotBefore { return cached.credentials }
        }
        do {
            return try await refresh()
        } catch {
            // Keep signing with credentials that still hold; the refresh is retried later.
            if let cached, !cached.credentials.expires(within: 0) { return cached.credentials }
            throw error
        }
    }

    public func rejected(_ credentials: S3Credentials) async -> Bool {
        if let cached, cached.credentials == credentials {
            self.cached = nil
            retryNotBefore = nil
        }
        return true
    }

    private func needsRefresh(_ entry: (credentials: S3Credentials, fetchedAt: Date), now: Date) -> Bool {
        guard let expiration = entry.credentials.expiration else { return false }
        let lifetime = max(0, expiration.timeIntervalSince(entry.fetchedAt))
        return expiration.timeIntervalSince(now) <= min(maximumMargin, lifetime / 2)
    }

    private func refresh() async throws -> S3Credentials {
        if let inFlight { return try await inFlight.value }
        let fetcher = self.fetcher
        let task = Task { try await fetcher.fetch() }
        inFlight = task
        let started = Date()
        do {
            let fresh = try await task.value
            inFlight = nil
            fetches += 1
            cached = (fresh, started)
            retryNotBefore = nil
            if failing {
                failing = false
                logger.info("S3 credentials refreshed again", metadata: ["source": "\(source)"])
            }
            return fresh
        } catch {
            inFlight = nil
            retryNotBefore = Date().addingTimeInterval(retryInterval)
            if !failing {
                failing = true
                let holding = cached.map { !$0.credentials.expires(within: 0) } ?? false
                logger.warning(holding ? "S3 credentials could not be refreshed (the current ones hold meanwhile)"
                                       : "S3 credentials could not be obtained",
                               metadata: ["source": "\(source)", "error": "\(error)"])
            }
            throw error
        }
    }
}

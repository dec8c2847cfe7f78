import Foundation

/// Where the S3 client gets the credentials it signs each request with.
public protocol S3CredentialProvider: Sendable {
    /// Credentials valid for a request signed now (refreshed first when they are about to expire).
    func credentials() async throws -> S3Credentials
    /// S3 rejected `credentials` as expired or unknown (`ExpiredToken`, `InvalidToken`):
    /// drop them, so the next ``credentials()`` fetches new ones. Returns false when
    /// there is nothing to refresh (static keys), so the rejection stands.
    func rejected(_ credentials: S3Credentials) async -> Bool
    /// Where the credentials come from, for logs and errors (never a secret).
    var source: String { get }
}

/// Keys that never change: from the configuration, the environment or a profile.
public struct StaticCredentialProvider: S3CredentialProvider {
    public let value: S3Credentials
    public let source: String

    public init(_ credentials: S3Credentials, source: String = "static keys") {
        value = credentials
        self.source = source
    }

    public func credentials() async throws -> S3Credentials { value }
    public func rejected(_ credentials: S3Credentials) async -> Bool { false }
}

/// One way of obtaining temporary credentials (STS web identity, the container endpoint,
/// instance metadata): each ``fetch()`` asks for a fresh set.
public protocol S3CredentialSource: Sendable {
    func fetch() async throws -> S3Credentials
    /// What it asks, for logs and errors: `web identity (role ARN, token file PATH)`.
    var description: String { get }
}

/// Why temporary credentials could not be had.
public struct S3CredentialError: Error, CustomStringConvertible, Sendable {
    public var source: String
    public var message: String
    /// The source could not be reached or failed on its side (a retry later may work),
    /// as opposed to refusing (bad token, unknown role).
    public var transient: Bool

    public init(source: String, message: String, transient: Bool = false) {
        self.source = source
        self.message = message
        self.transient = transient
    }

    public var description: String { "S3 credentials from \(source): \(message)" }
}

import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// One S3 REST request, before signing.
struct S3Request: Sendable {
    var method: HTTPMethod
    /// Object key, or nil for a bucket-level request.
    var key: String?
    var query: [(String, String)] = []
    var headers: [(String, String)] = []
    var body: Data?
}

/// What came back: status, headers and the whole body.
struct S3Response: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: Data
    /// How many attempts it took (more than one means an earlier attempt's outcome is
    /// unknown: it may have taken effect).
    var attempts = 1
}

/// A failure of one attempt that is worth retrying.
struct S3TransientFailure: Error, CustomStringConvertible {
    var description: String
}

/// Signs and sends S3 requests over async-http-client, with the retry policy.
struct S3Client: Sendable {
    let configuration: S3Configuration
    let credentials: any S3CredentialProvider
    let http: HTTPClient
    let backend: String
    /// scheme, host (no port), port and whether the port is the scheme's default.
    private let scheme: String
    private let host: String
    private let port: Int?

    init(configuration: S3Configuration, credentials: S3Credentials, http: HTTPClient, backend: String) throws {
        try self.init(configuration: configuration, credentials: StaticCredentialProvider(credentials), http: http, backend: backend)
    }

    init(configuration: S3Configuration, credentials: any S3CredentialProvider, http: HTTPClient, backend: String) throws {
        self.configuration = configuration
        self.credentials = credentials
        self.http = http
        self.backend = backend
        let endpoint = configuration.endpoint ?? "https://s3.\(configuration.region).amazonaws.com"
        guard let components = URLComponents(string: endpoint), let scheme = components.scheme,
              let host = components.host, !host.isEmpty, scheme == "http" || scheme == "https"
        else {
            throw ObjectStoreError.failed(key: nil, backend: backend, message: "invalid S3 endpoint '\(endpoint)'")
        }
        self.scheme = scheme
        self.host = host
        self.port = components.port
    }

    var pathStyle: Bool { configuration.pathStyle ?? (configuration.endpoint != nil) }

    /// The Host header and the encoded path for `key` (nil: the bucket itself).
    func address(key: String?) -> (host: String, path: String) {
        let portSuffix = port.map { ":\($0)" } ?? ""
        let encodedKey = key.map { SigV4Signer.uriEncode($0, encodeSlash: false) }
        if pathStyle {
            let bucket = SigV4Signer.uriEncode(configuration.bucket, encodeSlash: true)
            return (host + portSuffix, "/" + bucket + (encodedKey.map { "/" + $0 } ?? ""))
        }
        return ("\(configuration.bucket).\(host)\(portSuffix)", "/" + (encodedKey ?? ""))
    }

    /// Sends `request`, retrying transient failures. Returns any response whose status is
    /// below 300 or in `accept`; turns other statuses into ``ObjectStoreError``s.
    func perform(_ request: S3Request, accept: Set<Int> = [], retryStatuses: Set<Int> = []) async throws -> S3Response {
        try await configuration.retry.run { attempt in
            do {
                var response = try await sendSigned(request)
                response.attempts = attempt.number
                if response.status < 300 || accept.contains(response.status) { return .done(response) }
                let retryable = S3Retry.isRetryable(status: response.status) || retryStatuses.contains(response.status)
                if !retryable || attempt.isLast {
                    throw mapError(response, key: request.key)
                }
            } catch let failure as S3TransientFailure {
                if attempt.isLast {
                    throw ObjectStoreError.transient(
                        key: request.key, backend: backend,
                        message: "\(request.method.rawValue) failed after \(attempt.number) attempt(s): \(failure.description)")
                }
            }
            return .again()
        }
    }

    /// One attempt, signed with the current credentials. Temporary credentials S3 refuses
    /// as expired are replaced and the request is sent again at once (S3 did not act on
    /// it), without spending an attempt; bounded, in case the new ones fail too.
    private func sendSigned(_ request: S3Request) async throws -> S3Response {
        var replaced = 0
        while true {
            let signing = try await currentCredentials(key: request.key)
            let response = try await send(request, signing: signing)
            if replaced < 2, Self.rejectsCredentials(response, signing), await credentials.rejected(signing) {
                replaced += 1
                continue
            }
            return response
        }
    }

    /// The credentials to sign with; a source that cannot give any (STS down, bad token)
    /// becomes a typed error naming it.
    private func currentCredentials(key: String?) async throws -> S3Credentials {
        do {
            return try await credentials.credentials()
        } catch let error as S3CredentialError {
            throw error.transient
                ? ObjectStoreError.transient(key: key, backend: backend, message: error.description)
                : ObjectStoreError.accessDenied(key: key, backend: backend, message: error.description)
        }
    }

    /// Whether S3 refused the request for its temporary credentials (expired or revoked)
    /// rather than for what it asked. A HEAD answer has no body to say so: then expired
    /// credentials are the likely cause.
    static func rejectsCredentials(_ response: S3Response, _ signing: S3Credentials) -> Bool {
        guard response.status == 400 || response.status == 403 else { return false }
        guard let code = S3ErrorBody(response.body)?.code else {
            return response.body.isEmpty && signing.expires(within: 1)
        }
        return ["ExpiredToken", "InvalidToken", "TokenRefreshRequired", "ExpiredTokenException", "InvalidAccessKeyId"]
            .contains(code)
    }

    /// One attempt: sign, send, read the whole body within the request timeout.
    private func send(_ request: S3Request, signing credentials: S3Credentials) async throws -> S3Response {
        let (hostHeader, path) = address(key: request.key)
        let query = SigV4Signer.canonicalQuery(request.query)
        let body = request.body ?? Data()
        let payloadHash: String
        if !configuration.signPayload {
            payloadHash = "UNSIGNED-PAYLOAD"
        } else if body.isEmpty {
            payloadHash = SigV4Signer.emptyPayloadHash
        } else {
            payloadHash = SigV4Signer.sha256Hex(body)
        }
        let now = Date()
        var headers = request.headers
        headers.append(("host", hostHeader))
        headers.append(("x-amz-date", SigV4Signer.amzDate(now)))
        headers.append(("x-amz-content-sha256", payloadHash))
        if let token = credentials.sessionToken { headers.append(("x-amz-security-token", token)) }
        let signer = SigV4Signer(credentials: credentials, region: configuration.region)
        let signature = signer.sign(
            method: request.method.rawValue, encodedPath: path, query: request.query, headers: headers,
            payloadHash: payloadHash, date: now)

        let portSuffix = port.map { ":\($0)" } ?? ""
        let hostForURL = pathStyle ? host : "\(configuration.bucket).\(host)"
        var url = "\(scheme)://\(hostForURL)\(portSuffix)\(path)"
        if !query.isEmpty { url += "?" + query }
        var http = HTTPClientRequest(url: url)
        http.method = request.method
        for (name, value) in headers { http.headers.add(name: name, value: value) }
        http.headers.add(name: "Authorization", value: signature.authorization)
        if !body.isEmpty || request.method == .PUT || request.method == .POST {
            http.body = .bytes(ByteBuffer(data: body))
        }
        let client = self.http
        let outgoing = http
        let method = request.method
        let timeout = configuration.requestTimeout
        do {
            return try await withTimeout(seconds: timeout) {
                let response = try await client.execute(outgoing, timeout: .milliseconds(Int64(timeout * 1000)))
                let status = Int(response.status.code)
                var received = Data()
                if method != .HEAD {
                    // Read the body in full, straight into one buffer of the announced
                    // size; a body shorter than Content-Length is a broken transfer, not
                    // an object.
                    let expected = response.headers.first(name: "content-length").flatMap(Int.init)
                    if let expected { received.reserveCapacity(expected) }
                    for try await chunk in response.body {
                        chunk.withUnsafeReadableBytes { received.append(contentsOf: $0) }
                    }
                    if let expected, expected != received.count {
                        throw S3TransientFailure(description: "truncated response body: \(received.count) of \(expected) bytes")
                    }
                }
                return S3Response(status: status, headers: response.headers, body: received)
            }
        } catch let failure as S3TransientFailure {
            throw failure
        } catch is CancellationError where !Task.isCancelled {
            throw S3TransientFailure(description: "timed out after \(timeout) s")
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw S3TransientFailure(description: "timed out after \(timeout) s")
        } catch let error as HTTPClientError {
            throw S3TransientFailure(description: "HTTP: \(error)")
        } catch let error as ObjectStoreError {
            throw error
        } catch {
            if Task.isCancelled { throw error }
            // Connection reset, refused, closed early: the transport failed, not S3.
            throw S3TransientFailure(description: "\(error)")
        }
    }

    /// A readable, typed error from a non-2xx response.
    func mapError(_ response: S3Response, key: String?) -> ObjectStoreError {
        let parsed = S3ErrorBody(response.body)
        let code = parsed?.code ?? ""
        var message = "HTTP \(response.status)"
        if let parsed {
            message += " \(parsed.code): \(parsed.message)"
            if let id = parsed.requestId { message += " (request \(id))" }
        }
        switch response.status {
        case 404 where code == "NoSuchBucket":
            return .failed(key: key, backend: backend, message: "bucket '\(configuration.bucket)' does not exist: \(message)")
        case 404 where key != nil:
            return .notFound(key: key ?? "", backend: backend)
        case 403, 401:
            return .accessDenied(key: key, backend: backend, message: message)
        case 503 where code == "SlowDown" || code.isEmpty:
            return .throttled(key: key, backend: backend, message: message)
        case 500...:
            return .transient(key: key, backend: backend, message: message + " (after \(configuration.retry.maxAttempts) attempts)")
        default:
            return .failed(key: key, backend: backend, message: message)
        }
    }
}

/// Runs `operation`, cancelling it (and throwing `CancellationError`) after `seconds`.
/// async-http-client's own deadline stops at the response head; this covers the body too.
func withTimeout<T: Sendable>(seconds: Double, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw CancellationError()
        }
        return value
    }
}

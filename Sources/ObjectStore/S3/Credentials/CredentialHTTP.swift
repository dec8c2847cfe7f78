import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import TributaryCore

/// The HTTP exchanges of the credential sources (STS, the container endpoint, instance
/// metadata): small requests, a short timeout each, transient failures retried.
struct CredentialHTTP: Sendable {
    let client: HTTPClient
    /// Time limit of one attempt, in seconds.
    let timeout: Double
    let retry: RetryPolicy
    /// Names the source in errors.
    let source: String

    struct Answer: Sendable {
        var status: Int
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Sends the request, retrying connection failures, timeouts, 5xx and 429, and statuses
    /// `retryable` accepts; returns the last answer (any status) or throws the last failure.
    func send(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: Data? = nil,
        retryable: @Sendable (Answer) -> Bool = { _ in false }
    ) async throws -> Answer {
        try await retry.run { attempt in
            do {
                let answer = try await once(method, url, headers: headers, body: body)
                let worthRetrying = answer.status >= 500 || answer.status == 429 || retryable(answer)
                return attempt.isLast || !worthRetrying ? .done(answer) : .again()
            } catch {
                if Task.isCancelled { throw error }
                if !attempt.isLast { return .again() }
                throw S3CredentialError(
                    source: source, message: "\(method.rawValue) \(url) failed after \(attempt.number) attempt(s): \(error)",
                    transient: true)
            }
        }
    }

    private func once(_ method: HTTPMethod, _ url: String, headers: [(String, String)], body: Data?) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(data: body)) }
        let client = self.client, outgoing = request, timeout = self.timeout
        do {
            return try await withTimeout(seconds: timeout) {
                let response = try await client.execute(outgoing, timeout: .milliseconds(Int64(timeout * 1000)))
                var received = Data()
                for try await chunk in response.body {
                    chunk.withUnsafeReadableBytes { received.append(contentsOf: $0) }
                }
                return Answer(status: Int(response.status.code), body: received)
            }
        } catch is CancellationError where !Task.isCancelled {
            throw S3CredentialError(source: source, message: "timed out after \(timeout) s", transient: true)
        }
    }

    /// `name=value&...` with RFC 3986 escaping (STS's query API form body).
    static func formBody(_ fields: [(String, String)]) -> Data {
        Data(fields.map { SigV4Signer.uriEncode($0.0, encodeSlash: true) + "=" + SigV4Signer.uriEncode($0.1, encodeSlash: true) }
            .joined(separator: "&").utf8)
    }
}

/// The JSON credentials document of the container endpoint and of instance metadata:
/// `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}` (IMDS adds `"Code": "Success"`).
struct CredentialsDocument: Decodable {
    var Code: String?
    var Message: String?
    var AccessKeyId: String?
    var SecretAccessKey: String?
    var Token: String?
    var Expiration: String?

    static func parse(_ data: Data, source: String) throws -> S3Credentials {
        let document: CredentialsDocument
        do {
            document = try JSONDecoder().decode(CredentialsDocument.self, from: data)
        } catch {
            throw S3CredentialError(source: source, message: "unreadable credentials document: \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        if let code = document.Code, code != "Success" {
            throw S3CredentialError(source: source, message: "\(code): \(document.Message ?? "")")
        }
        guard let id = document.AccessKeyId, !id.isEmpty, let secret = document.SecretAccessKey, !secret.isEmpty else {
            throw S3CredentialError(source: source, message: "the credentials document has no AccessKeyId/SecretAccessKey")
        }
        var expiration: Date?
        if let text = document.Expiration {
            guard let date = S3Dates.parseISO8601(text) else {
                throw S3CredentialError(source: source, message: "unreadable Expiration '\(text)'")
            }
            expiration = date
        }
        return S3Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: document.Token, expiration: expiration)
    }
}

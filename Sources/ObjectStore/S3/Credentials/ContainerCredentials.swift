import AsyncHTTPClient
import Foundation
import TributaryCore

/// Credentials from the container credentials endpoint: ECS task roles
/// (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`, on 169.254.170.2) and EKS Pod Identity
/// (`AWS_CONTAINER_CREDENTIALS_FULL_URI` with `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`).
/// The token file is read on every fetch (the agent rotates it).
public struct ContainerCredentialSource: S3CredentialSource {
    public var url: String
    public var authorizationToken: String?
    public var authorizationTokenFile: String?
    let http: CredentialHTTP

    public init(
        url: String, authorizationToken: String? = nil, authorizationTokenFile: String? = nil, httpClient: HTTPClient,
        timeout: Double = 5, retry: RetryPolicy = RetryPolicy(maxAttempts: 3)
    ) {
        self.url = url
        self.authorizationToken = authorizationToken
        self.authorizationTokenFile = authorizationTokenFile
        http = CredentialHTTP(client: httpClient, timeout: timeout, retry: retry, source: "container endpoint \(url)")
    }

    public var description: String { http.source }

    public func fetch() async throws -> S3Credentials {
        var headers: [(String, String)] = [("accept", "application/json")]
        if let authorizationTokenFile {
            do {
                let token = try String(contentsOfFile: authorizationTokenFile, encoding: .utf8)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                headers.append(("authorization", token))
            } catch {
                throw S3CredentialError(source: description, message: "cannot read the authorization token file \(authorizationTokenFile): \(error.localizedDescription)")
            }
        } else if let authorizationToken {
            headers.append(("authorization", authorizationToken))
        }
        let answer = try await http.send(.GET, url, headers: headers)
        guard answer.status == 200 else {
            throw S3CredentialError(source: description, message: "HTTP \(answer.status): \(answer.text.prefix(300))",
                                    transient: answer.status >= 500)
        }
        return try CredentialsDocument.parse(answer.body, source: description)
    }

    /// Whether the SDKs allow plain HTTP to `host`: loopback, or the ECS and EKS agents'
    /// link-local addresses (credentials must not cross a network in the clear).
    static func allowsPlainHTTP(host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
            || ["169.254.170.2", "169.254.170.23", "fd00:ec2::23"].contains(bare)
    }
}

/// Credentials from EC2 instance metadata, IMDSv2 only: a session token (`PUT
/// /latest/api/token`), then the role name and its credentials with that token. IMDSv1
/// (no token) is not used: AWS recommends turning it off, and a v1 request is what SSRF
/// attacks forge. Short timeouts: off EC2 the address does not answer.
public struct InstanceMetadataCredentialSource: S3CredentialSource {
    public var endpoint: String
    /// Prefixed to errors: the sources tried before this last resort.
    public var context: String?
    let http: CredentialHTTP

    public init(
        endpoint: String = "http://169.254.169.254", context: String? = nil, httpClient: HTTPClient, timeout: Double = 1,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 2)
    ) {
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.context = context
        http = CredentialHTTP(client: httpClient, timeout: timeout, retry: retry, source: "instance metadata \(self.endpoint)")
    }

    public var description: String { http.source }

    public func fetch() async throws -> S3Credentials {
        do {
            let tokenAnswer = try await http.send(
                .PUT, endpoint + "/latest/api/token", headers: [("x-aws-ec2-metadata-token-ttl-seconds", "300")])
            guard tokenAnswer.status == 200, !tokenAnswer.text.isEmpty else {
                throw S3CredentialError(source: description, message: "IMDSv2 token: HTTP \(tokenAnswer.status) \(tokenAnswer.text.prefix(200))")
            }
            let headers = [("x-aws-ec2-metadata-token", tokenAnswer.text)]
            let base = endpoint + "/latest/meta-data/iam/security-credentials/"
            let roles = try await http.send(.GET, base, headers: headers)
            guard roles.status == 200,
                  let role = roles.text.split(whereSeparator: \.isNewline).first.map(String.init), !role.isEmpty
            else {
                throw S3CredentialError(source: description, message: "no IAM role attached to the instance (HTTP \(roles.status))")
            }
            let answer = try await http.send(.GET, base + SigV4Signer.uriEncode(role, encodeSlash: true), headers: headers)
            guard answer.status == 200 else {
                throw S3CredentialError(source: description, message: "role \(role): HTTP \(answer.status)", transient: answer.status >= 500)
            }
            return try CredentialsDocument.parse(answer.body, source: description)
        } catch var error as S3CredentialError {
            if let context { error.message = context + "; " + error.message }
            throw error
        }
    }
}

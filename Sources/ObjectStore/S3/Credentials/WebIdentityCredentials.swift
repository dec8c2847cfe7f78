import AsyncHTTPClient
import Foundation
import TributaryCore

/// Temporary credentials for an IAM role in exchange for an OIDC token: STS
/// `AssumeRoleWithWebIdentity`, what Kubernetes service accounts use (EKS "IRSA": the pod
/// gets `AWS_ROLE_ARN` and `AWS_WEB_IDENTITY_TOKEN_FILE`, a projected token the kubelet
/// rotates, so the file is read again on every fetch). The call is not signed: the token
/// is the proof.
public struct WebIdentityCredentialSource: S3CredentialSource {
    public var roleARN: String
    public var tokenFile: String
    public var sessionName: String
    /// `https://sts.REGION.amazonaws.com`, or a test server (moto).
    public var stsEndpoint: String
    /// Requested lifetime (STS accepts 900 s up to the role's maximum); nil: STS's default (1 h).
    public var durationSeconds: Int?
    let http: CredentialHTTP

    public init(
        roleARN: String, tokenFile: String, sessionName: String, stsEndpoint: String, durationSeconds: Int? = nil,
        httpClient: HTTPClient, timeout: Double = 10, retry: RetryPolicy = RetryPolicy(maxAttempts: 4)
    ) {
        self.roleARN = roleARN
        self.tokenFile = tokenFile
        self.sessionName = sessionName
        self.stsEndpoint = stsEndpoint
        self.durationSeconds = durationSeconds
        http = CredentialHTTP(
            client: httpClient, timeout: timeout, retry: retry,
            source: "web identity (role \(roleARN), token file \(tokenFile), STS \(stsEndpoint))")
    }

    public var description: String { http.source }

    public func fetch() async throws -> S3Credentials {
        let token: String
        do {
            token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw S3CredentialError(source: description, message: "cannot read the token file: \(error.localizedDescription)")
        }
        guard !token.isEmpty else { throw S3CredentialError(source: description, message: "the token file is empty") }
        var form = [("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleARN),
                    ("RoleSessionName", sessionName), ("WebIdentityToken", token)]
        if let durationSeconds { form.append(("DurationSeconds", String(durationSeconds))) }
        var url = stsEndpoint
        if !url.hasSuffix("/") { url += "/" }
        let answer = try await http.send(
            .POST, url, headers: [("content-type", "application/x-www-form-urlencoded; charset=utf-8")],
            body: CredentialHTTP.formBody(form),
            // STS asks for a retry when it could not reach the identity provider.
            retryable: { Self.errorCode($0.body) == "IDPCommunicationError" || Self.errorCode($0.body) == "Throttling" })
        guard answer.status == 200 else {
            let root = XMLElement.parse(answer.body)?.child("Error")
            let detail = root.map { "\($0.value("Code") ?? ""): \($0.value("Message") ?? "")" } ?? answer.text.prefix(300).description
            throw S3CredentialError(source: description, message: "STS answered HTTP \(answer.status) \(detail)",
                                    transient: answer.status >= 500)
        }
        guard let credentials = XMLElement.parse(answer.body)?
            .child("AssumeRoleWithWebIdentityResult")?.child("Credentials"),
              let id = credentials.value("AccessKeyId"), let secret = credentials.value("SecretAccessKey")
        else {
            throw S3CredentialError(source: description, message: "unreadable STS answer: \(answer.text.prefix(300))")
        }
        return S3Credentials(
            accessKeyId: id, secretAccessKey: secret, sessionToken: credentials.value("SessionToken"),
            expiration: credentials.value("Expiration").flatMap(S3Dates.parseISO8601))
    }

    static func errorCode(_ body: Data) -> String? {
        XMLElement.parse(body)?.child("Error")?.value("Code")
    }
}

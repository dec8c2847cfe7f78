import AsyncHTTPClient
import Foundation

/// Finds the credentials the way the AWS SDKs do, first match wins:
///
/// 1. static keys (the configuration's `s3.access_key_id` / `s3.secret_access_key`);
/// 2. the environment: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`;
/// 3. the shared credentials file's profile (`AWS_PROFILE`, else `default`;
///    `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`);
/// 4. web identity: `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN` (+ `AWS_ROLE_SESSION_NAME`)
///    → STS `AssumeRoleWithWebIdentity` (endpoint `AWS_ENDPOINT_URL_STS`, else
///    `AWS_ENDPOINT_URL`, else the region's STS);
/// 5. the container endpoint: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `_FULL_URI`,
///    with `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or `AWS_CONTAINER_AUTHORIZATION_TOKEN`;
/// 6. EC2 instance metadata (IMDSv2; `AWS_EC2_METADATA_SERVICE_ENDPOINT` moves it,
///    `AWS_EC2_METADATA_DISABLED=true` turns it off).
///
/// An explicitly named profile is used alone, as the SDKs do. Sources 4–6 give temporary
/// credentials, cached and refreshed before expiry by a ``RefreshingCredentialProvider``.
public enum S3CredentialChain {
    /// Settings of the temporary sources that have no environment variable.
    public struct Options: Sendable {
        /// Lifetime asked of STS (nil: STS's default, an hour).
        public var webIdentityDurationSeconds: Int?
        /// Refresh at most this long before expiry (less for short-lived credentials).
        public var refreshMargin: TimeInterval
        public init(webIdentityDurationSeconds: Int? = nil, refreshMargin: TimeInterval = 300) {
            self.webIdentityDurationSeconds = webIdentityDurationSeconds
            self.refreshMargin = refreshMargin
        }
    }

    /// The provider of the first source present; throws when none is (and instance
    /// metadata is disabled) or when one is misconfigured (an HTTP container URI off loopback).
    public static func provider(
        credentials: S3Credentials? = nil, profile: String? = nil, region: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        httpClient: HTTPClient, options: Options = Options()
    ) throws -> any S3CredentialProvider {
        if let credentials { return StaticCredentialProvider(credentials, source: "configured keys") }
        func env(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let profileName = S3Credentials.profileName(profile, environment: environment)
        let file = S3Credentials.credentialsFilePath(environment)
        if let profile {
            guard let found = S3Credentials.fromProfile(profile, environment: environment) else {
                throw S3CredentialError(source: "profile '\(profile)'", message: "no such profile with keys in \(file)")
            }
            return StaticCredentialProvider(found, source: "profile '\(profile)' in \(file)")
        }
        if let found = S3Credentials.fromEnvironment(environment) {
            return StaticCredentialProvider(found, source: "environment (AWS_ACCESS_KEY_ID)")
        }
        if let found = S3Credentials.fromProfile(nil, environment: environment) {
            return StaticCredentialProvider(found, source: "profile '\(profileName)' in \(file)")
        }
        func refreshing(_ source: any S3CredentialSource) -> RefreshingCredentialProvider {
            RefreshingCredentialProvider(source, maximumMargin: options.refreshMargin)
        }
        if let tokenFile = env("AWS_WEB_IDENTITY_TOKEN_FILE"), let role = env("AWS_ROLE_ARN") {
            let endpoint = env("AWS_ENDPOINT_URL_STS") ?? env("AWS_ENDPOINT_URL") ?? "https://sts.\(region).amazonaws.com"
            return refreshing(WebIdentityCredentialSource(
                roleARN: role, tokenFile: tokenFile,
                sessionName: env("AWS_ROLE_SESSION_NAME") ?? "tributary-\(Int(Date().timeIntervalSince1970))",
                stsEndpoint: endpoint, durationSeconds: options.webIdentityDurationSeconds, httpClient: httpClient))
        }
        if let url = try containerURL(environment) {
            return refreshing(ContainerCredentialSource(
                url: url, authorizationToken: env("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
                authorizationTokenFile: env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"), httpClient: httpClient))
        }
        let tried = "no S3 credentials in the configuration (s3.access_key_id), the environment (AWS_ACCESS_KEY_ID), "
            + "profile '\(profileName)' in \(file), web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN) "
            + "or the container endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI)"
        if env("AWS_EC2_METADATA_DISABLED")?.lowercased() == "true" {
            throw S3CredentialError(source: "the credential chain", message: tried + "; instance metadata is disabled (AWS_EC2_METADATA_DISABLED)")
        }
        return refreshing(InstanceMetadataCredentialSource(
            endpoint: env("AWS_EC2_METADATA_SERVICE_ENDPOINT") ?? "http://169.254.169.254", context: tried,
            httpClient: httpClient))
    }

    /// The container endpoint's URL, nil when neither variable is set.
    static func containerURL(_ environment: [String: String]) throws -> String? {
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            return "http://169.254.170.2" + (relative.hasPrefix("/") ? relative : "/" + relative)
        }
        guard let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty else { return nil }
        guard let components = URLComponents(string: full), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty
        else {
            throw S3CredentialError(source: "AWS_CONTAINER_CREDENTIALS_FULL_URI", message: "not a URL: '\(full)'")
        }
        if scheme == "https" || (scheme == "http" && ContainerCredentialSource.allowsPlainHTTP(host: host)) { return full }
        throw S3CredentialError(
            source: "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            message: "'\(full)': plain HTTP only to loopback or the ECS/EKS agent addresses; use https")
    }
}

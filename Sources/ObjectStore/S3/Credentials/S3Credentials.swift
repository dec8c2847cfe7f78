import Foundation

/// AWS credentials: an access key pair and, for temporary credentials, a session token.
public struct S3Credentials: Sendable, Equatable {
    /// The access key id (`AKIA...`), sent in the clear.
    public var accessKeyId: String
    /// The secret key; it only derives signing keys and is never sent.
    public var secretAccessKey: String
    /// Sent as `x-amz-security-token` (and signed) when present.
    public var sessionToken: String?
    /// When temporary credentials stop working (nil: they do not expire).
    public var expiration: Date?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    /// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and the optional
    /// `AWS_SESSION_TOKEN`; nil unless both keys are set.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> S3Credentials? {
        guard let id = environment["AWS_ACCESS_KEY_ID"], !id.isEmpty,
              let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
        else { return nil }
        let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return S3Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token)
    }

    /// Credentials of `profile` in an AWS shared credentials file (INI: `[profile]`
    /// sections with `aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`).
    public static func fromCredentialsFile(_ text: String, profile: String) -> S3Credentials? {
        let section = AWSConfigFile.section(text, named: profile)
        guard let id = section["aws_access_key_id"], let secret = section["aws_secret_access_key"] else { return nil }
        return S3Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: section["aws_session_token"])
    }

    /// The static part of the lookup order: environment, then the profile (`AWS_PROFILE`,
    /// else `default`) in `AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`. The whole
    /// chain (web identity, container, instance metadata) is ``S3CredentialChain``.
    public static func resolve(
        profile: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> S3Credentials? {
        if profile == nil, let credentials = fromEnvironment(environment) { return credentials }
        return fromProfile(profile, environment: environment)
    }

    /// The credentials of `profile` (nil: `AWS_PROFILE`, else `default`) in the shared credentials file.
    static func fromProfile(_ profile: String?, environment: [String: String]) -> S3Credentials? {
        guard let text = try? String(contentsOfFile: credentialsFilePath(environment), encoding: .utf8) else { return nil }
        return fromCredentialsFile(text, profile: profileName(profile, environment: environment))
    }

    static func profileName(_ profile: String?, environment: [String: String]) -> String {
        profile ?? environment["AWS_PROFILE"] ?? "default"
    }

    static func credentialsFilePath(_ environment: [String: String]) -> String {
        environment["AWS_SHARED_CREDENTIALS_FILE"] ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.aws/credentials")
    }

    /// True when these temporary credentials expire within `margin` seconds of `now`.
    func expires(within margin: TimeInterval, of now: Date = Date()) -> Bool {
        guard let expiration else { return false }
        return expiration.timeIntervalSince(now) <= margin
    }
}

/// The region from `AWS_REGION`, `AWS_DEFAULT_REGION`, or the profile's `region` in
/// `~/.aws/config` (`[profile NAME]` or `[default]`).
public enum AWSRegion {
    public static func resolve(
        profile: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String? {
        if let region = environment["AWS_REGION"], !region.isEmpty { return region }
        if let region = environment["AWS_DEFAULT_REGION"], !region.isEmpty { return region }
        let name = profile ?? environment["AWS_PROFILE"] ?? "default"
        let path = environment["AWS_CONFIG_FILE"] ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.aws/config")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let section = AWSConfigFile.section(text, named: name == "default" ? "default" : "profile \(name)")
        return section["region"]
    }
}

/// Minimal INI reading for the AWS shared config and credentials files.
enum AWSConfigFile {
    static func section(_ text: String, named name: String) -> [String: String] {
        var current: String?
        var values: [String: String] = [:]
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                current = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard current == name, let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            values[key] = value
        }
        return values
    }
}

extension S3Credentials: CustomStringConvertible {
    /// The key id and expiry only: the secret and the token never reach a log.
    public var description: String {
        var text = "S3Credentials(\(accessKeyId)"
        if sessionToken != nil { text += ", session token" }
        if let expiration { text += ", expires \(expiration)" }
        return text + ")"
    }
}

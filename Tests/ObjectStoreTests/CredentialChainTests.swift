import Foundation
@testable import ObjectStore
import Testing
import TributaryTesting

/// The credential chain's order and the refreshing cache, without a network.
struct CredentialChainTests {
    let http = S3ObjectStore.sharedHTTPClient

    func source(_ environment: [String: String], profile: String? = nil, credentials: S3Credentials? = nil) throws -> String {
        try S3CredentialChain.provider(
            credentials: credentials, profile: profile, region: "eu-west-1", environment: environment, httpClient: http
        ).source
    }

    @Test("first match wins, in the AWS SDKs' order")
    func order() throws {
        let dir = try TestEnvironment.temporaryDirectory("aws-chain")
        let file = dir.appendingPathComponent("credentials")
        try Data("[default]\naws_access_key_id = AKIDEFAULT\naws_secret_access_key = s1\n[other]\naws_access_key_id = AKIOTHER\naws_secret_access_key = s2\n".utf8)
            .write(to: file)
        let keys = ["AWS_ACCESS_KEY_ID": "AKIENV", "AWS_SECRET_ACCESS_KEY": "s"]
        let profile = ["AWS_SHARED_CREDENTIALS_FILE": file.path]
        let web = ["AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/token", "AWS_ROLE_ARN": "arn:aws:iam::1:role/r"]
        let container = ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/creds"]
        let all = keys.merging(profile) { $1 }.merging(web) { $1 }.merging(container) { $1 }

        #expect(try source(all, credentials: S3Credentials(accessKeyId: "A", secretAccessKey: "B")) == "configured keys")
        #expect(try source(all).hasPrefix("environment"))
        #expect(try source(all, profile: "other").hasPrefix("profile 'other'"))
        var rest = all.filter { !keys.keys.contains($0.key) }
        #expect(try source(rest).hasPrefix("profile 'default'"))
        rest = rest.filter { !profile.keys.contains($0.key) }.merging(["HOME": "/nonexistent"]) { $1 }
        #expect(try source(rest).hasPrefix("web identity (role arn:aws:iam::1:role/r"))
        #expect(try source(rest).hasSuffix("STS https://sts.eu-west-1.amazonaws.com)"))
        rest = rest.filter { !web.keys.contains($0.key) }
        #expect(try source(rest) == "container endpoint http://127.0.0.1:1/creds")
        #expect(try source(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x", "HOME": "/nonexistent"])
                == "container endpoint http://169.254.170.2/v2/credentials/x")
        #expect(try source(["HOME": "/nonexistent"]) == "instance metadata http://169.254.169.254")
        #expect(throws: S3CredentialError.self) { try source(["HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"]) }
        #expect(throws: S3CredentialError.self) { try source(["HOME": "/nonexistent"], profile: "missing") }
    }

    @Test("the container endpoint over plain HTTP only to loopback and the ECS/EKS agents")
    func containerHosts() throws {
        for allowed in ["http://127.0.0.1:80/c", "http://localhost/c", "http://169.254.170.23/v1/credentials",
                        "http://[fd00:ec2::23]/v1/credentials", "https://creds.example.com/c"] {
            #expect(try S3CredentialChain.containerURL(["AWS_CONTAINER_CREDENTIALS_FULL_URI": allowed]) == allowed)
        }
        #expect(throws: S3CredentialError.self) {
            try S3CredentialChain.containerURL(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://10.0.0.5/creds"])
        }
    }

    @Test("credentials never print their secret or token")
    func masked() {
        let credentials = S3Credentials(accessKeyId: "ASIAKEY", secretAccessKey: "SECRET", sessionToken: "TOKEN")
        #expect("\(credentials)".contains("ASIAKEY"))
        #expect(!"\(credentials)".contains("SECRET") && !"\(credentials)".contains("TOKEN"))
    }

    @Test("STS expiration times with microseconds parse")
    func expirationFormats() throws {
        let micro = try #require(S3Dates.parseISO8601("2026-12-03T15:14:06.043940Z"))
        let plain = try #require(S3Dates.parseISO8601("2026-12-03T15:14:06Z"))
        #expect(abs(micro.timeIntervalSince(plain) - 0.04394) < 0.001)
    }

    /// Hands out credentials living `lifetime` seconds, counting fetches; can be made to fail.
    final class CountingSource: S3CredentialSource, @unchecked Sendable {
        let lock = NSLock()
        var count = 0
        var failing = false
        let lifetime: Double
        init(lifetime: Double) { self.lifetime = lifetime }
        var description: String { "counting" }
        func fetch() async throws -> S3Credentials {
            try await Task.sleep(nanoseconds: 50_000_000)
            return try lock.withLock {
                if failing { throw S3CredentialError(source: "counting", message: "down", transient: true) }
                count += 1
                return S3Credentials(accessKeyId: "K\(count)", secretAccessKey: "s", sessionToken: "t",
                                     expiration: Date().addingTimeInterval(lifetime))
            }
        }
    }

    @Test("concurrent requests wait for one refresh; refresh at half-life; a failed refresh keeps valid credentials")
    func refreshing() async throws {
        let source = CountingSource(lifetime: 1.0)
        let provider = RefreshingCredentialProvider(source, retryInterval: 0.1)
        let first = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<50 { group.addTask { try await provider.credentials().accessKeyId } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(first == ["K1"])
        #expect(source.count == 1)
        try await Task.sleep(nanoseconds: 600_000_000)  // past half-life
        #expect(try await provider.credentials().accessKeyId == "K2")
        source.lock.withLock { source.failing = true }
        try await Task.sleep(nanoseconds: 600_000_000)  // K2 in its refresh window, still valid
        #expect(try await provider.credentials().accessKeyId == "K2")
        try await Task.sleep(nanoseconds: 600_000_000)  // K2 expired, the source still down
        await #expect(throws: S3CredentialError.self) { try await provider.credentials() }
        source.lock.withLock { source.failing = false }
        let fresh = try await provider.credentials()
        #expect(fresh.accessKeyId == "K3")
        #expect(await provider.rejected(fresh))
        #expect(try await provider.credentials().accessKeyId == "K4")
        #expect(!(await StaticCredentialProvider(fresh).rejected(fresh)))
    }
}

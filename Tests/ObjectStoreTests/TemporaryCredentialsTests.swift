import Foundation
import ObjectStore
import ObjectStoreTesting
import Testing
import TributaryTesting

/// Temporary credentials against moto with authentication on (it checks each request's
/// signature and session token) behind a guard that rejects expired ones as AWS does
/// (moto does not look at expiry); STS is moto's, instance metadata and the container
/// endpoint are loopback stand-ins that hand out moto STS credentials (`aws/aws_standin.py`).
/// Every credential lives `AWSStandIn.credentialSeconds` (3 s), so several expire while
/// the writes go on. Serialized: the guard's counters are shared.
@Suite(.serialized)
struct TemporaryCredentialsTests {
    /// Writes objects under `prefix` with `writers` concurrent loops for `seconds`, plus one
    /// multipart upload whose parts straddle several credential lifetimes; returns key → sha256.
    func writeContinuously(_ store: any ObjectStore, prefix: String, seconds: Double, writers: Int = 3) async throws -> [String: String] {
        let deadline = Date().addingTimeInterval(seconds)
        return try await withThrowingTaskGroup(of: [String: String].self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var written: [String: String] = [:]
                    var i = 0
                    while Date() < deadline {
                        let key = "\(prefix)/w\(writer)-\(i)"
                        let data = randomData(1000 + i, seed: UInt64(writer * 10_000 + i))
                        try await store.put(key, data)
                        written[key] = sha256(data)
                        i += 1
                        try await Task.sleep(nanoseconds: 100_000_000)
                    }
                    return written
                }
            }
            group.addTask {
                // Three 5 MiB parts, 1.6 s apart: each is signed with different credentials.
                let parts = (0..<3).map { randomData(5 * 1_048_576, seed: UInt64(900 + $0)) }
                let stream = AsyncThrowingStream<Data, Error> { continuation in
                    Task {
                        for part in parts {
                            continuation.yield(part)
                            try? await Task.sleep(nanoseconds: 1_600_000_000)
                        }
                        continuation.finish()
                    }
                }
                let key = "\(prefix)/multipart"
                try await store.putStreaming(key, chunks: ObjectChunkSequence(stream))
                return [key: sha256(parts.reduce(Data(), +))]
            }
            var all: [String: String] = [:]
            for try await written in group { all.merge(written) { $1 } }
            return all
        }
    }

    func open(_ prefix: String, environment: [String: String]) async throws -> (any ObjectStore, String) {
        let (guardURL, _, info) = try await AWSStandIn.shared.start()
        var options = S3Options(credentialChain: .init(webIdentityDurationSeconds: AWSStandIn.credentialSeconds))
        options.customize = { $0.partSize = 5 * 1_048_576 }
        let store = try await ObjectStores.open(
            "s3://\(info.bucket)/\(prefix)?endpoint=\(guardURL)", s3: options, environment: environment)
        return (store, "\(prefix)")
    }

    func webIdentityEnvironment(token: String = AWSStandIn.webIdentityToken) async throws -> [String: String] {
        let (guardURL, _, info) = try await AWSStandIn.shared.start()
        let file = try TestEnvironment.temporaryDirectory("web-identity").appendingPathComponent("token")
        try Data(token.utf8).write(to: file)
        return ["AWS_WEB_IDENTITY_TOKEN_FILE": file.path, "AWS_ROLE_ARN": info.role_arn,
                "AWS_ROLE_SESSION_NAME": "tributary-test", "AWS_ENDPOINT_URL_STS": guardURL, "HOME": "/nonexistent"]
    }

    /// Runs the writes and checks them: every object there with its bytes, written with
    /// several credentials, and few STS/metadata calls for many requests (concurrent
    /// requests shared each refresh).
    func checkWritesAcrossExpiry(_ environment: [String: String], name: String) async throws -> AWSStandIn.Stats {
        let prefix = "\(name)-\(UUID().uuidString.prefix(8))"
        let before = try await AWSStandIn.shared.stats()
        let (store, _) = try await open(prefix, environment: environment)
        let started = Date()
        let written = try await writeContinuously(store, prefix: "data", seconds: 7)
        let elapsed = Date().timeIntervalSince(started)
        let after = try await AWSStandIn.shared.stats()
        let stored = try await AWSStandIn.shared.contents(prefix: prefix + "/")
        #expect(stored == Dictionary(uniqueKeysWithValues: written.map { ("\(prefix)/\($0.key)", $0.value) }))
        let issued = after.issued - before.issued
        let requests = after.s3_requests - before.s3_requests
        let newKeys = after.keys_used.keys.filter { before.keys_used[$0] == nil }
        print("\(name): \(written.count) objects, \(requests) S3 requests in \(String(format: "%.1f", elapsed)) s with \(issued) credentials (\(newKeys.count) used), \(after.expired_rejections - before.expired_rejections) expired rejections")
        // 3 s credentials refreshed at half-life: about one fetch per 1.5 s, not one per request.
        #expect(newKeys.count >= 3, "credentials used: \(newKeys.count)")
        #expect(issued <= Int(elapsed / 1.5) + 3, "\(issued) credential fetches in \(elapsed) s")
        #expect(requests > 4 * issued)
        // Refreshed before expiry: had they only been replaced after S3 refused them,
        // every credential after the first would have cost at least one rejection.
        #expect(after.expired_rejections - before.expired_rejections < newKeys.count - 1)
        return after
    }

    @Test("web identity: STS AssumeRoleWithWebIdentity, refreshed before expiry while writes go on")
    func webIdentity() async throws {
        let environment = try await webIdentityEnvironment()
        let before = try await AWSStandIn.shared.stats()
        let after = try await checkWritesAcrossExpiry(environment, name: "web-identity")
        #expect(after.sts_calls > before.sts_calls)
        #expect(after.bad_web_tokens == before.bad_web_tokens)
    }

    @Test("credentials S3 rejects as expired mid-flight are replaced and the write goes through")
    func expiredInFlight() async throws {
        let (store, prefix) = try await open("expired-\(UUID().uuidString.prefix(8))", environment: try await webIdentityEnvironment())
        try await store.put("first", Data("1".utf8))
        let before = try await AWSStandIn.shared.stats()
        try await AWSStandIn.shared.expireAll()
        try await store.put("second", Data("2".utf8))
        #expect(try await store.get("second") == Data("2".utf8))
        let after = try await AWSStandIn.shared.stats()
        #expect(after.expired_rejections > before.expired_rejections, "the write did meet its expired credentials")
        #expect(try await AWSStandIn.shared.contents(prefix: prefix + "/").count == 2)
    }

    @Test("a web identity token STS refuses ends in one clear error naming the source")
    func badWebIdentityToken() async throws {
        let (store, _) = try await open("badtoken", environment: try await webIdentityEnvironment(token: "forged"))
        let started = Date()
        do {
            try await store.put("x", Data("x".utf8))
            Issue.record("a forged token was accepted")
        } catch let error as ObjectStoreError {
            #expect(error.kind == .accessDenied)
            #expect(error.description.contains("InvalidIdentityToken"), "\(error)")
            #expect(error.description.contains("web identity (role"), "\(error)")
        }
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test("container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI + token file), refreshed while writing")
    func container() async throws {
        let (_, metadataURL, _) = try await AWSStandIn.shared.start()
        let tokenFile = try TestEnvironment.temporaryDirectory("container").appendingPathComponent("token")
        try Data((AWSStandIn.containerToken + "\n").utf8).write(to: tokenFile)
        let environment = ["AWS_CONTAINER_CREDENTIALS_FULL_URI": metadataURL + "/container/credentials",
                           "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile.path, "HOME": "/nonexistent"]
        let before = try await AWSStandIn.shared.stats()
        let after = try await checkWritesAcrossExpiry(environment, name: "container")
        #expect(after.container_unauthorized == before.container_unauthorized)

        let (denied, _) = try await open("container-denied", environment: environment.merging(
            ["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "wrong"]) { $1 })
        await #expect(throws: ObjectStoreError.self) { try await denied.put("x", Data()) }
        #expect(try await AWSStandIn.shared.stats().container_unauthorized > after.container_unauthorized)
    }

    @Test("instance metadata, IMDSv2 (a session token on every request), refreshed while writing")
    func instanceMetadata() async throws {
        let (_, metadataURL, _) = try await AWSStandIn.shared.start()
        let environment = ["AWS_EC2_METADATA_SERVICE_ENDPOINT": metadataURL, "HOME": "/nonexistent"]
        let before = try await AWSStandIn.shared.stats()
        let after = try await checkWritesAcrossExpiry(environment, name: "imds")
        #expect(after.imds_without_token == before.imds_without_token, "a metadata request went without the IMDSv2 token")
    }

    @Test("moto's own instance-metadata endpoint answers our IMDSv2 requests")
    func motoInstanceMetadata() async throws {
        let endpoint = try await MotoServer.shared.endpoint()
        _ = try await MotoServer.shared.store(bucket: "imds")
        let store = try await ObjectStores.open(
            "s3://imds/x?endpoint=\(endpoint)", environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": endpoint, "HOME": "/nonexistent"])
        try await store.put("k", Data("v".utf8))
        #expect(try await store.get("k") == Data("v".utf8))
    }

    @Test("no credentials anywhere: one error listing every source tried")
    func nothingFound() async throws {
        let closed = try freeLoopbackPort()
        let store = try await ObjectStores.open(
            "s3://nothing?endpoint=http://127.0.0.1:9",
            environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(closed)", "HOME": "/nonexistent"])
        do {
            _ = try await store.get("k")
            Issue.record("a request went out without credentials")
        } catch let error as ObjectStoreError {
            for part in ["AWS_ACCESS_KEY_ID", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "instance metadata"] {
                #expect(error.description.contains(part), "\(error)")
            }
        }
        await #expect(throws: ObjectStoreError.self) {
            _ = try await ObjectStores.open(
                "s3://nothing?endpoint=http://127.0.0.1:9", environment: ["AWS_EC2_METADATA_DISABLED": "true", "HOME": "/nonexistent"])
        }
    }
}

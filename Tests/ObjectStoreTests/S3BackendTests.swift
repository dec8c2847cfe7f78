import Foundation
import NIOHTTP1
@testable import ObjectStore
import ObjectStoreTesting
import Testing
import TributaryCore
import TributaryTesting

/// S3-only behaviour, checked against moto and, where it matters, through boto3.
@Suite("S3 backend")
struct S3BackendTests {
    @Test("moto honours If-None-Match: * (checked with boto3, not our client)")
    func motoHonoursIfNoneMatch() async throws {
        let endpoint = try await MotoServer.shared.endpoint()
        _ = try await MotoServer.shared.store()
        let script = """
            import sys, boto3, botocore
            s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test")
            key = "inm/" + sys.argv[2]
            s3.put_object(Bucket="contract", Key=key, Body=b"one", IfNoneMatch="*")
            try:
                s3.put_object(Bucket="contract", Key=key, Body=b"two", IfNoneMatch="*")
                print("second-succeeded")
            except botocore.exceptions.ClientError as e:
                print(e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"])
            print(s3.get_object(Bucket="contract", Key=key)["Body"].read().decode())
            """
        let output = try runPython(["-c", script, endpoint, UUID().uuidString]).stdoutText
        #expect(output == "412 PreconditionFailed\none\n")
    }

    @Test("ensureBucket creates a missing bucket once; the URI factory does it when asked")
    func bucketBootstrap() async throws {
        let endpoint = try await MotoServer.shared.endpoint()
        let bucket = "boot-\(UUID().uuidString.prefix(8).lowercased())"
        let store = try S3ObjectStore(configuration: S3Configuration(
            bucket: bucket, endpoint: endpoint, credentials: MotoServer.credentials))
        #expect(try await store.bucketExists() == false)
        // Without a bucket, operations fail with a readable error.
        do {
            try await store.put("x", Data("x".utf8))
            Issue.record("put into a missing bucket succeeded")
        } catch let error as ObjectStoreError {
            #expect(error.description.contains("does not exist"), "\(error)")
        }
        #expect(try await store.ensureBucket() == true)
        #expect(try await store.ensureBucket() == false)
        #expect(try await store.bucketExists())

        let other = "boot-\(UUID().uuidString.prefix(8).lowercased())"
        let opened = try await ObjectStores.open(
            "s3://\(other)/hudi-tables/orders?endpoint=\(endpoint)&create_bucket=true",
            s3: S3Options(credentials: MotoServer.credentials))
        try await opened.put("a", Data("a".utf8))
        let direct = try S3ObjectStore(configuration: S3Configuration(
            bucket: other, endpoint: endpoint, credentials: MotoServer.credentials))
        #expect(try await direct.get("hudi-tables/orders/a") == Data("a".utf8))

        // Off by default: the factory does not create buckets.
        let third = "boot-\(UUID().uuidString.prefix(8).lowercased())"
        let plain = try await ObjectStores.open("s3://\(third)?endpoint=\(endpoint)", s3: S3Options(credentials: MotoServer.credentials))
        await #expect(throws: ObjectStoreError.self) { try await plain.put("a", Data()) }
    }

    @Test("server-side encryption headers reach the server (SSE-S3, SSE-KMS with key id)")
    func serverSideEncryption() async throws {
        let endpoint = try await MotoServer.shared.endpoint()
        let s3 = try await MotoServer.shared.store { $0.serverSideEncryption = .s3 }
        let kms = try await MotoServer.shared.store { $0.serverSideEncryption = .kms(keyId: "alias/tributary") }
        try await s3.put("sse/s3", Data("a".utf8))
        try await kms.put("sse/kms", Data("b".utf8))
        let script = """
            import sys, boto3
            s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test")
            for key in ["sse/s3", "sse/kms"]:
                h = s3.head_object(Bucket="contract", Key=key)
                print(h.get("ServerSideEncryption"), h.get("SSEKMSKeyId"))
            """
        let output = try runPython(["-c", script, endpoint]).stdoutText
        #expect(output == "AES256 None\naws:kms alias/tributary\n")
    }

    @Test("large put goes multipart: parts in parallel, S3 multipart ETag, no open uploads left")
    func multipartPut() async throws {
        let store = try await MotoServer.shared.store {
            $0.partSize = 5 * 1_048_576
            $0.multipartThreshold = 5 * 1_048_576
            $0.maxConcurrentParts = 3
        }
        let data = randomData(17 * 1_048_576 + 3, seed: 9)
        let key = "mp/\(UUID().uuidString)"
        try await store.put(key, data)
        let info = try await store.head(key)
        #expect(info.size == data.count)
        #expect(info.etag.hasSuffix("-4"), "etag \(info.etag)")
        #expect(try await store.get(key) == data)
        let contents = try await motoContents(bucket: "contract", prefix: "mp/")
        #expect(contents.objects[key] == sha256(data))
        #expect(contents.uploads.isEmpty)
    }

    @Test("a failing chunk stream aborts the multipart upload and stores nothing")
    func multipartAbort() async throws {
        let store = try await MotoServer.shared.store { $0.partSize = 5 * 1_048_576 }
        struct Boom: Error {}
        let key = "mpabort/\(UUID().uuidString)"
        let failing = AsyncThrowingStream<Data, Error> { continuation in
            for i in 0..<3 { continuation.yield(randomData(4 * 1_048_576, seed: UInt64(i))) }
            continuation.finish(throwing: Boom())
        }
        await #expect(throws: Boom.self) {
            try await store.putStreaming(key, chunks: ObjectChunkSequence(failing))
        }
        let contents = try await motoContents(bucket: "contract", prefix: "mpabort/")
        #expect(contents.objects.isEmpty)
        #expect(contents.uploads.isEmpty, "open uploads: \(contents.uploads)")
    }

    @Test("addressing: path style for custom endpoints, virtual-host style for AWS")
    func addressing() throws {
        let custom = try S3Client(
            configuration: S3Configuration(bucket: "b", endpoint: "http://127.0.0.1:9000"),
            credentials: MotoServer.credentials, http: S3ObjectStore.sharedHTTPClient, backend: "s3://b")
        #expect(custom.address(key: "a b/c") == ("127.0.0.1:9000", "/b/a%20b/c"))
        #expect(custom.address(key: nil) == ("127.0.0.1:9000", "/b"))
        let aws = try S3Client(
            configuration: S3Configuration(bucket: "data-pipeline-bucket", region: "eu-west-1"),
            credentials: MotoServer.credentials, http: S3ObjectStore.sharedHTTPClient, backend: "s3://b")
        #expect(aws.address(key: "hudi-tables/x") == ("data-pipeline-bucket.s3.eu-west-1.amazonaws.com", "/hudi-tables/x"))
        let forced = try S3Client(
            configuration: S3Configuration(bucket: "b", endpoint: "https://minio.local", pathStyle: false),
            credentials: MotoServer.credentials, http: S3ObjectStore.sharedHTTPClient, backend: "s3://b")
        #expect(forced.address(key: "k") == ("b.minio.local", "/k"))
    }

    @Test("XML error bodies become readable typed errors; 4xx are not retried")
    func errorMapping() throws {
        let client = try S3Client(
            configuration: S3Configuration(bucket: "b", endpoint: "http://127.0.0.1:9"),
            credentials: MotoServer.credentials, http: S3ObjectStore.sharedHTTPClient, backend: "s3://b")
        func response(_ status: Int, _ code: String) -> S3Response {
            let xml = "<?xml version=\"1.0\"?><Error><Code>\(code)</Code><Message>msg &amp; more</Message><RequestId>r1</RequestId></Error>"
            return S3Response(status: status, headers: HTTPHeaders(), body: Data(xml.utf8))
        }
        let denied = client.mapError(response(403, "AccessDenied"), key: "k")
        #expect(denied.kind == .accessDenied)
        #expect(denied.description.contains("AccessDenied: msg & more (request r1)"))
        #expect(client.mapError(response(404, "NoSuchKey"), key: "k") == .notFound(key: "k", backend: "s3://b"))
        #expect(client.mapError(response(503, "SlowDown"), key: "k").kind == .throttled)
        #expect(client.mapError(response(500, "InternalError"), key: "k").kind == .transient)
        #expect(client.mapError(response(400, "InvalidArgument"), key: "k").kind == .failed)
        #expect(!S3Retry.isRetryable(status: 400) && !S3Retry.isRetryable(status: 403) && !S3Retry.isRetryable(status: 404))
        #expect(S3Retry.isRetryable(status: 500) && S3Retry.isRetryable(status: 503))
    }

    @Test("backoff is exponential, capped and jittered")
    func backoff() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: 0.1, maxDelay: 1)
        var rng = SeededRandom(seed: 7)
        for attempt in 1...10 {
            let ceiling = min(1, 0.1 * pow(2, Double(attempt - 1)))
            let delays = (0..<50).map { _ in policy.delay(afterAttempt: attempt, using: &rng) }
            #expect(delays.allSatisfy { $0 >= 0 && $0 <= ceiling })
            #expect(Set(delays).count > 1)  // jittered, not fixed
        }
    }

    @Test("ListObjectsV2 parsing: entities, common prefixes, continuation")
    func listParsing() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/</Prefix>
            <Contents><Key>p/a&amp;b &lt;c&gt;</Key><LastModified>2024-01-02T03:04:05.000Z</LastModified>
            <ETag>&quot;abc&quot;</ETag><Size>12</Size><StorageClass>STANDARD</StorageClass></Contents>
            <CommonPrefixes><Prefix>p/q/</Prefix></CommonPrefixes>
            <IsTruncated>true</IsTruncated><NextContinuationToken>tok/+=</NextContinuationToken><Empty/></ListBucketResult>
            """
        let page = try #require(S3ListPage(Data(xml.utf8)))
        #expect(page.objects.map(\.key) == ["p/a&b <c>"])
        #expect(page.objects.first?.etag == "abc")
        #expect(page.objects.first?.size == 12)
        #expect(page.objects.first?.lastModified == Date(timeIntervalSince1970: 1_704_164_645))
        #expect(page.commonPrefixes == ["p/q/"])
        #expect(page.isTruncated)
        #expect(page.nextContinuationToken == "tok/+=")
    }
}

@Suite("Store URIs and credentials")
struct ConfigurationTests {
    @Test("URIs: local paths, s3 with prefix and options, memory")
    func uris() throws {
        #expect(try ObjectStoreURI("file://./lake").location == .local(path: "./lake"))
        #expect(try ObjectStoreURI("/var/lake").location == .local(path: "/var/lake"))
        let s3 = try ObjectStoreURI("s3://data-pipeline-bucket/hudi-tables/?region=eu-west-1&path_style=false&sse=aws:kms&sse_kms_key_id=k1")
        #expect(s3.location == .s3(bucket: "data-pipeline-bucket"))
        #expect(s3.prefix == "hudi-tables")
        let config = try ObjectStores.s3Configuration(
            bucket: "data-pipeline-bucket", uri: s3, options: S3Options(credentials: MotoServer.credentials), environment: [:])
        #expect(config.region == "eu-west-1")
        #expect(config.pathStyle == false)
        #expect(config.serverSideEncryption == .kms(keyId: "k1"))
        #expect(config.createBucketIfMissing == false)
        #expect(try ObjectStoreURI("memory://").location == .memory)
        #expect(throws: ObjectStoreError.self) { try ObjectStoreURI("ftp://x") }
        #expect(throws: ObjectStoreError.self) { try ObjectStoreURI("s3:///nobucket") }
    }

    @Test("environment: credentials, session token, region, endpoint")
    func environment() async throws {
        let env = [
            "AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "SK", "AWS_SESSION_TOKEN": "ST",
            "AWS_REGION": "ap-south-1", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:4566",
        ]
        #expect(S3Credentials.fromEnvironment(env) == S3Credentials(accessKeyId: "AK", secretAccessKey: "SK", sessionToken: "ST"))
        let config = try ObjectStores.s3Configuration(
            bucket: "b", uri: try ObjectStoreURI("s3://b"), options: S3Options(), environment: env)
        #expect(config.region == "ap-south-1")
        #expect(config.endpoint == "http://127.0.0.1:4566")
        #expect(config.credentialProvider?.source == "environment (AWS_ACCESS_KEY_ID)")
        #expect(try await config.credentialProvider?.credentials().sessionToken == "ST")
        #expect(S3Credentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "AK"]) == nil)
    }

    @Test("~/.aws/credentials and ~/.aws/config profiles")
    func profiles() throws {
        let dir = try TestEnvironment.temporaryDirectory("aws-profile")
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
            [default]
            aws_access_key_id = DEFAULTKEY
            aws_secret_access_key = defaultsecret

            # a comment
            [lake]
            aws_access_key_id=LAKEKEY
            aws_secret_access_key=lake/secret+x
            aws_session_token = tok
            """.write(to: dir.appendingPathComponent("credentials"), atomically: true, encoding: .utf8)
        try """
            [profile lake]
            region = eu-central-1
            """.write(to: dir.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        let env = ["HOME": dir.path, "AWS_SHARED_CREDENTIALS_FILE": dir.appendingPathComponent("credentials").path,
                   "AWS_CONFIG_FILE": dir.appendingPathComponent("config").path]
        #expect(S3Credentials.resolve(environment: env)?.accessKeyId == "DEFAULTKEY")
        #expect(S3Credentials.resolve(profile: "lake", environment: env)
            == S3Credentials(accessKeyId: "LAKEKEY", secretAccessKey: "lake/secret+x", sessionToken: "tok"))
        var withProfile = env
        withProfile["AWS_PROFILE"] = "lake"
        #expect(S3Credentials.resolve(environment: withProfile)?.accessKeyId == "LAKEKEY")
        #expect(AWSRegion.resolve(profile: "lake", environment: env) == "eu-central-1")
        #expect(S3Credentials.resolve(profile: "missing", environment: env) == nil)
    }

    @Test("the factory opens local folders relative to a base directory")
    func localFactory() async throws {
        let dir = try TestEnvironment.temporaryDirectory("factory")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try await ObjectStores.open("file://./lake", baseDirectory: dir)
        try await store.put("t/x", Data("x".utf8))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("lake/t/x").path))
    }
}

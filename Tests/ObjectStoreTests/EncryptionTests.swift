import Foundation
import ObjectStore
import ObjectStoreTesting
import Testing
import TributaryTesting

/// Server-side encryption requested on every write path (PUT, put-if-absent, multipart
/// create), checked on the stored objects with boto3's HEAD against moto.
struct EncryptionTests {
    /// `ServerSideEncryption` and `SSEKMSKeyId` of each key, as moto reports them.
    func encryption(bucket: String, keys: [String]) async throws -> [String: [String]] {
        let endpoint = try await MotoServer.shared.endpoint()
        let script = """
            import sys, json, boto3
            s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test")
            out = {}
            for key in sys.argv[3:]:
                head = s3.head_object(Bucket=sys.argv[2], Key=key)
                out[key] = [head.get("ServerSideEncryption", ""), head.get("SSEKMSKeyId", "")]
            print(json.dumps(out))
            """
        let output = try runPython(["-c", script, endpoint, bucket] + keys)
        return try JSONDecoder().decode([String: [String]].self, from: output.stdout)
    }

    func writeAllWays(_ store: any ObjectStore, prefix: String) async throws -> [String] {
        try await store.put("\(prefix)/put", Data("small".utf8))
        try await store.putIfAbsent("\(prefix)/create", Data("created".utf8))
        let parts = AsyncThrowingStream<Data, Error> { continuation in
            continuation.yield(randomData(5 * 1_048_576, seed: 1))
            continuation.yield(randomData(1_048_576, seed: 2))
            continuation.finish()
        }
        try await store.putStreaming("\(prefix)/multipart", chunks: ObjectChunkSequence(parts))
        return ["put", "create", "multipart"].map { "\(prefix)/\($0)" }
    }

    @Test("SSE-S3 (AES256) on PUT, put-if-absent and multipart uploads")
    func sseS3() async throws {
        let store = try await MotoServer.shared.store(bucket: "sse") {
            $0.serverSideEncryption = .s3
            $0.partSize = 5 * 1_048_576
        }
        let keys = try await writeAllWays(store, prefix: "s3-\(UUID().uuidString.prefix(8))")
        for (key, value) in try await encryption(bucket: "sse", keys: keys) {
            #expect(value == ["AES256", ""], "\(key)")
        }
    }

    @Test("SSE-KMS with a key id, configured through the store URI")
    func sseKMS() async throws {
        let endpoint = try await MotoServer.shared.endpoint()
        _ = try await MotoServer.shared.store(bucket: "sse")
        let keyID = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        let prefix = "kms-\(UUID().uuidString.prefix(8))"
        var options = S3Options(credentials: MotoServer.credentials)
        options.customize = { $0.partSize = 5 * 1_048_576 }
        let store = try await ObjectStores.open(
            "s3://sse?endpoint=\(endpoint)&sse=aws:kms&sse_kms_key_id=\(keyID)", s3: options)
        let keys = try await writeAllWays(store, prefix: prefix)
        for (key, value) in try await encryption(bucket: "sse", keys: keys) {
            #expect(value == ["aws:kms", keyID], "\(key)")
        }
        // And without: no encryption header is sent, moto stores it plain.
        let plain = try await MotoServer.shared.store(bucket: "sse")
        try await plain.put("\(prefix)/plain", Data("p".utf8))
        #expect(try await encryption(bucket: "sse", keys: ["\(prefix)/plain"])["\(prefix)/plain"] == ["", ""])
    }
}

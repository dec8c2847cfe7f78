import Foundation
import ObjectStore
import TributaryTesting

/// One moto_server for the whole test run, started on first use.
public actor MotoServer {
    public static let shared = MotoServer()
    private var process: ManagedProcess?
    private var buckets: Set<String> = []

    public static let credentials = S3Credentials(accessKeyId: "test", secretAccessKey: "test")

    public func endpoint() throws -> String {
        if let process { return "http://127.0.0.1:\(process.port)" }
        let port = try freeLoopbackPort()
        let server = try ManagedProcess(
            TestEnvironment.nativeTool("moto_server"), ["-H", "127.0.0.1", "-p", String(port)], port: port,
            environment: ["AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"], timeout: 60)
        server.stopAtExit()
        process = server
        return "http://127.0.0.1:\(port)"
    }

    /// A store on `bucket` (created once), direct to moto or through `endpoint`.
    public func store(
        bucket: String = "contract", endpoint override: String? = nil,
        customize: (@Sendable (inout S3Configuration) -> Void)? = nil
    ) async throws -> S3ObjectStore {
        let endpoint = try override ?? self.endpoint()
        var configuration = S3Configuration(
            bucket: bucket, region: "us-east-1", endpoint: endpoint, credentials: Self.credentials,
            requestTimeout: 20)
        customize?(&configuration)
        let store = try S3ObjectStore(configuration: configuration)
        if !buckets.contains(bucket) {
            let direct = try S3ObjectStore(configuration: S3Configuration(
                bucket: bucket, endpoint: try self.endpoint(), credentials: Self.credentials))
            try await direct.ensureBucket()
            buckets.insert(bucket)
        }
        return store
    }
}


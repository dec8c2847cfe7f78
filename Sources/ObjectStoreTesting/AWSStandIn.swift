import Foundation
import ObjectStore
import TributaryTesting

/// moto with authentication on, behind a guard that enforces credential expiry, plus the
/// IMDSv2 and container-credentials stand-ins (`Tests/ObjectStoreTests/aws/aws_standin.py`):
/// one for the run.
public actor AWSStandIn {
    /// The one of ObjectStoreTests; a suite whose traffic must not mix with theirs (the
    /// guard's counters are per instance) starts its own.
    public static let shared = AWSStandIn()

    public init() {}
    /// Lifetime of every temporary credential it hands out: several expire during a test.
    /// (Refreshed at half-life: a request would have to take 3 s from signing to arrival
    /// to meet expired credentials, which a loaded 2-core machine does reach at 1.5 s.)
    public static let credentialSeconds = 6
    public static let webIdentityToken = "eyJ-web-identity-\(UUID().uuidString)"
    public static let containerToken = "container-\(UUID().uuidString)"

    public struct Info: Decodable, Sendable {
        public var admin_key: String
        public var admin_secret: String
        public var role_arn: String
        public var bucket: String
    }

    public struct Stats: Decodable, Sendable {
        public var issued: Int
        public var sts_calls: Int
        public var expired_rejections: Int
        public var s3_requests: Int
        public var keys_used: [String: Int]
        public var imds_without_token: Int
        public var container_unauthorized: Int
        public var bad_web_tokens: Int
    }

    private var process: ManagedProcess?
    private var started: (guardURL: String, metadataURL: String, info: Info)?

    /// The guard's URL (S3 and STS), the metadata stand-in's URL, and the admin keys.
    public func start() throws -> (guardURL: String, metadataURL: String, info: Info) {
        if let started { return started }
        let ports = try (freeLoopbackPort(), freeLoopbackPort(), freeLoopbackPort())
        let infoFile = try TestEnvironment.temporaryDirectory("aws-standin").appendingPathComponent("info.json")
        let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/ObjectStoreTests/aws/aws_standin.py")
        let server = try ManagedProcess(
            TestEnvironment.python,
            [script.path, String(ports.0), String(ports.1), String(ports.2), String(Self.credentialSeconds),
             Self.webIdentityToken, Self.containerToken, infoFile.path],
            port: ports.2, timeout: 120)
        server.stopAtExit()
        process = server
        let info = try JSONDecoder().decode(Info.self, from: Data(contentsOf: infoFile))
        let result = ("http://127.0.0.1:\(ports.1)", "http://127.0.0.1:\(ports.2)", info)
        started = result
        return result
    }

    public func stats() throws -> Stats {
        try JSONDecoder().decode(Stats.self, from: guardCall("GET", "/guard/stats"))
    }

    /// Every credential issued so far stops working now.
    public func expireAll() throws {
        _ = try guardCall("POST", "/guard/expire-all")
    }

    /// Creates the role `arn` names (any account) with S3 rights, as the cluster's IAM setup would.
    public func ensureRole(_ arn: String) throws {
        let encoded = arn.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? arn
        _ = try guardCall("POST", "/guard/ensure-role?arn=\(encoded)")
    }

    private func guardCall(_ method: String, _ path: String) throws -> Data {
        let (guardURL, _, _) = try start()
        let script = """
            import sys, urllib.request
            print(urllib.request.urlopen(urllib.request.Request(sys.argv[1], method=sys.argv[2], data=b"" if sys.argv[2] == "POST" else None)).read().decode())
            """
        return try runPython(["-c", script, guardURL + path, method]).stdout
    }

    /// Objects under `prefix` as moto returns them to the admin user (boto3, not our
    /// client): key → sha256.
    public func contents(prefix: String) throws -> [String: String] {
        try contents(bucket: try start().info.bucket, prefix: prefix)
    }

    /// Objects of `bucket` under `prefix`, key → sha256.
    public func contents(bucket: String, prefix: String) throws -> [String: String] {
        let output = try admin("""
            import hashlib
            out = {}
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=argv[0], Prefix=argv[1]):
                for o in page.get("Contents", []):
                    out[o["Key"]] = hashlib.sha256(s3.get_object(Bucket=argv[0], Key=o["Key"])["Body"].read()).hexdigest()
            print(json.dumps(out))
            """, [bucket, prefix])
        return try JSONDecoder().decode([String: String].self, from: output.stdout)
    }

    /// Runs a boto3 snippet as the admin user: `s3` is a client on the guard, `argv` the extra arguments.
    public func admin(_ code: String, _ arguments: [String] = []) throws -> ProcessOutput {
        let (guardURL, _, info) = try start()
        let script = """
            import sys, json, boto3
            s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
                              aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])
            argv = sys.argv[4:]

            """ + code
        return try runPython(["-c", script, guardURL, info.admin_key, info.admin_secret] + arguments)
    }
}

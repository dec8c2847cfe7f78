import Foundation
import ObjectStoreTesting
import Testing
import TributaryTesting

/// What `kubernetes/check_manifests.py` found in deploy/kubernetes.
struct ManifestCheck: Decodable {
    var validated: [String]
    var problems: [String]
    var containers: [String: Container]
    var roleArn: String
    var config: Config

    struct Container: Decodable {
        var kind: String
        var command: [String]
        var env: [Env]
        var mounts: [Mount]
        var probes: [String: Probe]
        var grace: Int
    }
    struct Env: Decodable {
        var name: String
        var value: String?
        var secret: String?
        var key: String?
    }
    struct Mount: Decodable {
        var path: String
        var files: [String: String]
        /// File name → `secret/key` (a Secret volume).
        var secretFiles: [String: String]?
    }
    struct Probe: Decodable {
        var path: String
        var port: Int
        var budgetSeconds: Int
    }
    struct Config: Decodable {
        struct Storage: Decodable { var uri: String }
        struct S3: Decodable { var region: String; var sse: String; var sse_kms_key_id: String }
        var storage: Storage
        var s3: S3
    }

    static func load() throws -> ManifestCheck {
        let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/DeployTests/kubernetes/check_manifests.py")
        let output = try runPython([script.path, TestEnvironment.packageRoot.path])
        return try JSONDecoder().decode(ManifestCheck.self, from: output.stdout)
    }
}

@Suite(.serialized)
struct KubernetesManifestTests {
    @Test("deploy/kubernetes validates offline against the Kubernetes schemas (and KEDA's, promtool) and hangs together")
    func manifestsValidate() throws {
        let check = try ManifestCheck.load()
        for line in check.validated { print("validated: \(line)") }
        #expect(check.problems.isEmpty, "\(check.problems.joined(separator: "\n"))")
        #expect(check.validated.count >= 13)
        #expect(Set(check.containers.keys) == ["tributary-processor", "tributary-web", "tributary-topics"])
    }

    /// A pod as the kubelet would start it, on this machine: ConfigMap files under a
    /// private root, the manifest's command, args and env (Secret values supplied for the
    /// test cluster), and what EKS's pod identity webhook adds for the annotated service
    /// account (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE). Test-only additions, and only
    /// these: the S3 and STS endpoints point at moto (behind the expiry guard), and the
    /// listen ports move to free loopback ports (the probes follow).
    struct Pod {
        let root: URL
        let container: ManifestCheck.Container
        let environment: [String: String]
        let arguments: [String]
        /// Probe kind → local port and path.
        let probes: [String: (port: Int, path: String)]

        init(_ container: ManifestCheck.Container, check: ManifestCheck, secrets: [String: String],
             testEnvironment: [String: String], listen: (key: String, port: Int)?) throws {
            self.container = container
            let root = try TestEnvironment.temporaryDirectory("pod")
            self.root = root
            func local(_ text: String) -> String {
                // Paths inside the pod's mounts live under the private root.
                for mount in container.mounts where text == mount.path || text.hasPrefix(mount.path + "/") {
                    return root.path + text
                }
                return text
            }
            for mount in container.mounts {
                let dir = root.appendingPathComponent(String(mount.path.dropFirst()))
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                for (name, content) in mount.files { try Data(content.utf8).write(to: dir.appendingPathComponent(name)) }
                for (name, reference) in mount.secretFiles ?? [:] {
                    if let content = secrets[reference] { try Data(content.utf8).write(to: dir.appendingPathComponent(name)) }
                }
            }
            // The image's own environment (Dockerfile ENV) and the kubelet's PATH.
            var environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "TRIBUTARY_STATE_DIR": root.path + "/tmp",
                               "TRIBUTARY_DUCKDB": TestEnvironment.nativeTool("duckdb").path]
            try FileManager.default.createDirectory(at: root.appendingPathComponent("tmp"), withIntermediateDirectories: true)
            for item in container.env {
                if let value = item.value {
                    environment[item.name] = local(value)
                } else if let secret = item.secret, let key = item.key, let value = secrets["\(secret)/\(key)"] {
                    environment[item.name] = value
                }
            }
            // EKS pod identity webhook, for the service account's eks.amazonaws.com/role-arn.
            let token = root.appendingPathComponent("var/run/secrets/eks.amazonaws.com/serviceaccount/token")
            try FileManager.default.createDirectory(at: token.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(AWSStandIn.webIdentityToken.utf8).write(to: token)
            environment["AWS_ROLE_ARN"] = check.roleArn
            environment["AWS_WEB_IDENTITY_TOKEN_FILE"] = token.path
            environment["AWS_REGION"] = check.config.s3.region
            environment["AWS_DEFAULT_REGION"] = check.config.s3.region
            environment.merge(testEnvironment) { $1 }
            var probes: [String: (port: Int, path: String)] = [:]
            if let listen {
                environment["TRIBUTARY_" + listen.key.uppercased().replacingOccurrences(of: ".", with: "_")] = "127.0.0.1:\(listen.port)"
                for (kind, probe) in container.probes { probes[kind] = (port: listen.port, path: probe.path) }
            }
            self.environment = environment
            self.probes = probes
            #expect(container.command.first == "tributary")
            arguments = container.command.dropFirst().map(local)
        }

        /// Runs to completion (a Job); stdout and stderr together.
        func run(timeout: Double = 120) async throws -> (status: Int32, output: String) {
            let (process, log) = try start(log: "job")
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline { try await Task.sleep(nanoseconds: 100_000_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }

        func start(log name: String) throws -> (Process, URL) {
            let process = Process()
            process.executableURL = TestEnvironment.tributaryBinary
            process.arguments = arguments
            process.environment = environment
            process.currentDirectoryURL = root
            let log = root.appendingPathComponent("\(name).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: log)
            process.standardError = process.standardOutput
            try process.run()
            return (process, log)
        }
    }

    static func httpStatus(_ url: String, token: String? = nil, timeout: Int = 5) async -> Int {
        let auth = token.map { ["-H", "Authorization: Bearer \($0)"] } ?? []
        let output = try? await runProcessAsync(
            URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "-o", "/dev/null", "-m", String(timeout), "-w", "%{http_code}"] + auth + [url],
            check: false)
        return Int(output?.stdoutText ?? "") ?? 0
    }

    /// Polls `url` until it answers 200, within `seconds` (a probe's budget).
    static func waitForOK(_ url: String, seconds: Int, process: Process, log: URL) async throws {
        let deadline = Date().addingTimeInterval(Double(seconds))
        while await httpStatus(url) != 200 {
            guard process.isRunning, Date() < deadline else {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw ProcessFailure(command: "probe \(url)", message: String(text.suffix(3000)))
            }
            try await Task.sleep(nanoseconds: 300_000_000)
        }
    }

    /// Sends SIGTERM as the kubelet does and waits up to the grace period.
    static func terminate(_ process: Process, grace: Int) async -> Int32? {
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(Double(grace))
        while process.isRunning && Date() < deadline { try? await Task.sleep(nanoseconds: 100_000_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        return process.terminationStatus
    }

    @Test("the topics job, processor and web start as the manifests start them: Kafka over TLS, S3 via web identity, SSE-KMS on every object, probes answer",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") && TLSFrontedBroker.available, "needs curl, socat"),
          .timeLimit(.minutes(6)))
    func containersRunAsTheManifestsSay() async throws {
        let check = try ManifestCheck.load()
        try #require(check.problems.isEmpty, "\(check.problems)")
        // Its own AWS stand-in: ObjectStoreTests count their requests on the shared one.
        let aws = AWSStandIn()
        let (guardURL, _, _) = try await aws.start()
        let lake = check.config.storage.uri.dropFirst("s3://".count).split(separator: "/", maxSplits: 1).map(String.init)
        let (bucket, prefix) = (lake[0], lake.count > 1 ? lake[1] : "")
        _ = try await aws.admin("""
            try:
                s3.create_bucket(Bucket=argv[0])
            except s3.exceptions.BucketAlreadyOwnedByYou:
                pass
            """, [bucket])
        // The IAM role the service account names (what the cluster's IAM setup provides).
        try await aws.ensureRole(check.roleArn)
        let webToken = "test-web-token-\(UUID().uuidString.prefix(8))"
        // The test cluster: Kafka only over TLS (Tansu behind socat; SASL cannot be had from
        // Tansu 0.6, so the optional SASL keys stay out of the Secret).
        let kafka = try TLSFrontedBroker()
        defer { kafka.stop() }
        // Its Secret values (the repository's are placeholders).
        let secrets = ["tributary-kafka/bootstrap_servers": kafka.bootstrapServers, "tributary-kafka/security_protocol": "ssl",
                       "tributary-kafka/ca.pem": try String(contentsOfFile: kafka.caFile, encoding: .utf8),
                       "tributary-web/auth_token": webToken, "tributary-catalog/credential": "client:secret"]
        let redirects = ["AWS_ENDPOINT_URL_STS": guardURL, "TRIBUTARY_S3_ENDPOINT": guardURL]
        let before = try await aws.stats()

        // The topics Job, to completion.
        let topics = try Pod(try #require(check.containers["tributary-topics"]), check: check, secrets: secrets,
                             testEnvironment: redirects, listen: nil)
        let created = try await topics.run()
        #expect(created.status == 0, "\(created.output)")
        #expect(created.output.contains("user_events") && created.output.contains("user_events.dlq"))

        // The processor: probes answer within their budgets.
        let processorSpec = try #require(check.containers["tributary-processor"])
        let processorPod = try Pod(processorSpec, check: check, secrets: secrets, testEnvironment: redirects,
                                   listen: ("metrics.listen", try freeLoopbackPort()))
        let (processor, processorLog) = try processorPod.start(log: "processor")
        defer { if processor.isRunning { kill(processor.processIdentifier, SIGKILL) } }
        let started = Date()
        for kind in ["startupProbe", "livenessProbe", "readinessProbe"] {
            let probe = try #require(processorPod.probes[kind], "processor \(kind)")
            let budget = try #require(processorSpec.probes[kind]).budgetSeconds
            // Readiness may only start counting once the startup probe passed.
            try await Self.waitForOK("http://127.0.0.1:\(probe.port)\(probe.path)", seconds: budget + processorSpec.probes["startupProbe"]!.budgetSeconds,
                               process: processor, log: processorLog)
        }
        print("processor ready in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")

        // Records in, a Hudi commit out, on S3 through web identity credentials.
        let lines = (0..<20).map { i in
            "{\"event_id\":\"k8s-\(i)\",\"user_id\":\"u\(i % 3)\",\"event_type\":\"click\",\"timestamp\":\"2026-12-03T10:00:\(String(format: "%02d", i))Z\"}"
        }.joined(separator: "\n")
        let produced = try await runProcessAsync(
            TestEnvironment.tributaryBinary,
            ["produce", "user_events", "--bootstrap-servers", kafka.bootstrapServers, "--set", "kafka.security.protocol=ssl",
             "--set", "kafka.tls.ca_file=\(kafka.caFile)"],
            stdin: Data(lines.utf8), check: false)
        #expect(produced.status == 0, "\(produced.stderrText)")
        let tablePrefix = (prefix.isEmpty ? "" : prefix + "/") + "user_events/"
        let deadline = Date().addingTimeInterval(120)
        var objects: [String: String] = [:]
        while Date() < deadline && !objects.keys.contains(where: { $0.hasSuffix(".commit") }) {
            try await Task.sleep(nanoseconds: 1_000_000_000)
            objects = try await aws.contents(bucket: bucket, prefix: tablePrefix)
        }
        #expect(objects.keys.contains { $0.hasSuffix(".commit") }, "no commit in \(bucket)/\(tablePrefix): \(objects.keys.sorted())")
        #expect(objects.keys.contains { $0.hasSuffix(".parquet") })
        let encryption = try await aws.admin("""
            out = {}
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=argv[0], Prefix=argv[1]):
                for o in page.get("Contents", []):
                    head = s3.head_object(Bucket=argv[0], Key=o["Key"])
                    out[o["Key"]] = [head.get("ServerSideEncryption", ""), head.get("SSEKMSKeyId", "")]
            print(json.dumps(out))
            """, [bucket, tablePrefix])
        let heads = try JSONDecoder().decode([String: [String]].self, from: encryption.stdout)
        #expect(!heads.isEmpty)
        for (key, value) in heads {
            #expect(value == [check.config.s3.sse, check.config.s3.sse_kms_key_id], "\(key)")
        }
        let after = try await aws.stats()
        #expect(after.sts_calls > before.sts_calls, "the processor did not use web identity")

        // The web app: probes, and the API behind the token from its Secret.
        let webSpec = try #require(check.containers["tributary-web"])
        let webPod = try Pod(webSpec, check: check, secrets: secrets, testEnvironment: redirects,
                             listen: ("web.listen", try freeLoopbackPort()))
        let (web, webLog) = try webPod.start(log: "web")
        defer { if web.isRunning { kill(web.processIdentifier, SIGKILL) } }
        for kind in ["startupProbe", "livenessProbe", "readinessProbe"] {
            let probe = try #require(webPod.probes[kind], "web \(kind)")
            try await Self.waitForOK("http://127.0.0.1:\(probe.port)\(probe.path)", seconds: webSpec.probes[kind]!.budgetSeconds + webSpec.probes["startupProbe"]!.budgetSeconds,
                               process: web, log: webLog)
        }
        let api = "http://127.0.0.1:\(webPod.probes["livenessProbe"]!.port)/api/kafka/topics"
        #expect(await Self.httpStatus(api) == 401)
        // Listing 10 topics' watermarks over TLS can take a while on a loaded machine.
        #expect(await Self.httpStatus(api, token: webToken, timeout: 60) == 200)

        // A rollout's SIGTERM: each finishes within its grace period, cleanly.
        let stopping = Date()
        #expect(await Self.terminate(processor, grace: processorSpec.grace) == 0,
                "\((try? String(contentsOf: processorLog, encoding: .utf8))?.suffix(2000) ?? "")")
        print("processor stopped \(String(format: "%.1f", Date().timeIntervalSince(stopping))) s after SIGTERM (grace \(processorSpec.grace) s)")
        #expect(await Self.terminate(web, grace: webSpec.grace) == 0)
    }
}

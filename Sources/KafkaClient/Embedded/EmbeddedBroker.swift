import Foundation
import Logging
import ServiceLifecycle
import TributaryCore

/// A Kafka-protocol broker (Tansu) run as a child process on a loopback port, for the
/// zero-configuration stack and for tests. The kernel stops it when this process dies
/// (even by `kill -9`), so no orphan broker outlives us; with `restartOnExit` a broker
/// that dies is started again on the same port (see `supervise()`).
///
/// Its storage engine decides what survives: `memory://` nothing, `s3://BUCKET/` every
/// acknowledged record and committed group offset (see `DurableEmbeddedBroker`, which
/// puts it on an embedded SeaweedFS).
public final class EmbeddedBroker: SupervisedServer {
    public struct Options: Sendable {
        /// Tansu's storage engine: `memory://tansu/` (default) or `s3://BUCKET/`.
        public var storageEngine: String = "memory://tansu/"
        /// 0: pick a free port.
        public var port: Int = 0
        /// The tansu executable; found on `TRIBUTARY_TANSU`, next to the package's
        /// `.native/bin`, or on PATH when nil.
        public var executable: String?
        /// The broker's environment (AWS_* for the s3 engine). Nothing else of ours is passed
        /// on: Tansu reads its settings (and AWS credentials) from environment variables.
        public var environment: [String: String] = [:]
        public var startupTimeout: Duration = .seconds(30)
        /// Where its output goes (appended); nil: a file in the temporary folder.
        public var logFile: URL?
        /// SIGTERM, then SIGKILL after this long.
        public var stopTimeout: Duration = .seconds(10)
        public init() {}
    }

    public let port: Int
    public var bootstrapServers: String { "127.0.0.1:\(port)" }
    public let logFile: URL
    public let supervisor: ProcessSupervisor

    /// Starts the broker and waits until it answers a metadata request.
    public static func start(_ options: Options = Options(), logger: Logger = Logger(label: "tributary.broker")) async throws -> EmbeddedBroker {
        let broker = try EmbeddedBroker(options: options, logger: logger)
        do {
            try await broker.supervisor.start()
        } catch let error as ChildProcessError {
            throw KafkaError(.other, operation: "start embedded broker", reason: error.description)
        }
        logger.info("embedded Kafka broker (Tansu) ready", metadata: [
            "bootstrap": "\(broker.bootstrapServers)", "storage": "\(options.storageEngine)"])
        return broker
    }

    private init(options: Options, logger: Logger) throws {
        let executable = try EmbeddedTools.locate("tansu", explicit: options.executable, environmentVariable: "TRIBUTARY_TANSU")
        let port = options.port == 0 ? try LoopbackPorts.free() : options.port
        self.port = port
        let logFile = options.logFile ?? FileManager.default.temporaryDirectory.appendingPathComponent("tributary-tansu-\(port).log")
        self.logFile = logFile
        let url = "tcp://127.0.0.1:\(port)"
        var spec = ChildProcessSpec(name: "tansu", executable: URL(fileURLWithPath: executable), arguments: [
            "broker", "--listener-url", url, "--advertised-listener-url", url, "--storage-engine", options.storageEngine])
        spec.environment = options.environment
        spec.inheritsEnvironment = false
        spec.standardOutput = .file(logFile)
        spec.standardError = .file(logFile)
        spec.stopTimeout = options.stopTimeout
        let finalSpec = spec
        var policy = ProcessSupervisor.Policy()
        policy.readyTimeout = options.startupTimeout
        let bootstrap = "127.0.0.1:\(port)"
        // In memory Tansu serves once it listens; over S3 it must also answer a metadata
        // request (its storage reachable). A loaded machine can take seconds for that probe.
        let inMemory = options.storageEngine.hasPrefix("memory:")
        supervisor = ProcessSupervisor(name: "tansu", policy: policy, logger: logger, spec: { finalSpec }, readiness: { _ in
            inMemory ? LoopbackPorts.isListening(port) : await Self.answers(bootstrap)
        })
    }

    /// Whether a broker at `bootstrap` answers a metadata request.
    static func answers(_ bootstrap: String) async -> Bool {
        guard LoopbackPorts.isListening(Int(bootstrap.split(separator: ":").last ?? "") ?? 0) else { return false }
        guard let admin = try? KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: bootstrap, operationTimeout: .seconds(5))) else {
            return false
        }
        return (try? await admin.metadata()) != nil
    }

    deinit { supervisor.stopBlocking() }

    /// Producer settings for clients of the embedded broker: batches of up to 1 MB (Tansu
    /// over S3 writes one object per batch, so bulk produce needs big ones; a single record
    /// still goes out after `linger.ms`), and **no idempotence**: Tansu 0.6 records an
    /// idempotent producer's sequence (`meta.json`) before it stores the batch, so when it
    /// dies between the two, librdkafka's retry to the restarted broker is answered "duplicate
    /// sequence" — success — and the batch is acknowledged yet lost (seen in the kill -9 test).
    /// Without idempotence a retry stores the batch again; a record that was stored twice
    /// is absorbed by the tables (upsert on the record key). One request in flight keeps the
    /// retried records in order.
    public static let producerSettings = [
        "batch.size": "1000000", "enable.idempotence": "false", "max.in.flight.requests.per.connection": "1",
    ]

    /// A free TCP port on 127.0.0.1 (bound and released).
    public static func freePort() throws -> Int { try LoopbackPorts.free() }
}

/// Runs an embedded broker as a lifecycle service: restarts it when it dies, stops it on
/// graceful shutdown (logging each step).
public struct EmbeddedBrokerService: Service {
    public let broker: EmbeddedBroker
    public let logger: Logger
    public init(broker: EmbeddedBroker, logger: Logger = Logger(label: "tributary.broker")) {
        self.broker = broker
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await broker.supervise() }
        logger.info("stopping the embedded Kafka broker")
        await broker.shutdown()
    }
}

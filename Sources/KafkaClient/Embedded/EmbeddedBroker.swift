import Foundation
import Logging
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// A Kafka-protocol broker (Tansu) run as a child process on a free loopback port,
/// for the zero-configuration stack and for tests.
///
/// The child is started through a small shell guard that watches our process id: when
/// this process exits for any reason (even `kill -9`) the guard stops the broker
/// within a second, so no orphan broker outlives us.
public final class EmbeddedBroker: Sendable {
    public struct Options: Sendable {
        /// Tansu's storage engine: `memory://tansu/` (default) or `s3://BUCKET/`.
        public var storageEngine: String = "memory://tansu/"
        /// 0: pick a free port.
        public var port: Int = 0
        /// The tansu executable; found on `TRIBUTARY_TANSU`, next to the package's
        /// `.native/bin`, or on PATH when nil.
        public var executable: String?
        /// Extra environment for the broker (AWS_* for the s3 engine).
        public var environment: [String: String] = [:]
        public var startupTimeout: Duration = .seconds(30)
        public init() {}
    }

    public let port: Int
    public var bootstrapServers: String { "127.0.0.1:\(port)" }
    private let process: Process
    public let logFile: URL

    /// Starts the broker and waits until it answers a metadata request.
    public static func start(_ options: Options = Options(), logger: Logger = Logger(label: "tributary.broker")) async throws -> EmbeddedBroker {
        let broker = try EmbeddedBroker(options: options)
        do {
            try await broker.waitUntilReady(timeout: options.startupTimeout)
        } catch {
            broker.stop()
            throw error
        }
        logger.info("embedded Kafka broker (Tansu) ready", metadata: ["bootstrap": "\(broker.bootstrapServers)"])
        return broker
    }

    private init(options: Options) throws {
        let executable = try Self.locateTansu(options.executable)
        port = options.port == 0 ? try Self.freePort() : options.port
        let url = "tcp://127.0.0.1:\(port)"
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-tansu-\(port).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The guard: start tansu, then wait while its parent (us, $3) lives; our exit or
        // SIGUSR1 stops tansu. (Not TERM/INT: swift-service-lifecycle ignores those to
        // handle them itself, and an ignored signal stays ignored across exec, so the
        // guard and tansu inherit that; hence also KILL for tansu.) The parent check
        // reads our ppid rather than `kill -0`, which a zombie would still pass.
        let script = """
            "$0" broker --listener-url "$1" --advertised-listener-url "$1" --storage-engine "$2" & pid=$!
            trap 'kill -9 $pid 2>/dev/null; wait $pid; exit 0' USR1
            while [ "$(cut -d' ' -f4 /proc/$$/stat)" = "$3" ] && kill -0 $pid 2>/dev/null; do sleep 0.3; done
            kill -9 $pid 2>/dev/null; wait $pid
            """
        process.arguments = ["-c", script, executable, url, options.storageEngine, "\(getpid())"]
        process.environment = ProcessInfo.processInfo.environment.merging(options.environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    deinit { stop() }

    /// Stops the broker and waits for it to exit.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGUSR1)
            process.waitUntilExit()
        }
    }

    public var isRunning: Bool { process.isRunning }

    private func waitUntilReady(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        var lastError: (any Error)?
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw KafkaError(.other, operation: "start embedded broker",
                                 reason: "tansu exited: \(Self.tail(of: logFile))")
            }
            do {
                let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: bootstrapServers, operationTimeout: .seconds(2)))
                _ = try await admin.metadata()
                return
            } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        throw KafkaError(.brokerUnreachable, operation: "start embedded broker",
                         reason: "no answer on \(bootstrapServers) within \(timeout): \(lastError.map { "\($0)" } ?? "")")
    }

    static func tail(of file: URL) -> String {
        let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        return String(text.suffix(1500))
    }

    static func locateTansu(_ explicit: String?) throws -> String {
        var candidates: [String] = []
        if let explicit { candidates.append(explicit) }
        if let env = ProcessInfo.processInfo.environment["TRIBUTARY_TANSU"] { candidates.append(env) }
        // Relative to the executable: <root>/.build*/<config>/tributary → <root>/.native/bin/tansu
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent(".native/bin/tansu").path)
            dir.deleteLastPathComponent()
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/.native/bin/tansu")
        for path in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append("\(path)/tansu")
        }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        throw KafkaError(.configuration, operation: "start embedded broker",
                         reason: "the tansu binary was not found (run `make setup`, or set TRIBUTARY_TANSU, or configure kafka.bootstrap_servers)")
    }

    /// A free TCP port on 127.0.0.1 (bound and released).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

/// Runs an embedded broker as a lifecycle service: stops it on graceful shutdown.
public struct EmbeddedBrokerService: Service {
    public let broker: EmbeddedBroker
    public init(broker: EmbeddedBroker) { self.broker = broker }
    public func run() async throws {
        try? await gracefulShutdown()
        broker.stop()
    }
}

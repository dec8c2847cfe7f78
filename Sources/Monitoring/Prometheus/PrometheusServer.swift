import AsyncHTTPClient
import Foundation
import Logging
import MonitoringCore
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// Debian's `prometheus` run as a child of this process (`tributary up --prometheus`):
/// a generated configuration scraping Tributary, the alert rules, its data in
/// `directory`. Like the embedded broker it is started through a small shell guard that
/// stops it when this process exits for any reason (even `kill -9`).
public final class PrometheusServer: Service, Sendable {
    public struct Options: Sendable {
        /// Where the configuration, rules and TSDB go.
        public var directory: URL
        public var port: Int
        public var executable = "/usr/bin/prometheus"
        /// Replaces every rule's `for` (tests use 0s).
        public var ruleHoldFor: Duration?
        public var startupTimeout: Duration = .seconds(30)

        public init(directory: URL, port: Int) {
            self.directory = directory
            self.port = port
        }
    }

    public let options: Options
    public var url: String { "http://127.0.0.1:\(options.port)" }
    private let target: @Sendable () async throws -> PrometheusConfig
    private let logger: Logger
    private let onReady: @Sendable (String) async -> Void

    /// - Parameter target: the scrape configuration, awaited first (the web app's port
    ///   is known once it listens).
    public init(options: Options, logger: Logger = Logger(label: "tributary.prometheus"),
                target: @escaping @Sendable () async throws -> PrometheusConfig,
                onReady: @escaping @Sendable (String) async -> Void = { _ in }) {
        self.options = options
        self.logger = logger
        self.target = target
        self.onReady = onReady
    }

    public func run() async throws {
        let config: PrometheusConfig
        do {
            config = try await cancelWhenGracefulShutdown { try await self.target() }
        } catch is CancellationError {
            return  // shut down before the target was known
        }
        let fm = FileManager.default
        try fm.createDirectory(at: options.directory.appendingPathComponent("data"), withIntermediateDirectories: true)
        let configFile = options.directory.appendingPathComponent("prometheus.yml")
        try config.render().write(to: configFile, atomically: true, encoding: .utf8)
        try AlertRulesFile.render(holdFor: options.ruleHoldFor)
            .write(to: options.directory.appendingPathComponent(config.rulesFile), atomically: true, encoding: .utf8)
        guard fm.isExecutableFile(atPath: options.executable) else {
            throw PrometheusError("\(options.executable) not found: `make setup` installs Debian's prometheus package")
        }
        let logFile = options.directory.appendingPathComponent("prometheus.log")
        _ = fm.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The guard (see EmbeddedBroker): run prometheus, stop it when we ($1) are gone or on USR1.
        let script = """
            "$0" "$@" & pid=$!
            trap 'kill -9 $pid 2>/dev/null; wait $pid; exit 0' USR1
            while [ "$(cut -d' ' -f4 /proc/$$/stat)" = "$PARENT" ] && kill -0 $pid 2>/dev/null; do sleep 0.3; done
            kill -9 $pid 2>/dev/null; wait $pid
            """
        process.arguments = ["-c", script, options.executable,
                             "--config.file=\(configFile.path)",
                             "--storage.tsdb.path=\(options.directory.appendingPathComponent("data").path)",
                             "--storage.tsdb.retention.time=2d",
                             "--web.listen-address=127.0.0.1:\(options.port)"]
        process.environment = ProcessInfo.processInfo.environment.merging(["PARENT": "\(getpid())"]) { $1 }
        process.currentDirectoryURL = options.directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        defer {
            if process.isRunning {
                kill(process.processIdentifier, SIGUSR1)
                process.waitUntilExit()
            }
        }
        try await waitUntilReady(process, log: logFile)
        logger.info("prometheus ready", metadata: ["url": "\(url)", "target": "\(config.target)"])
        await onReady(url)
        // Until shutdown; a prometheus that dies is reported, not restarted.
        try? await gracefulShutdown()
    }

    private func waitUntilReady(_ process: Process, log: URL) async throws {
        let deadline = ContinuousClock.now + options.startupTimeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw PrometheusError("prometheus exited: \(String(((try? String(contentsOf: log, encoding: .utf8)) ?? "").suffix(1500)))")
            }
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: url + "/-/ready"), timeout: .seconds(2)),
               response.status.code == 200 {
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw PrometheusError("prometheus did not become ready on \(url) within \(options.startupTimeout)")
    }
}

public struct PrometheusError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

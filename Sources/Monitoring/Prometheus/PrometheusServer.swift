import AsyncHTTPClient
import Foundation
import Logging
import MonitoringCore
import ServiceLifecycle
import TributaryCore

/// Debian's `prometheus` run as a child of this process (`tributary up --prometheus`):
/// a generated configuration scraping Tributary, the alert rules, its data in
/// `directory`. Like the embedded broker it is a `ChildProcess`: the kernel stops it when
/// this process exits for any reason (even `kill -9`).
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
        try? fm.removeItem(at: logFile)
        var spec = ChildProcessSpec(name: "prometheus", executable: URL(fileURLWithPath: options.executable), arguments: [
            "--config.file=\(configFile.path)",
            "--storage.tsdb.path=\(options.directory.appendingPathComponent("data").path)",
            "--storage.tsdb.retention.time=2d",
            "--web.listen-address=127.0.0.1:\(options.port)"])
        spec.currentDirectory = options.directory
        spec.standardOutput = .file(logFile)
        spec.standardError = .file(logFile)
        let process = try ChildProcess.spawn(spec, logger: logger)
        do {
            let url = self.url
            try await process.waitUntilReady(timeout: options.startupTimeout, interval: .milliseconds(200)) {
                guard let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: url + "/-/ready"), timeout: .seconds(2)) else {
                    return false
                }
                return response.status.code == 200
            }
        } catch let error as ChildProcessError {
            await process.stop()
            throw PrometheusError("prometheus \(error.reason): \(error.logTail.suffix(1500))")
        } catch {
            await process.stop()
            throw error
        }
        logger.info("prometheus ready", metadata: ["url": "\(url)", "target": "\(config.target)"])
        await onReady(url)
        // Until shutdown; a prometheus that dies is reported (by ChildProcess), not restarted.
        try? await gracefulShutdown()
        await process.stop()
    }
}

public struct PrometheusError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

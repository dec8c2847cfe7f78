import ArgumentParser
import Foundation
import KafkaClient
import Logging
import Monitoring
import MonitoringCore
import ObjectStore
import Pipeline
import ServiceLifecycle
import TributaryConfig
import Web

/// The monitoring side of a command: the Prometheus metrics backend, the in-process
/// alert evaluator (and webhook notifier), readiness checks, and how the web app or a
/// processor-only metrics server exposes them.
struct MonitoringSetup {
    let evaluator: AlertEvaluator
    let notifier: WebhookNotifier?

    /// Bootstraps metrics (once per process) and builds the evaluator and notifier.
    init(config: TributaryConfig, logger: Logger) throws {
        MetricsExport.bootstrap()
        let url = config.string("alerts.webhook_url")  // validated when loaded
        if url.isEmpty {
            notifier = nil
        } else {
            let format = WebhookNotifier.Format(rawValue: config.string("alerts.webhook_format").lowercased()) ?? .json
            notifier = WebhookNotifier(options: .init(url: url, format: format), logger: logger)
        }
        var interval = config.duration("alerts.evaluation_interval")
        if interval <= .zero { interval = .seconds(5) }
        evaluator = AlertEvaluator(interval: interval, notifier: notifier, logger: logger)
    }

    /// The evaluator and the notifier, to run in the command's service group.
    var services: [any Service] { [evaluator] + (notifier.map { [$0] } ?? []) }

    /// `/metrics`, `/healthz`, `/readyz` and `/api/alerts` as the web app and the
    /// processor-only server both serve them.
    func routes(readiness: [ReadinessCheck]) -> MonitoringRoutes {
        let evaluator = self.evaluator
        return MonitoringRoutes(metrics: MetricsExport.render, alerts: { evaluator.snapshot() }, readiness: readiness)
    }

    /// The processor-only server on `metrics.listen` (nil when it is empty).
    func server(config: TributaryConfig, readiness: [ReadinessCheck], logger: Logger) -> MonitoringServer? {
        guard let address = config.listenAddress("metrics.listen") else { return nil }
        return MonitoringServer(host: address.host, port: address.port, routes: routes(readiness: readiness), logger: logger) { url in
            // Unbuffered: scripts and tests wait for this line.
            FileHandle.standardOutput.write(Data("metrics: \(url)\n".utf8))
        }
    }

    // MARK: Readiness checks

    static func broker(_ kafka: KafkaConfiguration) throws -> ReadinessCheck {
        var quick = kafka
        quick.operationTimeout = .seconds(2)
        let admin = try KafkaAdmin(configuration: quick)
        return ReadinessCheck("broker") {
            let metadata = try await admin.metadata()
            guard !metadata.brokers.isEmpty else { throw ReadinessFailure("no broker in the cluster metadata") }
            return "\(metadata.brokers.count) broker(s) reachable"
        }
    }

    static func storage(_ config: TributaryConfig) async throws -> ReadinessCheck {
        let lake = try await Lake.open(config)
        return ReadinessCheck("storage") {
            let key = "_tributary_readyz_\(getpid())"
            try await lake.put(key, Data("ok".utf8))
            try await lake.delete([key])
            return "\(config.string("storage.uri")) is writable"
        }
    }

    static func processor(_ processor: StreamProcessor) -> ReadinessCheck {
        ReadinessCheck("processor") {
            let n = processor.assignedPartitions
            guard n > 0 else { throw ReadinessFailure("no partitions assigned yet") }
            return "\(n) partition(s) assigned"
        }
    }
}

struct ReadinessFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

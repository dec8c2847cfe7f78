import ArgumentParser
import Foundation
import KafkaClient
import Logging
import Monitoring
import Pipeline
import Query
import ServiceLifecycle
import TributaryConfig
import Web

struct WebCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "web",
        abstract: "Run only the web app (ingest forms, bulk upload, generator, Kafka UI) against a running Kafka.")
    @OptionGroup var kafka: KafkaOptions
    @Option(help: ArgumentHelp("Listen address host:port (web.listen; default 127.0.0.1:8080).", valueName: "host:port"))
    var listen: String?

    func run() async throws {
        var config = try kafka.loadConfig()
        if let listen { try config.set("web.listen", listen, source: .flag) }
        let logger = Logger(label: "tributary.web")
        let kafkaConfiguration = try kafka.configuration(config)
        let monitoring = try MonitoringSetup(config: config, logger: logger)
        let setup = try await WebSetup.make(config: config, kafka: kafkaConfiguration,
                                            monitoring: monitoring.routes(readiness: [try MonitoringSetup.broker(kafkaConfiguration)]), logger: logger)
        let group = ServiceGroup(services: [setup.web] + setup.services + monitoring.services,
                                 gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

/// Builds the web service from the configuration (shared by `web` and `up`); prints the
/// URL (and a generated token) once the server listens. The lake (`storage.uri`) backs the
/// SQL and lake pages; `services` (the query service's DuckDB pool and view preparer, the dashboard sampler)
/// must run in the same `ServiceGroup`, so the DuckDB processes stop on shutdown.
enum WebSetup {
    static func make(config: TributaryConfig, kafka: KafkaConfiguration, monitoring: MonitoringRoutes = .disabled, logger: Logger,
                     processorStats: (@Sendable () -> ProcessorStats?)? = nil,
                     onStarted: @escaping @Sendable (String) -> Void = { _ in }) async throws -> (web: WebService, services: [any Service]) {
        let web = try webConfiguration(config)
        let lake = try await Lake.open(config)
        var deps = try WebDependencies(config: web, kafka: kafka, schemas: try config.streams(), lake: lake, processorStats: processorStats,
                                       processorGroup: config.string("processing.group_id"), logger: logger)
        deps.monitoring = monitoring
        // The query service's DuckDB processes and its preparer of merge-on-read views, and
        // the dashboard's background sampling.
        let services: [any Service] = (deps.query.map { [$0.pool, $0.preparer] } ?? []) + [deps.dashboard]
        return (WebService(deps: deps) { url in
            var line = "web app: \(url)"
            if web.tokenWasGenerated, let token = web.authToken {
                line += " (listening beyond loopback without web.auth_token: log in with the generated token \(token))"
            } else if web.loginRequired {
                line += " (log in with web.auth_token)"
            }
            // Unbuffered: scripts and tests wait for this line.
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
            onStarted(url)
        }, services)
    }
}

extension WebSetup {
    /// The web app's settings: `web.listen` (validated when loaded) and `web.auth_token`.
    static func webConfiguration(_ config: TributaryConfig) throws -> WebConfiguration {
        guard let address = config.listenAddress("web.listen") else {
            throw ValidationError("web.listen must be host:port (e.g. 127.0.0.1:8080), got '\(config.string("web.listen"))'")
        }
        return WebConfiguration(host: address.host, port: address.port, authToken: config.string("web.auth_token"))
    }
}

/// Runs a service whose failure is logged rather than ending the whole group (the web
/// app in `tributary up`); it then waits for the group's shutdown like the others.
struct NonEssentialService<Base: Service>: Service {
    let name: String
    let logger: Logger
    let base: Base

    func run() async throws {
        do {
            try await base.run()
        } catch {
            logger.error("\(name) stopped: \(error)")
            FileHandle.standardError.write(Data("\(name) could not run: \(error)\n".utf8))
            try? await gracefulShutdown()
        }
    }
}

import Hummingbird
import Logging
import ServiceLifecycle

/// A small HTTP server for a process without the web app (`tributary process`, on
/// `metrics.listen`): the same `MonitoringRoutes` the web app mounts.
public struct MonitoringServer: Service {
    public var host: String
    public var port: Int
    public var routes: MonitoringRoutes
    let logger: Logger
    let onStarted: @Sendable (String) async -> Void

    public init(host: String, port: Int, routes: MonitoringRoutes,
                logger: Logger = Logger(label: "tributary.metrics"), onStarted: @escaping @Sendable (String) async -> Void = { _ in }) {
        self.host = host
        self.port = port
        self.routes = routes
        self.logger = logger
        self.onStarted = onStarted
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        routes.register(on: router)
        return router
    }

    public func run() async throws {
        let host = self.host, onStarted = self.onStarted
        let app = Application(
            router: router(),
            configuration: .init(address: .hostname(host, port: port), serverName: "tributary-metrics"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                await onStarted("http://\(host.contains(":") ? "[\(host)]" : host):\(port)/metrics")
            },
            logger: logger)
        try await app.run()
    }
}

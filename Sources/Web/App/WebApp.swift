import Hummingbird
import Logging
import Monitoring
import ServiceLifecycle

/// Builds the web app: middleware (auth, CSRF) and every route group.
public enum WebApp {
    public static func router(_ deps: WebDependencies) -> Router<WebRequestContext> {
        let router = Router(context: WebRequestContext.self)
        router.add(middleware: HTTPMetricsMiddleware())
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: AuthMiddleware(token: deps.config.authToken, sessions: deps.sessions))
        router.add(middleware: CSRFMiddleware())
        router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/ingest"]) }
        AssetRoutes().register(on: router)
        LoginRoutes(deps: deps).register(on: router)
        IngestRoutes(deps: deps).register(on: router)
        UploadRoutes(deps: deps).register(on: router)
        GeneratorRoutes(deps: deps).register(on: router)
        KafkaRoutes(deps: deps).register(on: router)
        QueryRoutes(deps: deps).register(on: router)
        LakeAPIRoutes(deps: deps).register(on: router)
        LakeRoutes(deps: deps).register(on: router)
        DashboardRoutes(deps: deps).register(on: router)
        // `/metrics`, `/healthz`, `/readyz`, `/api/alerts`: the same routes as the standalone metrics server.
        deps.monitoring.register(on: router)
        return router
    }

    /// The application; `onStarted` receives the URL once the server listens (with the
    /// real port when the configured one is 0).
    public static func application(
        _ deps: WebDependencies, onStarted: @escaping @Sendable (String) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let host = deps.config.host
        return Application(
            router: router(deps),
            configuration: .init(address: .hostname(host, port: deps.config.port), serverName: "tributary"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? deps.config.port
                let shown = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : (host.contains(":") ? "[\(host)]" : host)
                await onStarted("http://\(shown):\(port)/")
            },
            logger: deps.logger)
    }
}

/// The web app as a service of a `ServiceGroup` (`tributary up` adds it next to the
/// broker and the processor; `tributary web` runs it alone). Stops the generator and
/// flushes the producer on shutdown.
public struct WebService: Service {
    public let deps: WebDependencies
    let onStarted: @Sendable (String) async -> Void

    public init(deps: WebDependencies, onStarted: @escaping @Sendable (String) async -> Void = { _ in }) {
        self.deps = deps
        self.onStarted = onStarted
    }

    public func run() async throws {
        let app = WebApp.application(deps, onStarted: onStarted)
        do {
            try await app.run()
        } catch {
            _ = await deps.generator.stop()
            throw error
        }
        _ = await deps.generator.stop()
    }
}

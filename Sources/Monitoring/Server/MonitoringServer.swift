import Foundation
import Hummingbird
import Logging
import MonitoringCore
import ServiceLifecycle

/// A small HTTP server for a process without the web app (`tributary process`, on
/// `metrics.listen`): `/metrics`, `/healthz`, `/readyz` and `/api/alerts`, the same
/// answers the web app gives.
public struct MonitoringServer: Service {
    public var host: String
    public var port: Int
    public var readiness: [ReadinessCheck]
    public var alerts: (@Sendable () -> AlertsSnapshot)?
    let logger: Logger
    let onStarted: @Sendable (String) async -> Void

    public init(host: String, port: Int, readiness: [ReadinessCheck], alerts: (@Sendable () -> AlertsSnapshot)?,
                logger: Logger = Logger(label: "tributary.metrics"), onStarted: @escaping @Sendable (String) async -> Void = { _ in }) {
        self.host = host
        self.port = port
        self.readiness = readiness
        self.alerts = alerts
        self.logger = logger
        self.onStarted = onStarted
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        let readiness = self.readiness, alerts = self.alerts
        router.get("/metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: MetricsExport.contentType],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: MetricsExport.render())))
        }
        router.get("/healthz") { _, _ -> Response in Self.json(["status": "ok"]) }
        router.get("/readyz") { _, _ -> Response in
            let report = await ReadinessReport.evaluate(readiness)
            return Self.json(report, status: report.ready ? .ok : .serviceUnavailable)
        }
        router.get("/api/alerts") { _, _ -> Response in
            guard let alerts else { return Self.json(["error": "alerts are not enabled"], status: .notFound) }
            return Self.json(alerts())
        }
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

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

import Foundation
import Hummingbird
import MonitoringCore

/// `/metrics` (Prometheus text format), `/healthz`, `/readyz` (JSON checks; 503 when one
/// fails) and `GET /api/alerts` (the in-process alert rules' states): one implementation,
/// mounted by the web app and by the standalone `MonitoringServer`. What the process
/// exposes is given by whoever runs it (the CLI, which owns the metrics backend and the
/// alert evaluator); a part left out answers 404 (readiness: ready with no checks).
public struct MonitoringRoutes: Sendable {
    /// The Prometheus text exposition (nil: `/metrics` answers 404).
    public var metrics: (@Sendable () -> String)?
    /// The in-process alert rules' latest evaluation (nil: `/api/alerts` answers 404).
    public var alerts: (@Sendable () -> AlertsSnapshot)?
    /// Readiness checks (broker reachable, storage writable, processor assigned).
    public var readiness: [ReadinessCheck]

    public init(metrics: (@Sendable () -> String)?, alerts: (@Sendable () -> AlertsSnapshot)?,
                readiness: [ReadinessCheck]) {
        self.metrics = metrics
        self.alerts = alerts
        self.readiness = readiness
    }

    /// Health only: no metrics, no alerts, no readiness checks.
    public static let disabled = MonitoringRoutes(metrics: nil, alerts: nil, readiness: [])

    public func register<Context: RequestContext>(on router: Router<Context>) {
        let metrics = self.metrics, alerts = self.alerts, readiness = self.readiness
        router.get("/metrics") { _, _ -> Response in
            guard let metrics else { return JSONResponse.make(["error": "metrics are not enabled"], status: .notFound) }
            return Response(status: .ok, headers: [.contentType: MetricsExport.contentType],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: metrics())))
        }
        router.get("/healthz") { _, _ -> Response in JSONResponse.make(["status": "ok"]) }
        router.get("/readyz") { _, _ -> Response in
            let report = await ReadinessReport.evaluate(readiness)
            return JSONResponse.make(report, status: report.ready ? .ok : .serviceUnavailable)
        }
        router.get("/api/alerts") { _, _ -> Response in
            guard let alerts else { return JSONResponse.make(["error": "alerts are not enabled"], status: .notFound) }
            return JSONResponse.make(alerts())
        }
    }
}

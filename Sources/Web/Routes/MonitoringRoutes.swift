import Hummingbird
import MonitoringCore

/// `/metrics` (Prometheus text format), `/readyz` (JSON checks; 503 when one fails) and
/// `GET /api/alerts` (the in-process alert rules' states). `/healthz` is in `WebApp`.
struct MonitoringRoutes {
    let deps: WebDependencies

    func register(on router: Router<WebRequestContext>) {
        let monitoring = deps.monitoring
        router.get("/metrics") { _, _ -> Response in
            guard let monitoring else { return APIError(status: .notFound, error: "metrics are not enabled").response() }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: monitoring.metrics())))
        }
        router.get("/readyz") { _, _ -> Response in
            let report = await ReadinessReport.evaluate(monitoring?.readiness ?? [])
            return JSONResponse.make(report, status: report.ready ? .ok : .serviceUnavailable)
        }
        router.get("/api/alerts") { _, _ -> Response in
            guard let monitoring else { return APIError(status: .notFound, error: "alerts are not enabled").response() }
            return JSONResponse.make(monitoring.alerts())
        }
    }
}

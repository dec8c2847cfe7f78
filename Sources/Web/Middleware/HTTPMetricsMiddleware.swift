import Hummingbird
import MonitoringCore

/// Counts requests by method, matched route pattern and status, and times them
/// (`tributary_http_requests_total`, `tributary_http_request_duration_seconds`). The
/// route is the pattern (`/api/kafka/topics/{topic}`), never the raw path, so the label
/// set stays small; requests that match no route count as `unmatched`.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let method = request.method.rawValue
        do {
            let response = try await next(request, context)
            record(method, context.endpointPath, response.status.code, started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(method, context.endpointPath, status, started)
            throw error
        }
    }

    private func record(_ method: String, _ route: String?, _ status: Int, _ started: ContinuousClock.Instant) {
        let route = route ?? "unmatched"
        TributaryMetrics.httpRequests.counter(method, route, String(status)).increment()
        TributaryMetrics.httpRequestDuration.timer(method, route).record(duration: started.duration(to: .now))
    }
}

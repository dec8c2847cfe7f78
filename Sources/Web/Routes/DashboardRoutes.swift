import Foundation
import Hummingbird
import Monitoring
import ServiceLifecycle

/// The live dashboard: the page, its history (`GET /api/dashboard`) and the server-sent
/// event stream of new points (`GET /api/dashboard/stream`).
struct DashboardRoutes {
    let deps: WebDependencies

    func register(on router: Router<WebRequestContext>) {
        let loggedIn = deps.config.loginRequired
        let sampler = deps.dashboard
        router.get("/dashboard") { _, context -> HTML in
            DashboardPage.page(hasProcessor: deps.processorStats != nil, hasLake: deps.lake != nil,
                               csrf: context.csrfToken, loggedIn: loggedIn)
        }
        router.get("/api/dashboard") { _, _ -> Response in
            _ = await sampler.sample()
            return JSONResponse.make(DashboardHistory(points: await sampler.history()))
        }
        router.get("/api/dashboard/stream") { request, _ -> Response in
            let q = request.uri.queryParameters
            let interval = q.get("interval").flatMap(Double.init).map { min(max($0, 0.5), 60) } ?? 2
            // EventSource reconnects by itself: a stream ends after a while (and at shutdown).
            let maxEvents = q.get("max").flatMap(Int.init).map { max(1, $0) } ?? Int(600 / interval)
            let body = ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                events: for n in 0..<maxEvents {
                    if n > 0 {
                        // Short naps, so a graceful shutdown ends the stream promptly.
                        let due = ContinuousClock.now + .milliseconds(Int(interval * 1000))
                        while ContinuousClock.now < due {
                            if Task.isShuttingDownGracefully || Task.isCancelled { break events }
                            try await Task.sleep(for: min(.milliseconds(200), ContinuousClock.now.duration(to: due)))
                        }
                    }
                    let point = await sampler.sample()
                    try await writer.write(ByteBuffer(string: "event: sample\ndata: \(JSONResponse.text(point))\n\n"))
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
        }
    }
}

/// `GET /api/dashboard`: the recent points, oldest first.
struct DashboardHistory: Encodable {
    var points: [DashboardSample]
}

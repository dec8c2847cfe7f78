import Hummingbird
import Monitoring

/// `GET /api/tables…`: the lake's tables and their timelines as JSON.
struct LakeAPIRoutes {
    let deps: WebDependencies

    func register(on router: Router<WebRequestContext>) {
        router.get("/api/tables") { _, _ -> Response in
            guard let lake = deps.lake else { return Self.noLake() }
            return JSONResponse.make(try await lake.summaries())
        }
        router.get("/api/tables/{name}") { _, context -> Response in
            guard let lake = deps.lake else { return Self.noLake() }
            guard let name = context.parameters.get("name"), let summary = try await lake.summary(name) else {
                return APIError(status: .notFound, error: "no such table").response()
            }
            return JSONResponse.make(summary)
        }
        router.get("/api/tables/{name}/timeline") { request, context -> Response in
            guard let lake = deps.lake else { return Self.noLake() }
            let limit = request.uri.queryParameters.get("limit").flatMap { Int($0) } ?? 200
            guard let name = context.parameters.get("name"), let commits = try await lake.timeline(name, limit: limit) else {
                return APIError(status: .notFound, error: "no such table").response()
            }
            return JSONResponse.make(commits)
        }
    }

    static func noLake() -> Response {
        APIError(status: .serviceUnavailable, error: "no lake is configured for this web app (storage.uri)").response()
    }
}

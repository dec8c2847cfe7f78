import Hummingbird

/// The login form for browsers (API clients send the bearer token instead).
struct LoginRoutes {
    let deps: WebDependencies

    func register(on router: Router<WebRequestContext>) {
        router.get("/login") { request, context -> HTML in
            ToolPages.login(next: Self.safeNext(request.uri.queryParameters.get("next")), failed: false, csrf: context.csrfToken)
        }
        router.post("/login") { request, context -> Response in
            var request = request
            let form = FormData(urlEncoded: String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
            let next = Self.safeNext(form["next"])
            guard let token = deps.config.authToken else {
                return Response(status: .seeOther, headers: [.location: next])
            }
            guard let presented = form["token"], constantTimeEquals(presented, token) else {
                return ToolPages.login(next: next, failed: true, csrf: context.csrfToken).response(status: .unauthorized)
            }
            var response = Response(status: .seeOther, headers: [.location: next])
            response.setCookie(Cookie(name: CookieName.session, value: deps.sessions.create(), path: "/", httpOnly: true, sameSite: .strict))
            return response
        }
        router.post("/logout") { request, _ -> Response in
            if let session = request.cookies[CookieName.session]?.value { deps.sessions.remove(session) }
            var response = Response(status: .seeOther, headers: [.location: "/login"])
            response.setCookie(Cookie(name: CookieName.session, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict))
            return response
        }
    }

    /// Only local paths: never redirect to another site after login.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\") else { return "/" }
        return next
    }
}

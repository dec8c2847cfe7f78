import Foundation
import Hummingbird

/// Cookie names of the web app.
enum CookieName {
    static let session = "tributary_session"
    static let csrf = "tributary_csrf"
}

/// Requires the bearer token or a login session when the app has a token (always when
/// it listens on a non-loopback address). API callers get 401; browsers go to the login
/// page and come back afterwards.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext
    let token: String?
    let sessions: SessionStore

    /// Paths reachable without logging in: the login page itself, its styles, health and
    /// readiness (probes).
    static func isPublic(_ path: String) -> Bool {
        path == "/login" || path.hasPrefix("/assets/") || path == "/healthz" || path == "/readyz"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        guard let token else { return try await next(request, context) }
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            let presented = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
            if constantTimeEquals(presented, token) {
                context.bearerAuthenticated = true
                return try await next(request, context)
            }
            return Self.unauthorized(request, reason: "the bearer token is not valid")
        }
        if let session = request.cookies[CookieName.session]?.value, sessions.contains(session) {
            return try await next(request, context)
        }
        if Self.isPublic(request.uri.path) { return try await next(request, context) }
        return Self.unauthorized(request, reason: "log in, or send Authorization: Bearer <web.auth_token>")
    }

    static func unauthorized(_ request: Request, reason: String) -> Response {
        if request.uri.path.hasPrefix("/api/") {
            return APIError(status: .unauthorized, error: reason).response(extraHeaders: [.wwwAuthenticate: "Bearer"])
        }
        let target = request.uri.path + (request.uri.query.map { "?\($0)" } ?? "")
        return Response(status: .seeOther, headers: [.location: "/login?" + FormData.encode([("next", target)])])
    }
}

/// Blocks cross-site form posts: an unsafe request from a browser must carry the CSRF
/// token (form field `csrf_token` or header `X-CSRF-Token`) equal to its
/// `tributary_csrf` cookie. Bearer-authenticated calls are exempt (no ambient
/// credentials), and so are bodies whose content type a cross-site page cannot send
/// without a CORS preflight (e.g. `application/json`), which this app never grants.
struct CSRFMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext
    static let headerName = "x-csrf-token"
    static let formField = "csrf_token"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var request = request
        let cookie = request.cookies[CookieName.csrf]?.value
        let isNew = cookie == nil || cookie?.count != 48
        context.csrfToken = isNew ? randomToken() : (cookie ?? "")

        if ![.get, .head, .options].contains(request.method) && !context.bearerAuthenticated {
            let mediaType = (request.headers[.contentType] ?? "").split(separator: ";").first
                .map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            let simple = ["", "application/x-www-form-urlencoded", "multipart/form-data", "text/plain"].contains(mediaType)
            if simple {
                var presented = request.headers.first { $0.name.canonicalName == Self.headerName }?.value
                if presented == nil && mediaType == "application/x-www-form-urlencoded" {
                    let body = try await request.collectBody(upTo: context.maxUploadSize)
                    presented = FormData(urlEncoded: String(buffer: body))[Self.formField]
                }
                guard let cookie, let presented, constantTimeEquals(presented, cookie) else {
                    return Self.refused(request)
                }
            }
        }
        var response = try await next(request, context)
        if isNew {
            response.setCookie(Cookie(name: CookieName.csrf, value: context.csrfToken, path: "/", httpOnly: true, sameSite: .strict))
        }
        return response
    }

    static func refused(_ request: Request) -> Response {
        let reason = "missing or wrong CSRF token: reload the page and submit again"
        if request.uri.path.hasPrefix("/api/") {
            return APIError(status: .forbidden, error: reason).response()
        }
        return Layout.page(title: "Refused", csrf: "", body: """
            <div class="alert alert-danger" role="alert">\(reason)</div>
            """).response(status: .forbidden)
    }
}

import Hummingbird

/// Browser hardening on every response: only the app's own scripts run (no inline
/// script, so injected markup could not execute even if escaping failed), no framing
/// (`frame-ancestors`: clickjacking), no MIME sniffing.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext
    // Inline styles stay allowed: the upload progress bar sets its width.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        return response
    }
}

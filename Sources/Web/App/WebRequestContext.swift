import Hummingbird

/// The request context of the web app: what the middleware learned about the caller.
public struct WebRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The CSRF token pages embed in their forms (the value of the `tributary_csrf` cookie).
    public var csrfToken: String = ""
    /// True when the caller sent a valid `Authorization: Bearer` header (not ambient
    /// browser credentials, so no CSRF check is needed).
    public var bearerAuthenticated = false

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    /// Bodies the app decodes in one piece (JSON records, forms); uploads stream.
    public var maxUploadSize: Int { 1 << 20 }
}

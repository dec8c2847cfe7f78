/// Where the web app listens and who may use it: a plain value the CLI builds from its
/// configuration (`web.listen`, `web.auth_token`).
public struct WebConfiguration: Sendable, Equatable {
    public var host: String
    /// 0 picks a free port (tests); the bound port is reported when the server runs.
    public var port: Int
    /// The bearer token / login password; nil: no login (loopback only).
    public var authToken: String?
    /// True when the token was generated because the address is not loopback and none
    /// was configured: the command prints it so the operator can log in.
    public var tokenWasGenerated: Bool
    /// Largest accepted bulk upload.
    public var maxUploadBytes: Int

    public init(host: String = "127.0.0.1", port: Int = 8080, authToken: String? = nil,
                maxUploadBytes: Int = 128 * 1024 * 1024) {
        self.host = host
        self.port = port
        let token = authToken.flatMap { $0.isEmpty ? nil : $0 }
        if token == nil && !Self.isLoopback(host) {
            // Never serve a non-loopback address without a login.
            self.authToken = randomToken(bytes: 16)
            tokenWasGenerated = true
        } else {
            self.authToken = token
            tokenWasGenerated = false
        }
        self.maxUploadBytes = maxUploadBytes
    }

    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    public var loginRequired: Bool { authToken != nil }
}

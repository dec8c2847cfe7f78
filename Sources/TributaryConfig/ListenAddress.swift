import Foundation

/// Where a server listens (`web.listen`, `metrics.listen`): `host:port`, `[v6]:port`, or
/// `:port` for every interface. Port 0 picks a free port.
public struct ListenAddress: Sendable, Equatable {
    public var host: String
    public var port: Int
}

// Parsing is the public way to build one; the extension keeps the (internal) memberwise init.
extension ListenAddress {
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let colon = trimmed.lastIndex(of: ":"), let port = Int(trimmed[trimmed.index(after: colon)...]),
              (0...65_535).contains(port) else {
            throw ConfigError("expected host:port (e.g. 127.0.0.1:8080), [v6]:port or :port")
        }
        var host = String(trimmed[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.init(host: host.isEmpty ? "0.0.0.0" : host, port: port)
    }
}

extension TributaryConfig {
    /// The address of a `.listen` key; nil when it is empty (that server is off).
    public func listenAddress(_ name: String) -> ListenAddress? {
        let text = string(name)
        if text.trimmingCharacters(in: .whitespaces).isEmpty { return nil }
        return try? ListenAddress(parsing: text)
    }
}

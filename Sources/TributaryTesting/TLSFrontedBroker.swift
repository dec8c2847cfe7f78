import Foundation

/// A Tansu broker reachable only through TLS: `socat` (Debian, OpenSSL) terminates TLS
/// on its own port and forwards to Tansu's plaintext listener, and Tansu advertises the
/// TLS port, so every connection a client makes goes through TLS. Tansu 0.6's own
/// `--cert` leaves its listener plaintext (see ../shared/tools.md), so this is the real
/// TLS server of the tests, with throw-away ``TestCertificates``.
public final class TLSFrontedBroker: @unchecked Sendable {
    public let bootstrapServers: String
    public let caFile: String
    public let clientCertFile: String
    public let clientKeyFile: String
    public let untrustedCAFile: String
    private let broker: ManagedProcess
    private let tls: ManagedProcess

    public static var available: Bool { TestCertificates.available }

    /// - Parameter mutual: require a client certificate signed by the CA.
    public init(mutual: Bool = false) throws {
        let certificates = try TestCertificates()
        caFile = certificates.caFile
        untrustedCAFile = certificates.untrustedCAFile
        clientCertFile = certificates.clientCertFile
        clientKeyFile = certificates.clientKeyFile

        let plainPort = try freeLoopbackPort(), tlsPort = try freeLoopbackPort()
        broker = try ManagedProcess(
            TestEnvironment.nativeTool("tansu"),
            ["broker", "--listener-url", "tcp://127.0.0.1:\(plainPort)", "--advertised-listener-url", "tcp://127.0.0.1:\(tlsPort)",
             "--storage-engine", "memory://tansu/"],
            port: plainPort)
        tls = try certificates.tlsFront(port: tlsPort, target: plainPort, mutual: mutual)
        bootstrapServers = "127.0.0.1:\(tlsPort)"
    }

    public func stop() {
        tls.stop()
        broker.stop()
    }
}

import Foundation

/// A Tansu broker reachable only through TLS: `socat` (Debian, OpenSSL) terminates TLS
/// on its own port and forwards to Tansu's plaintext listener, and Tansu advertises the
/// TLS port, so every connection a client makes goes through TLS. Tansu 0.6's own
/// `--cert` leaves its listener plaintext (see ../shared/tools.md), so this is the real
/// TLS server of the tests. Throw-away certificates come from `openssl` in a private folder:
/// a CA, a server certificate for 127.0.0.1 it signed, a client certificate it signed
/// (mutual TLS), and a second, unrelated CA (an untrusted issuer).
public final class TLSFrontedBroker: @unchecked Sendable {
    public let bootstrapServers: String
    public let caFile: String
    public let clientCertFile: String
    public let clientKeyFile: String
    public let untrustedCAFile: String
    private let broker: ManagedProcess
    private let tls: ManagedProcess

    public static var available: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/socat")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")
    }

    /// - Parameter mutual: require a client certificate signed by the CA.
    public init(mutual: Bool = false) throws {
        let dir = try TestEnvironment.temporaryDirectory("kafka-tls")
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        func openssl(_ arguments: [String]) throws {
            try runProcess(URL(fileURLWithPath: "/usr/bin/openssl"), arguments)
        }
        func authority(_ name: String) throws {
            try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=\(name)",
                         "-keyout", path("\(name).key"), "-out", path("\(name).pem")])
        }
        func leaf(_ name: String, extensions: String) throws {
            try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(name)", "-keyout", path("\(name).key"),
                         "-out", path("\(name).csr")])
            try Data(extensions.utf8).write(to: URL(fileURLWithPath: path("\(name).ext")))
            try openssl(["x509", "-req", "-in", path("\(name).csr"), "-CA", path("test-ca.pem"), "-CAkey", path("test-ca.key"),
                         "-CAcreateserial", "-days", "2", "-extfile", path("\(name).ext"), "-out", path("\(name).pem")])
        }
        try authority("test-ca")
        try authority("untrusted-ca")
        try leaf("broker", extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
        try leaf("client", extensions: "extendedKeyUsage=clientAuth\n")
        caFile = path("test-ca.pem")
        untrustedCAFile = path("untrusted-ca.pem")
        clientCertFile = path("client.pem")
        clientKeyFile = path("client.key")

        let plainPort = try freeLoopbackPort(), tlsPort = try freeLoopbackPort()
        broker = try ManagedProcess(
            TestEnvironment.nativeTool("tansu"),
            ["broker", "--listener-url", "tcp://127.0.0.1:\(plainPort)", "--advertised-listener-url", "tcp://127.0.0.1:\(tlsPort)",
             "--storage-engine", "memory://tansu/"],
            port: plainPort)
        tls = try ManagedProcess(
            URL(fileURLWithPath: "/usr/bin/socat"),
            ["OPENSSL-LISTEN:\(tlsPort),bind=127.0.0.1,reuseaddr,fork,cert=\(path("broker.pem")),key=\(path("broker.key")),"
                + "cafile=\(caFile),verify=\(mutual ? 1 : 0)",
             "TCP:127.0.0.1:\(plainPort)"],
            port: tlsPort)
        bootstrapServers = "127.0.0.1:\(tlsPort)"
    }

    public func stop() {
        tls.stop()
        broker.stop()
    }
}

import Foundation

/// Throw-away TLS certificates from `openssl` in a private folder: a CA, a server
/// certificate for 127.0.0.1 it signed, a client certificate it signed (mutual TLS), and a
/// second, unrelated CA (an untrusted issuer). Used by the TLS fronts of the Kafka tests.
public struct TestCertificates: Sendable {
    public let caFile: String
    public let untrustedCAFile: String
    public let serverCertFile: String
    public let serverKeyFile: String
    public let clientCertFile: String
    public let clientKeyFile: String

    public init() throws {
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
        serverCertFile = path("broker.pem")
        serverKeyFile = path("broker.key")
        clientCertFile = path("client.pem")
        clientKeyFile = path("client.key")
    }

    public static var available: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/socat")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")
    }

    /// `socat` terminating TLS on `port` with the server certificate and forwarding each
    /// connection to `target` (plaintext); with `mutual`, clients must show a certificate
    /// the CA signed.
    public func tlsFront(port: Int, target: Int, mutual: Bool = false) throws -> ManagedProcess {
        try ManagedProcess(
            URL(fileURLWithPath: "/usr/bin/socat"),
            ["OPENSSL-LISTEN:\(port),bind=127.0.0.1,reuseaddr,fork,cert=\(serverCertFile),key=\(serverKeyFile),"
                + "cafile=\(caFile),verify=\(mutual ? 1 : 0)",
             "TCP:127.0.0.1:\(target)"],
            port: port)
    }
}

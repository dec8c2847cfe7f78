import Foundation
import TributaryTesting

/// A Tansu broker reachable only through a server that enforces SASL: `kafka/sasl_gateway.py`
/// (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 against salted credentials) in front of Tansu's
/// plaintext listener, and with `tls` socat's TLS in front of the gateway (SASL_SSL). Tansu
/// advertises the outermost port, so every connection a client makes authenticates.
/// Why a gateway: Tansu 0.6 with `--authentication` rejects every client, even its
/// ApiVersions request, and `tansu user create` stores no user (in memory or on S3); no
/// other Kafka broker installs here.
final class SASLGatewayBroker: @unchecked Sendable {
    static let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/TributaryCLITests/kafka/sasl_gateway.py").path

    let bootstrapServers: String
    /// The CA of the TLS front (nil without TLS).
    let caFile: String?
    private let processes: [ManagedProcess]

    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: TestEnvironment.python.path) && TestCertificates.available
    }

    /// - Parameter users: name → password, stored salted for every mechanism.
    init(users: [String: String], tls: Bool) throws {
        let usersFile = try TestEnvironment.temporaryDirectory("kafka-sasl").appendingPathComponent("users.json").path
        for (name, password) in users {
            _ = try runPython([Self.script, "add-user", usersFile, name, password])
        }
        let brokerPort = try freeLoopbackPort(), gatewayPort = try freeLoopbackPort()
        let tlsPort = tls ? try freeLoopbackPort() : nil
        let advertised = tlsPort ?? gatewayPort
        let broker = try ManagedProcess(
            TestEnvironment.nativeTool("tansu"),
            ["broker", "--listener-url", "tcp://127.0.0.1:\(brokerPort)", "--advertised-listener-url", "tcp://127.0.0.1:\(advertised)",
             "--storage-engine", "memory://tansu/"],
            port: brokerPort)
        let gateway = try ManagedProcess(
            TestEnvironment.python,
            [Self.script, "serve", "--listen", "\(gatewayPort)", "--upstream", "127.0.0.1:\(brokerPort)", "--users", usersFile],
            port: gatewayPort)
        if let tlsPort {
            let certificates = try TestCertificates()
            processes = [try certificates.tlsFront(port: tlsPort, target: gatewayPort), gateway, broker]
            caFile = certificates.caFile
        } else {
            processes = [gateway, broker]
            caFile = nil
        }
        bootstrapServers = "127.0.0.1:\(advertised)"
    }

    func stop() {
        for process in processes { process.stop() }
    }
}

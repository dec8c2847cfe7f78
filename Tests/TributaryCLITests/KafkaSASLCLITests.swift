import Foundation
import Testing
import TributaryTesting

/// `kafka.sasl.*` through the CLI against a server that enforces SASL: PLAIN, SCRAM-SHA-256
/// and SCRAM-SHA-512, with and without TLS, the password from `kafka.sasl.password_file` or
/// `TRIBUTARY_KAFKA_SASL_PASSWORD` and never in any output; a wrong password ends in one error
/// naming the broker and the authentication failure within the timeout.
///
/// The enforcing server is `kafka/sasl_gateway.py` in front of Tansu (`SASLGatewayBroker`),
/// with socat's TLS in front of it for SASL_SSL: Tansu 0.6 with `--authentication` rejects
/// every client and no other Kafka broker installs here.
@Suite(.ownThread, .enabled(if: SASLGatewayBroker.available, "needs python, socat and openssl (make setup)"))
struct KafkaSASLCLITests {
    static let user = "tributary-app"
    static let password = "Pa55-w0rd-4a8f9c"

    /// The gateway, its broker and TLS front started on a thread of their own (they wait for ports).
    func startBroker(tls: Bool) async throws -> SASLGatewayBroker {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try SASLGatewayBroker(users: [Self.user: Self.password], tls: tls) })
            }.start()
        }
    }

    /// How a command reaches the broker: protocol, mechanism, user and where the password comes from.
    struct Credentials {
        var arguments: [String]
        var environment: [String: String]

        init(broker: SASLGatewayBroker, mechanism: String, password: String, fromFile: Bool) throws {
            var settings = ["kafka.security.protocol": broker.caFile == nil ? "sasl_plaintext" : "sasl_ssl",
                            "kafka.sasl.mechanism": mechanism, "kafka.sasl.username": KafkaSASLCLITests.user]
            if let ca = broker.caFile { settings["kafka.tls.ca_file"] = ca }
            environment = ["TRIBUTARY_STATE_DIR": try TestEnvironment.temporaryDirectory("sasl-cli").path]
            if fromFile {
                let file = try TestEnvironment.temporaryDirectory("sasl-secret").appendingPathComponent("password")
                try Data("\(password)\n".utf8).write(to: file)  // as a mounted Secret often ends
                settings["kafka.sasl.password_file"] = file.path
            } else {
                environment["TRIBUTARY_KAFKA_SASL_PASSWORD"] = password
            }
            arguments = settings.sorted { $0.key < $1.key }.flatMap { ["--set", "\($0.key)=\($0.value)"] }
        }
    }

    /// `tributary ARGUMENTS` with the credentials, against `servers` (nil: a command without Kafka flags).
    func tributary(_ arguments: [String], _ credentials: Credentials, servers: String?, stdin: String? = nil)
        async throws -> (output: ProcessOutput, seconds: Double)
    {
        let started = Date()
        let kafka = servers.map { ["--bootstrap-servers", $0, "--timeout", "5"] } ?? []
        let output = try await runProcessAsync(
            CLI.binary, arguments + credentials.arguments + kafka,
            stdin: stdin.map { Data($0.utf8) }, environment: credentials.environment, check: false)
        return (output, Date().timeIntervalSince(started))
    }

    func expectNoPassword(_ output: ProcessOutput, _ password: String = Self.password) {
        let text = output.stdoutText + output.stderrText
        #expect(!text.contains(password), "the password leaked: \(text)")
    }

    @Test(arguments: [("plain", false), ("plain", true), ("scram-sha-256", false), ("scram-sha-256", true),
                      ("scram-sha-512", false), ("scram-sha-512", true)])
    func mechanismSetsUpListsProducesAndConsumes(mechanism: String, tls: Bool) async throws {
        let broker = try await startBroker(tls: tls)
        defer { broker.stop() }
        let servers = broker.bootstrapServers
        // The password comes from the file over TLS, from the environment without: both sources, every mechanism.
        let credentials = try Credentials(broker: broker, mechanism: mechanism, password: Self.password, fromFile: tls)

        let setup = try await tributary(["topics", "setup"], credentials, servers: servers)
        #expect(setup.output.status == 0, "\(setup.output.stderrText)")
        #expect(setup.output.stdoutText.contains("user_events\tcreated"), "\(setup.output.stdoutText)")
        let listed = try await tributary(["topics", "list"], credentials, servers: servers)
        #expect(listed.output.stdoutText.contains("user_events.dlq"), "\(listed.output.stderrText)")
        let event = #"{"event_id":"sasl-\#(mechanism)","user_id":"u1","event_type":"click","timestamp":"2026-12-03T10:00:00Z"}"#
        let produced = try await tributary(["produce", "user_events"], credentials, servers: servers, stdin: event + "\n")
        #expect(produced.output.status == 0, "\(produced.output.stderrText)")
        let consumed = try await tributary(
            ["consume", "user_events", "--from-beginning", "--max", "1", "--idle-exit", "20"], credentials, servers: servers)
        #expect(consumed.output.stdoutText.contains("sasl-\(mechanism)"), "\(consumed.output.stderrText)")
        let shown = try await tributary(["config", "show"], credentials, servers: nil)
        #expect(shown.output.status == 0, "\(shown.output.stderrText)")
        #expect(shown.output.stdoutText.contains("kafka.sasl"), "\(shown.output.stdoutText)")
        for output in [setup.output, listed.output, produced.output, consumed.output, shown.output] { expectNoPassword(output) }
    }

    /// One error line naming the broker and the authentication failure, within the 5 s timeout.
    @Test(arguments: [("plain", false), ("scram-sha-512", true)])
    func aWrongPasswordFailsClearlyWithinTheTimeout(mechanism: String, tls: Bool) async throws {
        let broker = try await startBroker(tls: tls)
        defer { broker.stop() }
        let servers = broker.bootstrapServers
        let wrong = "not-\(Self.password)"
        for fromFile in [false, true] {
            let credentials = try Credentials(broker: broker, mechanism: mechanism, password: wrong, fromFile: fromFile)
            let event = #"{"event_id":"never-sent","user_id":"u1","event_type":"click","timestamp":"2026-12-03T10:00:00Z"}"#
            for command in [["topics", "list"], ["produce", "user_events"], ["consume", "user_events", "--from-beginning", "--max", "1"]] {
                let result = try await tributary(command, credentials, servers: servers, stdin: event + "\n")
                let text = result.output.stderrText
                #expect(result.output.status != 0, "\(command): \(text)")
                #expect(text.contains(servers), "\(command): \(text)")
                #expect(text.lowercased().contains("authentication"), "\(command): \(text)")
                #expect(text.components(separatedBy: "no Kafka broker").count == 2, "one error, not a stream: \(text)")
                // 5 s of timeout, plus starting the debug binary on a loaded machine.
                #expect(result.seconds < 20, "\(command) took \(result.seconds) s")
                expectNoPassword(result.output, wrong)
            }
        }
    }
}

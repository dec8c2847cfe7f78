import Foundation
import Testing
import TributaryTesting

/// `kafka.security.protocol` and `kafka.tls.*` through the CLI against a broker that only
/// speaks TLS (Tansu behind socat; see `TLSFrontedBroker`): server verification with a
/// CA file, mutual TLS, and the failures — a plaintext client, an untrusted certificate,
/// a missing client certificate — each one error naming the broker and the cause, within
/// the timeout.
@Suite(.ownThread, .enabled(if: TLSFrontedBroker.available, "needs socat and openssl (make setup)"))
struct KafkaTLSCLITests {
    func tributary(_ arguments: [String], servers: String) async throws -> (output: ProcessOutput, seconds: Double) {
        let started = Date()
        let output = try await runProcessAsync(
            CLI.binary, arguments + ["--bootstrap-servers", servers, "--timeout", "5"],
            environment: ["TRIBUTARY_STATE_DIR": try TestEnvironment.temporaryDirectory("tls-cli").path], check: false)
        return (output, Date().timeIntervalSince(started))
    }

    /// The failure is one error line naming the broker, with `cause`, within the timeout.
    func expectOneClearError(_ result: (output: ProcessOutput, seconds: Double), servers: String, cause: String) {
        let text = result.output.stderrText
        #expect(result.output.status != 0)
        #expect(text.contains(servers), "\(text)")
        #expect(text.contains(cause), "\(text)")
        #expect(text.components(separatedBy: "no Kafka broker").count == 2, "one error, not a stream: \(text)")
        // 5 s of timeout, plus starting the debug binary on a loaded machine.
        #expect(result.seconds < 20, "took \(result.seconds) s")
    }

    @Test func tlsWithACAFileWorksAndPlaintextOrAnUntrustedIssuerFailClearly() async throws {
        let broker = try TLSFrontedBroker()
        defer { broker.stop() }
        let servers = broker.bootstrapServers
        let tls = ["--set", "kafka.security.protocol=ssl", "--set", "kafka.tls.ca_file=\(broker.caFile)"]
        let setup = try await tributary(["topics", "setup"] + tls, servers: servers)
        #expect(setup.output.status == 0, "\(setup.output.stderrText)")
        #expect(setup.output.stdoutText.contains("user_events\tcreated"))
        let listed = try await tributary(["topics", "list"] + tls, servers: servers)
        #expect(listed.output.stdoutText.contains("user_events.dlq"), "\(listed.output.stderrText)")

        expectOneClearError(try await tributary(["topics", "list"], servers: servers), servers: servers,
                            cause: "set kafka.security.protocol")
        expectOneClearError(
            try await tributary(["topics", "list", "--set", "kafka.security.protocol=ssl", "--set", "kafka.tls.ca_file=\(broker.untrustedCAFile)"],
                          servers: servers),
            servers: servers, cause: "certificate verify failed")
    }

    @Test func mutualTLSNeedsTheClientCertificate() async throws {
        let broker = try TLSFrontedBroker(mutual: true)
        defer { broker.stop() }
        let servers = broker.bootstrapServers
        let tls = ["--set", "kafka.security.protocol=ssl", "--set", "kafka.tls.ca_file=\(broker.caFile)"]
        let withCertificate = try await tributary(
            ["topics", "list"] + tls + ["--set", "kafka.tls.cert_file=\(broker.clientCertFile)", "--set", "kafka.tls.key_file=\(broker.clientKeyFile)"],
            servers: servers)
        #expect(withCertificate.output.status == 0, "\(withCertificate.output.stderrText)")
        let without = try await tributary(["topics", "list"] + tls, servers: servers)
        #expect(without.output.status != 0)
        #expect(without.output.stderrText.contains(servers) && without.output.stderrText.contains("kafka.tls"),
                "\(without.output.stderrText)")
    }
}

import Foundation
import Testing
import TributaryTesting
@testable import TributaryConfig

/// `kafka.security.protocol`, `kafka.sasl.*`, `kafka.tls.*` → librdkafka properties.
@Suite struct KafkaSecurityConfigTests {
    func file(_ text: String) throws -> String {
        let url = try TestEnvironment.temporaryDirectory("kafka-security").appendingPathComponent("f")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func saslOverTLSWithAPasswordFileAndMutualTLS() throws {
        let ca = try file("ca"), cert = try file("cert"), key = try file("key"), password = try file("s3cret\n")
        let config = try TributaryConfig.load(environment: [
            "TRIBUTARY_KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "TRIBUTARY_KAFKA_SASL_MECHANISM": "SCRAM-SHA-256",
            "TRIBUTARY_KAFKA_SASL_USERNAME": "alice", "TRIBUTARY_KAFKA_SASL_PASSWORD_FILE": password,
        ], overrides: ["kafka.tls.ca_file": ca, "kafka.tls.cert_file": cert, "kafka.tls.key_file": key,
                       "kafka.properties.client.id": "mine"])
        #expect(config.kafkaProperties == [
            "security.protocol": "SASL_SSL", "sasl.mechanisms": "SCRAM-SHA-256", "sasl.username": "alice",
            "sasl.password": "s3cret", "ssl.ca.location": ca, "ssl.certificate.location": cert, "ssl.key.location": key,
            "ssl.endpoint.identification.algorithm": "https", "client.id": "mine",
        ])
        #expect(!config.render().contains("s3cret"))
    }

    @Test func plaintextByDefaultAndPassthroughStillWorks() throws {
        #expect(try TributaryConfig.load(environment: [:]).kafkaProperties == [:])
        let passthrough = try TributaryConfig.load(environment: [:], overrides: ["kafka.properties.security.protocol": "SSL"])
        #expect(passthrough.kafkaProperties == ["security.protocol": "SSL"])
        let tls = try TributaryConfig.load(environment: [:], overrides: ["kafka.security.protocol": "ssl", "kafka.tls.verify_hostname": "false"])
        #expect(tls.kafkaProperties == ["security.protocol": "SSL", "ssl.endpoint.identification.algorithm": "none"])
    }

    @Test func halfConfiguredSecurityFailsAtLoadNamingTheKeys() throws {
        let cases: [([String: String], String)] = [
            (["kafka.tls.ca_file": "/x"], "kafka.tls.ca_file"),
            (["kafka.security.protocol": "ssl", "kafka.tls.ca_file": "/nonexistent/ca.pem"], "cannot read /nonexistent/ca.pem"),
            (["kafka.security.protocol": "sasl_ssl"], "kafka.sasl.username"),
            (["kafka.security.protocol": "sasl_plaintext", "kafka.sasl.username": "a"], "needs a password"),
            (["kafka.security.protocol": "sasl_plaintext", "kafka.sasl.username": "a", "kafka.sasl.password_file": "/nonexistent"], "cannot read /nonexistent"),
            (["kafka.security.protocol": "ssl", "kafka.sasl.username": "a"], "uses no SASL"),
            (["kafka.security.protocol": "ssl", "kafka.properties.security.protocol": "PLAINTEXT"], "contradicts"),
            (["kafka.security.protocol": "tls"], "expected one of"),
        ]
        for (overrides, expected) in cases {
            #expect(throws: ConfigError.self, "\(overrides)") { try TributaryConfig.load(environment: [:], overrides: overrides) }
            do {
                _ = try TributaryConfig.load(environment: [:], overrides: overrides)
            } catch {
                #expect("\(error)".contains(expected), "\(overrides): \(error)")
            }
        }
    }
}

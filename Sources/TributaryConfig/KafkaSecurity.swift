import Foundation

/// `kafka.security.protocol`, `kafka.sasl.*` and `kafka.tls.*` as librdkafka properties,
/// checked together: a half-configured security setting fails at start with the keys
/// named, not later as a connection that hangs or silently goes out in plain text.
extension TributaryConfig {
    func resolveKafkaSecurity() throws -> [String: String] {
        func origin(_ name: String) -> String { "\(name) (\(entries[name]?.source ?? .defaultValue))" }
        // Empty counts as unset: manifests pass every variable, some empty (an optional Secret key).
        func isSet(_ name: String) -> Bool { entries[name].map { $0.source != .defaultValue && !$0.value.isEmpty } ?? false }
        let securityProtocol = string("kafka.security.protocol").lowercased()
        let usesTLS = securityProtocol == "ssl" || securityProtocol == "sasl_ssl"
        let usesSASL = securityProtocol.hasPrefix("sasl_")
        let tlsKeys = ["kafka.tls.ca_file", "kafka.tls.cert_file", "kafka.tls.key_file", "kafka.tls.key_password", "kafka.tls.verify_hostname"]
        let saslKeys = ["kafka.sasl.mechanism", "kafka.sasl.username", "kafka.sasl.password", "kafka.sasl.password_file"]
        if !usesTLS, let stray = tlsKeys.first(where: isSet) {
            throw ConfigError("\(origin(stray)) is set but \(origin("kafka.security.protocol")) uses no TLS (ssl or sasl_ssl)")
        }
        if !usesSASL, let stray = saslKeys.first(where: isSet) {
            throw ConfigError("\(origin(stray)) is set but \(origin("kafka.security.protocol")) uses no SASL (sasl_plaintext or sasl_ssl)")
        }
        guard isSet("kafka.security.protocol") else { return [:] }

        var properties = ["security.protocol": securityProtocol.uppercased()]
        if usesTLS {
            for (key, property) in [("kafka.tls.ca_file", "ssl.ca.location"), ("kafka.tls.cert_file", "ssl.certificate.location"),
                                    ("kafka.tls.key_file", "ssl.key.location")] where !string(key).isEmpty {
                guard FileManager.default.isReadableFile(atPath: string(key)) else {
                    throw ConfigError("\(origin(key)): cannot read \(string(key))")
                }
                properties[property] = string(key)
            }
            if string("kafka.tls.cert_file").isEmpty != string("kafka.tls.key_file").isEmpty {
                throw ConfigError("\(origin("kafka.tls.cert_file")) and \(origin("kafka.tls.key_file")) go together (mutual TLS)")
            }
            if !string("kafka.tls.key_password").isEmpty { properties["ssl.key.password"] = string("kafka.tls.key_password") }
            properties["ssl.endpoint.identification.algorithm"] = bool("kafka.tls.verify_hostname") ? "https" : "none"
        }
        if usesSASL {
            let mechanism = string("kafka.sasl.mechanism").uppercased()
            let username = string("kafka.sasl.username")
            guard !username.isEmpty else {
                throw ConfigError("\(origin("kafka.security.protocol")) needs kafka.sasl.username (and a password)")
            }
            let inline = string("kafka.sasl.password"), file = string("kafka.sasl.password_file")
            if !inline.isEmpty && !file.isEmpty {
                throw ConfigError("\(origin("kafka.sasl.password")) and \(origin("kafka.sasl.password_file")) are both set; use one")
            }
            var password = inline
            if !file.isEmpty {
                do {
                    password = try String(contentsOfFile: file, encoding: .utf8)
                    while password.hasSuffix("\n") || password.hasSuffix("\r") { password.removeLast() }
                } catch {
                    throw ConfigError("\(origin("kafka.sasl.password_file")): cannot read \(file)")
                }
            }
            guard !password.isEmpty else {
                throw ConfigError("\(origin("kafka.security.protocol")) needs a password: kafka.sasl.password, TRIBUTARY_KAFKA_SASL_PASSWORD or kafka.sasl.password_file")
            }
            properties["sasl.mechanisms"] = mechanism
            properties["sasl.username"] = username
            properties["sasl.password"] = password
        }
        // The same librdkafka property set both ways would leave one of them silently ignored.
        for (property, value) in properties.sorted(by: { $0.key < $1.key }) {
            if let passed = passthroughKafkaProperties[property], passed != value {
                throw ConfigError("kafka.properties.\(property) = '\(property.contains("password") ? "********" : passed)' contradicts the kafka.security/sasl/tls keys; remove it")
            }
        }
        return properties
    }
}

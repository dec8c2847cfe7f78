import ArgumentParser
import Foundation
import KafkaClient
import TributaryConfig

/// `--config` and `--set key=value`: the configuration every command loads
/// (defaults < tributary.toml < TRIBUTARY_* environment < flags).
struct ConfigOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp(
        "The configuration file (default: ./tributary.toml if present, or $TRIBUTARY_CONFIG).", valueName: "file"))
    var configFile: String?

    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Override a configuration key, e.g. --set processing.interval=5s (repeatable; see `tributary config show`).",
        valueName: "key=value"))
    var settings: [String] = []

    func load(extra: [String: String] = [:]) throws -> TributaryConfig {
        var overrides: [String: String] = [:]
        for item in settings {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw ValidationError("--set expects key=value, got '\(item)'")
            }
            overrides[String(item[..<eq])] = String(item[item.index(after: eq)...])
        }
        overrides.merge(extra) { $1 }
        return try TributaryConfig.load(file: configFile, overrides: overrides)
    }
}

/// How a command reaches Kafka: `--bootstrap-servers` > `TRIBUTARY_KAFKA_BOOTSTRAP_SERVERS`
/// > `kafka.bootstrap_servers` in the file > the embedded broker of a running `tributary up`
/// (found in the state folder's `broker` file).
struct KafkaOptions: ParsableArguments {
    @OptionGroup var config: ConfigOptions

    @Option(name: .customLong("bootstrap-servers"), help: ArgumentHelp(
        "Kafka bootstrap servers (host:port,...). Default: kafka.bootstrap_servers, else the embedded broker of a running `tributary up`.",
        valueName: "servers"))
    var bootstrapServers: String?

    @Option(name: .customShort("X"), help: ArgumentHelp(
        "A librdkafka property passed through, e.g. -X security.protocol=SASL_SSL (repeatable).", valueName: "key=value"))
    var properties: [String] = []

    @Option(help: "Seconds to wait for the cluster before failing.")
    var timeout: Double = 10

    /// The loaded configuration with these flags applied.
    func loadConfig() throws -> TributaryConfig {
        var extra: [String: String] = [:]
        if let bootstrapServers { extra["kafka.bootstrap_servers"] = bootstrapServers }
        for item in properties {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw ValidationError("-X expects key=value, got '\(item)'")
            }
            extra[ConfigKey.kafkaPropertiesPrefix + String(item[..<eq])] = String(item[item.index(after: eq)...])
        }
        return try config.load(extra: extra)
    }

    /// The configuration for a one-shot command: configured servers, or the embedded
    /// broker that `tributary up` / `tributary broker` advertises in its state file.
    func configuration() throws -> KafkaConfiguration {
        try configuration(try loadConfig())
    }

    /// ``configuration()`` once a metadata request reached the cluster. A producer only
    /// queues and retries, so a wrong password or an untrusted certificate would wait out
    /// its flush; a one-shot command that sends checks first and fails within --timeout with
    /// one error naming the broker and the cause.
    func reachableConfiguration() async throws -> KafkaConfiguration {
        let configuration = try configuration()
        _ = try await KafkaAdmin(configuration: configuration).metadata()
        return configuration
    }

    /// The same, from a configuration the command loaded already (`loadConfig()`).
    func configuration(_ loaded: TributaryConfig) throws -> KafkaConfiguration {
        let servers: String
        var embedded = false
        if let configured = loaded.bootstrapServers {
            servers = configured
        } else if let running = StateFolder(loaded).brokerAddress() {
            servers = running
            embedded = true
        } else {
            throw ValidationError("""
                no Kafka cluster configured and no embedded broker running.
                Start the stack with `tributary up` (or `tributary broker`), or pass --bootstrap-servers / set TRIBUTARY_KAFKA_BOOTSTRAP_SERVERS.
                """)
        }
        let configuration = KafkaConfiguration(
            bootstrapServers: servers, properties: loaded.kafkaProperties,
            operationTimeout: .milliseconds(Int64(timeout * 1000)))
        return embedded ? EmbeddedKafka.tuned(configuration) : configuration
    }
}

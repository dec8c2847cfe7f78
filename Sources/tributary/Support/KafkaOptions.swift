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
/// > `kafka.bootstrap_servers` in the file > the embedded broker of a running `tributary up`.
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

    /// The same, from a configuration the command loaded already (`loadConfig()`).
    func configuration(_ loaded: TributaryConfig) throws -> KafkaConfiguration {
        let servers: String
        if let configured = loaded.bootstrapServers {
            servers = configured
        } else if let running = EmbeddedBrokerState.read() {
            servers = running
        } else {
            throw ValidationError("""
                no Kafka cluster configured and no embedded broker running.
                Start the stack with `tributary up` (or `tributary broker`), or pass --bootstrap-servers / set TRIBUTARY_KAFKA_BOOTSTRAP_SERVERS.
                """)
        }
        return KafkaConfiguration(
            bootstrapServers: servers, properties: loaded.kafkaProperties,
            operationTimeout: .milliseconds(Int64(timeout * 1000)))
    }
}

/// Where a running embedded broker advertises its address: `.tributary/broker` under
/// `$TRIBUTARY_STATE_DIR` (default: the current directory), holding `host:port pid`.
enum EmbeddedBrokerState {
    static var directory: URL {
        let base = ProcessInfo.processInfo.environment["TRIBUTARY_STATE_DIR"] ?? FileManager.default.currentDirectoryPath
        return URL(fileURLWithPath: base).appendingPathComponent(".tributary")
    }
    static var file: URL { directory.appendingPathComponent("broker") }

    static func write(_ bootstrap: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "\(bootstrap) \(ProcessInfo.processInfo.processIdentifier)\n".write(to: file, atomically: true, encoding: .utf8)
    }

    /// The advertised address when the process that wrote it is still alive.
    static func read() -> String? {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return nil }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count == 2, let pid = Int32(parts[1]), kill(pid, 0) == 0 else { return nil }
        return String(parts[0])
    }

    static func remove() { try? FileManager.default.removeItem(at: file) }
}

import ArgumentParser
import Foundation
import KafkaClient

/// How a command reaches Kafka: `--bootstrap-servers` > `TRIBUTARY_KAFKA_BOOTSTRAP_SERVERS`
/// > the embedded broker of a running `tributary up` (found through its state file).
struct KafkaOptions: ParsableArguments {
    @Option(name: .customLong("bootstrap-servers"), help: ArgumentHelp(
        "Kafka bootstrap servers (host:port,...). Default: $TRIBUTARY_KAFKA_BOOTSTRAP_SERVERS, else the embedded broker of a running `tributary up`.",
        valueName: "servers"))
    var bootstrapServers: String?

    @Option(name: .customShort("X"), help: ArgumentHelp(
        "A librdkafka property passed through, e.g. -X security.protocol=SASL_SSL (repeatable).", valueName: "key=value"))
    var properties: [String] = []

    @Option(help: "Seconds to wait for the cluster before failing.")
    var timeout: Double = 10

    /// The configured bootstrap servers, nil when none (then an embedded broker is used).
    var configuredBootstrapServers: String? {
        if let bootstrapServers, !bootstrapServers.isEmpty { return bootstrapServers }
        if let env = ProcessInfo.processInfo.environment["TRIBUTARY_KAFKA_BOOTSTRAP_SERVERS"], !env.isEmpty { return env }
        return nil
    }

    func librdkafkaProperties() throws -> [String: String] {
        var result: [String: String] = [:]
        for item in properties {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw ValidationError("-X expects key=value, got '\(item)'")
            }
            result[String(item[..<eq])] = String(item[item.index(after: eq)...])
        }
        return result
    }

    /// The configuration for a one-shot command: configured servers, or the embedded
    /// broker that `tributary up` / `tributary broker` advertises in its state file.
    func configuration() throws -> KafkaConfiguration {
        let servers: String
        if let configured = configuredBootstrapServers {
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
            bootstrapServers: servers, properties: try librdkafkaProperties(),
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

import Foundation
import TributaryCore

/// A configuration error that says where the bad value came from and what is expected.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Tributary's effective configuration: defaults < `tributary.toml` < `TRIBUTARY_*`
/// environment variables < command-line flags, each value validated when loaded.
public struct TributaryConfig: Sendable {
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        case defaultValue, file(String), environment(String), flag
        public var description: String {
            switch self {
            case .defaultValue: "default"
            case .file(let path): "file \(path)"
            case .environment(let name): "env \(name)"
            case .flag: "flag"
            }
        }
    }

    public struct Entry: Sendable, Equatable {
        public var value: String
        public var source: Source
    }

    public private(set) var entries: [String: Entry] = [:]
    /// The TOML file read, if any (its `[streams.*]` sections define the streams).
    public private(set) var file: String?
    /// librdkafka properties of `kafka.security.protocol`, `kafka.sasl.*`, `kafka.tls.*`
    /// (password files read), resolved when loaded.
    public private(set) var kafkaSecurityProperties: [String: String] = [:]

    /// Loads the configuration.
    /// - Parameters:
    ///   - file: a TOML file; nil: `tributary.toml` in the current directory if present
    ///     (or `$TRIBUTARY_CONFIG`). A file named explicitly must exist.
    ///   - environment: the process environment.
    ///   - overrides: `key → value` from flags (highest precedence).
    public static func load(
        file: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        overrides: [String: String] = [:]
    ) throws -> TributaryConfig {
        var config = TributaryConfig()
        if ConfigKey.all.isEmpty {
            _ = try ConfigKey.loadCatalog()  // says why the catalog could not be read
            throw ConfigError("the configuration key catalog (keys.json) lists no keys")
        }
        for key in ConfigKey.all { config.entries[key.name] = Entry(value: key.defaultValue, source: .defaultValue) }

        let explicit = file ?? environment["TRIBUTARY_CONFIG"]
        let path = explicit ?? "tributary.toml"
        if FileManager.default.fileExists(atPath: path) {
            try config.apply(tomlFile: path)
            config.file = path
        } else if let explicit {
            throw ConfigError("configuration file \(explicit) does not exist")
        }
        for key in ConfigKey.all {
            if let value = environment[key.environmentVariable] {
                try config.set(key.name, value, source: .environment(key.environmentVariable))
            }
        }
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) {
            try config.set(name, value, source: .flag)
        }
        try config.checkCombinations()
        config.kafkaSecurityProperties = try config.resolveKafkaSecurity()
        return config
    }

    /// The top-level table of stream definitions.
    public static let streamsSection = "streams"

    mutating func apply(tomlFile path: String) throws {
        try flatten(TOMLDocument(path: path).root, prefix: "", path: path)
    }

    private mutating func flatten(_ entries: [(String, JSONValue)], prefix: String, path: String) throws {
        for (key, value) in entries {
            // `[streams.NAME]` sections are stream definitions, read and checked by the
            // Pipeline's StreamCatalog (`tributary streams check`), not configuration keys.
            if prefix.isEmpty && key == Self.streamsSection { continue }
            let name = prefix + key
            let text: String
            switch value {
            case .object(let sub):
                try flatten(sub, prefix: name + ".", path: path)
                continue
            case .string(let s): text = s
            case .int(let i): text = String(i)
            case .bool(let b): text = String(b)
            case .double(let d): text = String(d)
            case .array: throw ConfigError("\(path): '\(name)' has an unsupported value type (array)")
            case .null: throw ConfigError("\(path): '\(name)' has no value")
            }
            try set(name, text, source: .file(path))
        }
    }

    /// Sets a key after validating its value; unknown keys are errors with a suggestion.
    public mutating func set(_ name: String, _ value: String, source: Source) throws {
        if name.hasPrefix(ConfigKey.kafkaPropertiesPrefix), name.count > ConfigKey.kafkaPropertiesPrefix.count {
            entries[name] = Entry(value: value, source: source)
            return
        }
        guard let key = ConfigKey.named(name) else {
            let hint = Self.closestKey(to: name).map { " (did you mean '\($0)'?)" } ?? ""
            throw ConfigError("\(source): unknown configuration key '\(name)'\(hint)")
        }
        do {
            try Self.validate(value, key.kind)
        } catch let error as ConfigError {
            throw ConfigError("\(source): \(name) = '\(value)': \(error.description)")
        }
        entries[name] = Entry(value: value, source: source)
    }

    static func validate(_ value: String, _ kind: ConfigKey.Kind) throws {
        switch kind {
        case .string, .secret: return
        case .int(let range):
            guard let n = Int(value), range.contains(n) else {
                throw ConfigError("expected an integer in \(range.lowerBound)…\(range.upperBound)")
            }
        case .bool:
            guard ["true", "false"].contains(value.lowercased()) else { throw ConfigError("expected true or false") }
        case .duration: _ = try parseDuration(value)
        case .bytes: _ = try parseBytes(value)
        case .choice(let words):
            guard words.contains(value.lowercased()) else { throw ConfigError("expected one of \(words.joined(separator: ", "))") }
        case .httpURL:
            guard value.isEmpty || {
                guard let url = URL(string: value), let scheme = url.scheme?.lowercased() else { return false }
                return ["http", "https"].contains(scheme) && !(url.host ?? "").isEmpty
            }() else { throw ConfigError("expected an http:// or https:// URL") }
        case .listen(let optional):
            if optional && value.trimmingCharacters(in: .whitespaces).isEmpty { return }
            _ = try ListenAddress(parsing: value)
        case .namespace:
            let levels = value.split(separator: ".", omittingEmptySubsequences: false)
            guard !value.isEmpty, levels.allSatisfy({ level in
                !level.isEmpty && level.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
            }) else { throw ConfigError("expected dot-separated names of letters, digits, _ and -, e.g. tributary or lake.events") }
        }
    }

    /// Rules between keys, checked once everything is loaded (the message names where
    /// each value came from).
    func checkCombinations() throws {
        func origin(_ name: String) -> String { "\(name) (\(entries[name]?.source ?? .defaultValue))" }
        let credential = string("catalog.credential")
        if !credential.isEmpty {
            let parts = credential.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ConfigError("\(origin("catalog.credential")): expected CLIENT_ID:SECRET")
            }
        }
        if !credential.isEmpty && !string("catalog.token").isEmpty {
            throw ConfigError("\(origin("catalog.credential")) and \(origin("catalog.token")) are both set; use one")
        }
        if duration("catalog.sync_interval") < .milliseconds(100) {
            throw ConfigError("\(origin("catalog.sync_interval")): must be at least 100ms")
        }
    }

    static func closestKey(to name: String) -> String? {
        func distance(_ a: String, _ b: String) -> Int {
            let a = Array(a), b = Array(b)
            var row = Array(0...b.count)
            for i in 1...max(a.count, 1) where i <= a.count {
                var previous = row[0]
                row[0] = i
                for j in 1...max(b.count, 1) where j <= b.count {
                    let current = row[j]
                    row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                    previous = current
                }
            }
            return row[b.count]
        }
        let best = ConfigKey.all.map { ($0.name, distance($0.name, name)) }.min { $0.1 < $1.1 }
        return best.flatMap { $0.1 <= max(3, name.count / 3) ? $0.0 : nil }
    }

    // MARK: Typed access (values were validated when set).

    public func string(_ name: String) -> String { entries[name]?.value ?? "" }
    public func int(_ name: String) -> Int { Int(string(name)) ?? 0 }
    public func bool(_ name: String) -> Bool { string(name).lowercased() == "true" }
    public func duration(_ name: String) -> Duration { (try? Self.parseDuration(string(name))) ?? .zero }
    public func bytes(_ name: String) -> Int64 { (try? Self.parseBytes(string(name))) ?? 0 }

    /// librdkafka properties: `[kafka.properties]` and `-X` flags, plus those of the
    /// security keys (a conflict between the two was refused when loading).
    public var kafkaProperties: [String: String] {
        passthroughKafkaProperties.merging(kafkaSecurityProperties) { _, security in security }
    }

    /// `[kafka.properties]` and `-X` flags only.
    var passthroughKafkaProperties: [String: String] {
        var result: [String: String] = [:]
        for (name, entry) in entries where name.hasPrefix(ConfigKey.kafkaPropertiesPrefix) {
            result[String(name.dropFirst(ConfigKey.kafkaPropertiesPrefix.count))] = entry.value
        }
        return result
    }

    /// nil when empty (then the embedded broker is used).
    public var bootstrapServers: String? {
        let s = string("kafka.bootstrap_servers")
        return s.isEmpty ? nil : s
    }

    /// The Iceberg REST catalog to publish to; nil when `catalog.uri` is empty (no sync).
    public var catalogURI: String? {
        let s = string("catalog.uri")
        return s.isEmpty ? nil : s
    }

    /// `catalog.namespace` split into its levels.
    public var catalogNamespace: [String] {
        string("catalog.namespace").split(separator: ".").map(String.init)
    }

    /// `key = value  # source` lines, secrets masked.
    public func render() -> String {
        entries.keys.sorted().map { name in
            let entry = entries[name] ?? Entry(value: "", source: .defaultValue)
            let secret = ConfigKey.named(name)?.kind == .secret
                || name.contains("password") || name.contains("secret") || name.hasSuffix("sasl.oauthbearer.config")
            let shown = secret && !entry.value.isEmpty ? "********" : entry.value
            return "\(name) = \(quoted(shown))  # \(entry.source)"
        }.joined(separator: "\n")
    }

    private func quoted(_ s: String) -> String {
        if Int(s) != nil || s == "true" || s == "false" { return s }
        return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    // MARK: Value syntax.

    /// `10s`, `500ms`, `2m`, `1h`, `7d`, `250us`; a bare number is seconds.
    public static func parseDuration(_ text: String) throws -> Duration {
        let t = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("us", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            if let n = Double(t.dropLast(suffix.count)), n >= 0, n.isFinite {
                return .microseconds(Int64((n * factor * 1e6).rounded()))
            }
        }
        if let n = Double(t), n >= 0, n.isFinite { return .microseconds(Int64((n * 1e6).rounded())) }
        throw ConfigError("expected a duration like 10s, 500ms, 2m, 1h or 7d")
    }

    /// `100MiB`, `64KiB`, `1GiB`, `120MB`, `1048576` (bytes).
    public static func parseBytes(_ text: String) throws -> Int64 {
        let t = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [
            ("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("KB", 1000), ("MB", 1e6), ("GB", 1e9), ("B", 1),
        ]
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            if let n = Double(t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), n >= 0, n.isFinite {
                return Int64(n * factor)
            }
        }
        if let n = Int64(t), n >= 0 { return n }
        throw ConfigError("expected a size like 100MiB, 64KiB or a number of bytes")
    }
}

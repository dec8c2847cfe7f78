import Foundation

/// One configuration key: its name (`section.key`), kind, default and help.
public struct ConfigKey: Sendable, Decodable {
    public enum Kind: Sendable, Equatable {
        case string
        /// Masked in `config show`.
        case secret
        case int(ClosedRange<Int>)
        case bool
        /// `10s`, `500ms`, `2m`, `1h`, `7d`.
        case duration
        /// `100MiB`, `64KB`, `1048576`.
        case bytes
        /// One of the listed words (compared case-insensitively).
        case choice([String])
        /// Empty, or an `http://` / `https://` URL with a host.
        case httpURL
        /// A listen address (`host:port`, `[v6]:port`, `:port`); `optional`: empty turns the server off.
        case listen(optional: Bool)
        /// Dot-separated names (`tributary`, `lake.events`) of letters, digits, `_` and `-`.
        case namespace
    }

    public var name: String
    public var kind: Kind
    public var defaultValue: String
    public var help: String

    /// A catalog entry: `{"name", "kind", "default", "help"}`, plus `min`/`max` for `int`,
    /// `choices` for `choice` and `optional` for `listen`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        defaultValue = try c.decode(String.self, forKey: .defaultValue)
        help = try c.decode(String.self, forKey: .help)
        switch try c.decode(String.self, forKey: .kind) {
        case "string": kind = .string
        case "secret": kind = .secret
        case "int":
            let (min, max) = (try c.decode(Int.self, forKey: .min), try c.decode(Int.self, forKey: .max))
            guard min <= max else {
                throw DecodingError.dataCorruptedError(forKey: .max, in: c, debugDescription: "key \(name): max below min")
            }
            kind = .int(min...max)
        case "bool": kind = .bool
        case "duration": kind = .duration
        case "bytes": kind = .bytes
        case "choice": kind = .choice(try c.decode([String].self, forKey: .choices))
        case "http_url": kind = .httpURL
        case "listen": kind = .listen(optional: try c.decode(Bool.self, forKey: .optional))
        case "namespace": kind = .namespace
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown kind '\(other)' of key \(name)")
        }
    }

    private enum CodingKeys: String, CodingKey {
        case name, kind, help, min, max, choices, optional
        case defaultValue = "default"
    }

    /// The environment variable that overrides this key: `TRIBUTARY_` + upper-case name,
    /// dots as underscores.
    public var environmentVariable: String {
        "TRIBUTARY_" + name.uppercased().replacingOccurrences(of: ".", with: "_")
    }
}

extension ConfigKey {
    /// Every key Tributary reads (architecture.md, "Configuration"): the catalog file
    /// `Resources/keys.json`, read once. Empty when the resource bundle is missing, which
    /// `TributaryConfig.load` refuses (see ``loadCatalog()``).
    public static let all: [ConfigKey] = (try? loadCatalog()) ?? []

    /// Reads the key catalog from this module's resource bundle.
    public static func loadCatalog() throws -> [ConfigKey] {
        guard let url = Bundle.module.url(forResource: "keys", withExtension: "json") else {
            throw ConfigError("the configuration key catalog (keys.json) is missing from the TributaryConfig resource bundle next to the binary")
        }
        return try JSONDecoder().decode([ConfigKey].self, from: Data(contentsOf: url))
    }

    public static func named(_ name: String) -> ConfigKey? { all.first { $0.name == name } }

    /// librdkafka properties passed through: `[kafka.properties]` in the file, `-X` flags.
    public static let kafkaPropertiesPrefix = "kafka.properties."
}

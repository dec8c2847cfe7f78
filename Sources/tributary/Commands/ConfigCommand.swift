import ArgumentParser
import TributaryConfig

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Show the effective configuration and the keys.",
        subcommands: [Show.self, Keys.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the effective configuration (secrets masked) with where each value came from.")
        @OptionGroup var config: ConfigOptions
        func run() async throws { print(try config.load().render()) }
    }

    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every key with its default and environment variable.")
        func run() async throws {
            for key in ConfigKey.all {
                print("\(key.name)\t\(key.defaultValue.isEmpty ? "(empty)" : key.defaultValue)\t\(key.environmentVariable)\t\(key.help)")
            }
            print("kafka.properties.*\t\t-X key=value\tlibrdkafka properties passed through (security.protocol, sasl.*, ssl.*)")
        }
    }
}

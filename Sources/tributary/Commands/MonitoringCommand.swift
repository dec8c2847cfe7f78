import ArgumentParser
import Monitoring
import MonitoringCore
import TributaryConfig

struct MonitoringCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitoring", abstract: "The alert rules and metric names Tributary ships.",
        subcommands: [Rules.self, Metrics.self])

    struct Rules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the Prometheus alert rules (deploy/prometheus/alerts.yml).")
        @Option(name: .customLong("for"), help: "Replace every rule's `for` (e.g. 0s for tests).")
        var holdFor: String?

        func run() async throws {
            let override = try holdFor.map { try TributaryConfig.parseDuration($0) }
            print(AlertRulesFile.render(holdFor: override), terminator: "")
        }
    }

    struct Metrics: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the exported metrics: name, type, labels, help.")
        func run() async throws {
            for d in TributaryMetrics.all {
                print("\(d.name)\t\(d.kind.rawValue)\t\(d.labels.joined(separator: ","))\t\(d.help)")
            }
        }
    }
}

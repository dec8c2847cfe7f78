import ArgumentParser
import Foundation
import KafkaClient

struct GroupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "groups", abstract: "List consumer groups with their lag per partition.")
    @OptionGroup var kafka: KafkaOptions
    @Argument(help: "Only this group.") var group: String?

    func run() async throws {
        let admin = try KafkaAdmin(configuration: try kafka.configuration())
        let groups = try await admin.listGroups()
        let names = group.map { [$0] } ?? groups.map(\.name)
        print(["GROUP", "STATE", "MEMBERS", "TOPIC", "PARTITION", "COMMITTED", "HIGH", "LAG"].joined(separator: "\t"))
        for name in names {
            let info = groups.first { $0.name == name }
            let lags = try await admin.lag(group: name)
            if lags.isEmpty {
                print([name, info?.state ?? "?", "\(info?.members ?? 0)", "-", "-", "-", "-", "-"].joined(separator: "\t"))
            }
            for lag in lags {
                print([name, info?.state ?? "?", "\(info?.members ?? 0)", lag.topicPartition.topic, "\(lag.topicPartition.partition)",
                       lag.committed.map(String.init) ?? "-", "\(lag.watermarks.high)", "\(lag.lag)"].joined(separator: "\t"))
            }
        }
    }
}

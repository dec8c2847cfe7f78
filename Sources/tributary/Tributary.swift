import ArgumentParser
import Foundation
import KafkaClient
import Logging
import TributaryCore

@main
struct Tributary: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary",
        abstract: "Streaming lakehouse ingestion: Kafka to Apache Hudi, queried with DuckDB.",
        discussion: """
            Start everything with `tributary up` (an embedded Kafka broker when no cluster \
            is configured). Other commands reach Kafka through --bootstrap-servers, \
            $TRIBUTARY_KAFKA_BOOTSTRAP_SERVERS, or the broker of a running `tributary up`.
            """,
        subcommands: [
            UpCommand.self, BrokerCommand.self, TopicsCommand.self, ProduceCommand.self,
            ConsumeCommand.self, GroupsCommand.self, GenerateCommand.self, ProcessCommand.self, ParquetCommand.self, TablesCommand.self, SQLCommand.self, DLQCommand.self, CatalogCommand.self, ConfigCommand.self, StreamsCommand.self, WebCommand.self, MonitoringCommand.self, Version.self,
        ]
    )

    /// Logs go to standard error at `$TRIBUTARY_LOG_LEVEL` (trace, debug, info, notice,
    /// warning, error, critical; default info).
    static func main() async {
        MallocArenas.limitForBatchWork()
        let name = ProcessInfo.processInfo.environment["TRIBUTARY_LOG_LEVEL"]?.lowercased() ?? ""
        let level = Logger.Level(rawValue: name) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        if !name.isEmpty && Logger.Level(rawValue: name) == nil {
            Logger(label: "tributary").warning("TRIBUTARY_LOG_LEVEL='\(name)' is not a log level; logging at info")
        }
        await main(nil)
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print versions of Tributary and its native libraries.")
    func run() {
        print("tributary 0.1.0 (librdkafka \(Librdkafka.version))")
    }
}

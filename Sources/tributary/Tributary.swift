import ArgumentParser
import KafkaClient

@main
struct Tributary: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary",
        abstract: "Streaming lakehouse ingestion: Kafka to Apache Hudi, queried with DuckDB.",
        subcommands: [Version.self, ParquetCommand.self]
    )
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print versions of Tributary and its native libraries.")
    func run() {
        print("tributary 0.1.0 (librdkafka \(Librdkafka.version))")
    }
}

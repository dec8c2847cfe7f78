import Foundation
import KafkaClient

enum KafkaBench {
    static func run(_ args: [String]) async throws {
        print("kafka benchmark: not yet implemented (librdkafka \(Librdkafka.version))")
    }
}

import Foundation
import KafkaClient
import Logging
import ServiceLifecycle
import TributaryConfig

/// The embedded broker of `tributary up` and `tributary broker` when no cluster is
/// configured: durable (Tansu on an embedded SeaweedFS, its log under the state folder's
/// `kafka/`) unless `kafka.embedded_storage = memory`.
enum EmbeddedKafka {
    case durable(DurableEmbeddedBroker)
    case standalone(EmbeddedBroker)

    /// Consumer-group timeouts for the embedded broker: Tansu answers a join after about
    /// half of `session.timeout.ms`, so librdkafka's 45 s would keep a processor idle for
    /// 22 s at start and at every rebalance. (A configured cluster keeps librdkafka's
    /// production defaults.)
    static let groupTimeouts = ["session.timeout.ms": "3000", "heartbeat.interval.ms": "500"]

    /// Producer settings for the embedded broker (big batches, no idempotence: see
    /// `EmbeddedBroker.producerSettings`).
    static let producerTuning = EmbeddedBroker.producerSettings

    /// `configuration` tuned for the embedded broker (settings given explicitly win).
    static func tuned(_ configuration: KafkaConfiguration) -> KafkaConfiguration {
        var tuned = configuration.withDefaults(groupTimeouts)
        tuned.producerTuning.merge(producerTuning) { mine, _ in mine }
        return tuned
    }

    static func start(_ config: TributaryConfig, state: StateFolder, logger: Logger) async throws -> EmbeddedKafka {
        if config.string("kafka.embedded_storage") == "memory" {
            logger.notice("the embedded broker keeps its log in memory (kafka.embedded_storage = memory): it is lost when the stack stops")
            return .standalone(try await EmbeddedBroker.start(logger: logger))
        }
        return .durable(try await DurableEmbeddedBroker.start(.init(folder: state.kafka), logger: logger))
    }

    var bootstrapServers: String {
        switch self {
        case .durable(let broker): broker.bootstrapServers
        case .standalone(let broker): broker.bootstrapServers
        }
    }

    /// The lifecycle services (storage before broker: the group stops them in reverse).
    func services(logger: Logger) -> [any Service] {
        switch self {
        case .durable(let broker): broker.services(logger: logger)
        case .standalone(let broker): [EmbeddedBrokerService(broker: broker, logger: logger)]
        }
    }

    /// Kills the broker (and its storage) at once: a second Ctrl-C.
    func kill() {
        switch self {
        case .durable(let broker): broker.kill()
        case .standalone(let broker): broker.kill()
        }
    }
}

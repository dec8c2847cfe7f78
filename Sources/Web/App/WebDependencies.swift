import KafkaClient
import Logging
import Pipeline

/// Everything the routes use, created once per app: the thin layer over the modules.
public struct WebDependencies: Sendable {
    public var config: WebConfiguration
    public var kafka: KafkaConfiguration
    public var schemas: [TopicSchema]
    public let producer: KafkaProducer
    public let admin: KafkaAdmin
    public let ingestor: Ingestor
    public let browser: KafkaBrowser
    public let generator: GeneratorController
    public let sessions: SessionStore
    public var logger: Logger
    /// `/metrics`, `/readyz` and `/api/alerts` (nil: not served).
    public var monitoring: WebMonitoring?

    public init(config: WebConfiguration, kafka: KafkaConfiguration, schemas: [TopicSchema] = TopicSchema.all,
                logger: Logger = Logger(label: "tributary.web")) throws {
        self.config = config
        self.kafka = kafka
        self.schemas = schemas
        producer = try KafkaProducer(configuration: kafka)
        admin = try KafkaAdmin(configuration: kafka)
        ingestor = Ingestor(producer: producer, schemas: schemas)
        browser = KafkaBrowser(admin: admin, configuration: kafka)
        generator = GeneratorController(producer: producer, schemas: schemas, logger: logger)
        sessions = SessionStore()
        self.logger = logger
    }

    func schema(_ name: String?) -> TopicSchema? {
        guard let name else { return nil }
        return schemas.first { $0.name == name }
    }
}

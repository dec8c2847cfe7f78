import KafkaClient
import Logging
import Monitoring
import ObjectStore
import Pipeline
import Query

/// Everything the routes use, created once per app: the thin layer over the modules.
public struct WebDependencies: Sendable {
    public var config: WebConfiguration
    public var kafka: KafkaConfiguration
    public var schemas: [TopicSchema]
    public let producer: KafkaProducer
    public let admin: KafkaAdmin
    public let ingestor: Ingestor
    /// Change events from the ingest form of debezium streams (their `source.lsn` sequence).
    let changeEventForm = ChangeEventForm()
    public let browser: KafkaBrowser
    public let generator: GeneratorController
    public let sessions: SessionStore
    /// SQL over the lake (`POST /api/query`); nil when the app runs without a lake.
    public let query: QueryService?
    /// The lake's tables, files and timelines (lake pages); nil without a lake.
    public let lake: LakeInspector?
    /// Counters of the processor running in the same process (`tributary up`), if any.
    public let processorStats: (@Sendable () -> ProcessorStats?)?
    /// Dashboard points, shared by every viewer.
    public let dashboard: DashboardSampler
    public var logger: Logger
    /// What `/metrics`, `/readyz` and `/api/alerts` serve (given by the CLI, which owns the
    /// metrics backend and the alert evaluator; by default only health).
    public var monitoring: MonitoringRoutes = .disabled

    /// - Parameters:
    ///   - lake: the lake root (`storage.uri`); enables the SQL and lake pages.
    ///   - queryConfiguration: settings of the DuckDB query service over `lake`.
    ///   - processorStats: the in-process processor's counters (dashboard).
    ///   - processorGroup: the processor's consumer group (`processing.group_id`), for its lag.
    public init(config: WebConfiguration, kafka: KafkaConfiguration, schemas: [TopicSchema] = TopicSchema.seeds,
                lake: (any ObjectStore)? = nil, queryConfiguration: QueryService.Configuration = .init(),
                processorStats: (@Sendable () -> ProcessorStats?)? = nil, processorGroup: String = "tributary-processor",
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
        if let lake {
            let service = try QueryService(lake: lake, configuration: queryConfiguration, logger: logger)
            query = service
            self.lake = LakeInspector(catalog: service.catalog)
        } else {
            query = nil
            self.lake = nil
        }
        self.processorStats = processorStats
        dashboard = DashboardSampler(admin: admin, topics: schemas.map(\.topic), group: processorGroup, lake: self.lake,
                                     processorStats: processorStats)
        self.logger = logger
    }

    func schema(_ name: String?) -> TopicSchema? {
        guard let name else { return nil }
        return schemas.first { $0.name == name }
    }
}

import TributaryCore

/// The type of a topic field as it arrives in JSON and as it is stored.
public enum TopicFieldType: Sendable, Equatable {
    /// JSON string → UTF-8 string column.
    case string
    /// JSON number or numeric string → DECIMAL(precision, scale) as INT64 unscaled.
    case decimal(precision: Int, scale: Int)
    /// JSON number → DOUBLE.
    case double
    /// RFC 3339 string or epoch milliseconds → TIMESTAMP(MICROS, UTC).
    case timestamp
    /// JSON object → JSON text column.
    case object
}

/// A rule checked after the type: schema rules (format) or data-quality rules (ranges).
public enum FieldRule: Sendable, Equatable {
    /// Length in characters (Unicode scalars).
    case length(ClosedRange<Int>)
    /// One of these values (exact, or case-insensitively and stored upper-case).
    case oneOf([String], caseInsensitive: Bool = false)
    /// `count` ASCII upper-case letters (ISO 3166 alpha-2, ISO 4217 codes).
    case upperCaseLetters(count: Int)
    /// Decimal or double range (data quality).
    case range(min: Double, max: Double, minExclusive: Bool = false)
    /// Timestamp not later than now + this many seconds (data quality).
    case notInFutureBeyond(seconds: Int64)
}

public struct TopicField: Sendable, Equatable {
    public var name: String
    public var type: TopicFieldType
    public var required: Bool
    public var rules: [FieldRule]

    public init(_ name: String, _ type: TopicFieldType, required: Bool = false, rules: [FieldRule] = []) {
        self.name = name
        self.type = type
        self.required = required
        self.rules = rules
    }
}

/// A cross-field data-quality rule: a numeric field's range depends on a category field
/// (sensor `value` by `sensor_type`).
public struct DependentRange: Sendable, Equatable {
    public var field: String
    public var dependsOn: String
    public var ranges: [String: ClosedRange<Double>]
    public var unit: [String: String]
}

/// One topic: its fields, record key and table (shared/design/topics.md).
public struct TopicSchema: Sendable, Equatable {
    /// The kind of records (`user_events`, ...): fixed, whatever the Kafka topic is called.
    public let name: String
    /// The Kafka topic (by default the same as `name`).
    public var topic: String
    public var recordKey: String
    public var fields: [TopicField]
    public var dependentRanges: [DependentRange] = []

    public init(topic: String, recordKey: String, fields: [TopicField], dependentRanges: [DependentRange] = []) {
        name = topic
        self.topic = topic
        self.recordKey = recordKey
        self.fields = fields
        self.dependentRanges = dependentRanges
    }

    /// The same schema read from another Kafka topic (tests, renamed deployments).
    public func onTopic(_ topic: String) -> TopicSchema {
        var copy = self
        copy.topic = topic
        return copy
    }

    /// `{topic}_table`; characters a Hudi table name cannot hold become `_`.
    public var tableName: String {
        String(topic.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" }) + "_table"
    }
    public var deadLetterTopic: String { "\(topic).dlq" }
    public static let precombineField = "timestamp"
    public static let partitionField = "event_date"

    public func field(_ name: String) -> TopicField? { fields.first { $0.name == name } }

    /// The stored data columns: the topic's fields, then the processing metadata.
    /// (Hudi's `_hoodie_*` meta columns are added in front by the table writer.)
    public var storedFields: [Field] {
        fields.map { f in
            let type: FieldType = switch f.type {
            case .string: .string
            case .decimal(let p, let s): .decimal(precision: p, scale: s)
            case .double: .double
            case .timestamp: .timestamp(.micros, isAdjustedToUTC: true)
            case .object: .json
            }
            return Field(f.name, type, nullable: !f.required)
        } + Self.metadataFields
    }

    /// Processing metadata added to every row (topics.md).
    public static let metadataFields: [Field] = [
        Field("event_date", .string, nullable: false),
        Field("_ingested_at", .timestamp(.micros, isAdjustedToUTC: true), nullable: false),
        Field("_kafka_partition", .int32, nullable: false),
        Field("_kafka_offset", .int64, nullable: false),
        Field("_batch_id", .string, nullable: false),
        Field("extra", .json, nullable: true),
    ]
}

extension TopicSchema {
    public static let all: [TopicSchema] = [userEvents, transactions, sensorData, logEvents, bulkUpload]

    public static func named(_ topic: String) -> TopicSchema? { all.first { $0.topic == topic } }

    static let id128: [FieldRule] = [.length(1...128)]
    static let oneHourAhead: FieldRule = .notInFutureBeyond(seconds: 3600)

    public static let userEvents = TopicSchema(topic: "user_events", recordKey: "event_id", fields: [
        TopicField("event_id", .string, required: true, rules: id128),
        TopicField("user_id", .string, required: true, rules: id128),
        TopicField("event_type", .string, required: true, rules: [
            .oneOf(["page_view", "click", "signup", "login", "logout", "purchase", "add_to_cart", "search"])]),
        TopicField("page", .string, rules: [.length(0...2048)]),
        TopicField("session_id", .string),
        TopicField("device", .string, rules: [.oneOf(["desktop", "mobile", "tablet", "other"])]),
        TopicField("country", .string, rules: [.upperCaseLetters(count: 2)]),
        TopicField("properties", .object),
        TopicField("timestamp", .timestamp, required: true, rules: [oneHourAhead]),
    ])

    public static let transactions = TopicSchema(topic: "transactions", recordKey: "transaction_id", fields: [
        TopicField("transaction_id", .string, required: true, rules: [.length(1...128)]),
        TopicField("user_id", .string, required: true, rules: [.length(1...128)]),
        TopicField("amount", .decimal(precision: 18, scale: 2), required: true, rules: [
            .range(min: 0, max: 1_000_000_000, minExclusive: true)]),
        TopicField("currency", .string, required: true, rules: [.upperCaseLetters(count: 3)]),
        TopicField("status", .string, required: true, rules: [.oneOf(["pending", "completed", "failed", "refunded"])]),
        TopicField("payment_method", .string, rules: [.oneOf(["card", "paypal", "bank_transfer", "crypto", "other"])]),
        TopicField("merchant", .string),
        TopicField("timestamp", .timestamp, required: true),
    ])

    public static let sensorData = TopicSchema(
        topic: "sensor_data", recordKey: "reading_id",
        fields: [
            TopicField("reading_id", .string, required: true, rules: [.length(1...128)]),
            TopicField("sensor_id", .string, required: true, rules: [.length(1...128)]),
            TopicField("sensor_type", .string, required: true, rules: [
                .oneOf(["temperature", "humidity", "pressure", "co2", "other"])]),
            TopicField("value", .double, required: true),
            TopicField("unit", .string),
            TopicField("location", .string),
            TopicField("battery_level", .double, rules: [.range(min: 0, max: 100)]),
            TopicField("timestamp", .timestamp, required: true),
        ],
        dependentRanges: [DependentRange(
            field: "value", dependsOn: "sensor_type",
            ranges: ["temperature": -90...60, "humidity": 0...100, "pressure": 300...1100, "co2": 0...10_000],
            unit: ["temperature": "°C", "humidity": "%", "pressure": "hPa", "co2": "ppm"])])

    public static let logEvents = TopicSchema(topic: "log_events", recordKey: "log_id", fields: [
        TopicField("log_id", .string, required: true, rules: [.length(1...128)]),
        TopicField("service", .string, required: true, rules: [.length(1...256)]),
        TopicField("level", .string, required: true, rules: [
            .oneOf(["DEBUG", "INFO", "WARN", "ERROR", "FATAL"], caseInsensitive: true)]),
        TopicField("message", .string, required: true, rules: [.length(0...65_536)]),
        TopicField("host", .string),
        TopicField("trace_id", .string),
        TopicField("timestamp", .timestamp, required: true),
    ])

    public static let bulkUpload = TopicSchema(topic: "bulk_upload", recordKey: "record_id", fields: [
        TopicField("record_id", .string, required: true, rules: [.length(1...256)]),
        TopicField("source", .string, required: true, rules: [.length(1...1024)]),
        TopicField("data", .object, required: true),
        TopicField("timestamp", .timestamp, required: true),
    ])
}

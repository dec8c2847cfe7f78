import TributaryCore

/// The type of a topic field as it arrives in JSON and as it is stored.
public indirect enum TopicFieldType: Sendable, Equatable {
    /// JSON string → UTF-8 string column.
    case string
    /// JSON number or numeric string → DECIMAL(precision, scale) as INT64 unscaled.
    case decimal(precision: Int, scale: Int)
    /// JSON number → DOUBLE.
    case double
    /// JSON integer → INT64.
    case integer
    /// JSON true/false → BOOLEAN.
    case boolean
    /// RFC 3339 string or epoch milliseconds → TIMESTAMP(MICROS, UTC).
    case timestamp
    /// `yyyy-MM-dd` string → DATE.
    case date
    /// JSON object → JSON text column.
    case object
    /// JSON object with declared members → a nested Parquet group. `closed`: unknown members
    /// are refused (`additionalProperties: false`); otherwise they are not stored.
    case group([TopicField], closed: Bool)
    /// JSON array → a Parquet LIST of its element.
    case list(TopicField)
}

/// A rule checked after the type. Rules of a field's `rules` fail with stage `schema`, those of
/// its `quality` with stage `quality`.
public enum FieldRule: Sendable, Equatable {
    /// Length in characters (Unicode scalars).
    case length(ClosedRange<Int>)
    /// One of these values (exact, or case-insensitively and stored upper-case).
    case oneOf([String], caseInsensitive: Bool = false)
    /// `count` ASCII upper-case letters (ISO 3166 alpha-2, ISO 4217 codes).
    case upperCaseLetters(count: Int)
    /// Numeric range; an open end is infinite.
    case range(min: Double, max: Double, minExclusive: Bool = false, maxExclusive: Bool = false)
    /// Timestamp not later than now + this many seconds.
    case notInFutureBeyond(seconds: Int64)
    /// A whole multiple of this number.
    case multipleOf(Double)
    /// An ECMA-262 style regular expression found somewhere in the string (JSON Schema `pattern`).
    case pattern(String)
    /// A string format (`uuid`, `email`).
    case format(StringFormat)
    /// Number of array elements.
    case itemCount(ClosedRange<Int>)
}

public enum StringFormat: String, Sendable, Equatable, CaseIterable {
    case uuid, email
}

public struct TopicField: Sendable, Equatable {
    public var name: String
    public var type: TopicFieldType
    public var required: Bool
    /// Checked with stage `schema`.
    public var rules: [FieldRule]
    /// Checked with stage `quality` (the stream's quality schema).
    public var quality: [FieldRule]

    public init(_ name: String, _ type: TopicFieldType, required: Bool = false, rules: [FieldRule] = [], quality: [FieldRule] = []) {
        self.name = name
        self.type = type
        self.required = required
        self.rules = rules
        self.quality = quality
    }

    /// The stored column of this field.
    public var storedField: Field { Field(name, type.storedType, nullable: !required) }
}

extension TopicFieldType {
    public var isList: Bool { if case .list = self { true } else { false } }

    public var storedType: FieldType {
        switch self {
        case .string: .string
        case .decimal(let p, let s): .decimal(precision: p, scale: s)
        case .double: .double
        case .integer: .int64
        case .boolean: .boolean
        case .timestamp: .timestamp(.micros, isAdjustedToUTC: true)
        case .date: .date
        case .object: .json
        case .group(let fields, _): .group(fields.map(\.storedField))
        case .list(let element): .list(Field("element", element.type.storedType, nullable: !element.required))
        }
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

/// One stream: its Kafka topic, record fields, key, ordering, partitioning and table, compiled
/// from a `[streams.NAME]` definition and its JSON Schema files (`StreamCatalog`).
public struct TopicSchema: Sendable, Equatable {
    /// The stream's name: the kind of records, whatever the Kafka topic is called.
    public var name: String
    /// The Kafka topic (by default the same as `name`).
    public var topic: String
    /// The table's folder under the lake and its SQL view name (by default `name`).
    public var table: String
    /// One or more top-level fields; several form Hudi's complex key `f1:v1,f2:v2`.
    public var recordKeyFields: [String]
    /// The ordering field: the larger value wins, ties go to the later offset; nil: offsets only.
    public var precombineField: String?
    public var partition: StreamPartition
    public var fields: [TopicField]
    public var dependentRanges: [DependentRange] = []
    /// Unknown top-level fields are refused (`additionalProperties: false`), not kept in `extra`.
    public var closed = false
    /// The table's type when it is created (`copy_on_write`, `merge_on_read`); nil: the
    /// configuration's `hudi.table_type`.
    public var tableType: String?
    /// Merge-on-read: the log bytes of a file group that trigger its compaction (0: off);
    /// nil: the configuration's `hudi.compaction.max_log_bytes`.
    public var compactionMaxLogBytes: Int?
    /// How messages are read: plain JSON records, or Debezium change events whose `after`
    /// (`before` for deletes) is the record.
    public var format: StreamDefinition.Format = .json

    /// The ordering column of a debezium stream without `precombine`: the event's
    /// `source.lsn`, else `source.ts_ms`, else `ts_ms`.
    public static let changeOrderingField = "_cdc_ordering"

    /// True when the ordering value comes from the change event and has its own column.
    public var ordersByChangeEvent: Bool { format == .debezium && precombineField == Self.changeOrderingField }

    public init(name: String, topic: String? = nil, table: String? = nil, recordKey: [String], precombine: String?,
                partition: StreamPartition, fields: [TopicField], dependentRanges: [DependentRange] = [], closed: Bool = false) {
        self.name = name
        self.topic = topic ?? name
        self.table = table ?? name
        recordKeyFields = recordKey
        precombineField = precombine
        self.partition = partition
        self.fields = fields
        self.dependentRanges = dependentRanges
        self.closed = closed
        tableName = name + "_table"
    }

    /// The same stream read from another Kafka topic, into a table folder named after it
    /// (tests, renamed deployments).
    public func onTopic(_ topic: String) -> TopicSchema {
        var copy = self
        copy.topic = topic
        copy.table = topic
        copy.tableName = String(topic.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" }) + "_table"
        return copy
    }

    /// The key fields as Hudi's table config lists them (`order_id,line_no`).
    public var recordKey: String { recordKeyFields.joined(separator: ",") }
    /// The Hudi table name: `{stream}_table`.
    public var tableName: String
    public var deadLetterTopic: String { "\(topic).dlq" }

    public func field(_ name: String) -> TopicField? { fields.first { $0.name == name } }

    /// The stored data columns: the stream's fields, then the processing metadata.
    /// (Hudi's `_hoodie_*` meta columns are added in front by the table writer.)
    public var storedFields: [Field] {
        fields.map(\.storedField) + metadataFields
    }

    /// Processing metadata added to every row: the derived partition column (if any), the
    /// change-event ordering (debezium streams without `precombine`), then the ingestion
    /// time, Kafka position, batch and unknown fields.
    public var metadataFields: [Field] {
        (partition.isDerived ? partition.column.map { [Field($0, .string, nullable: false)] } ?? [] : [])
            + (ordersByChangeEvent ? [Field(Self.changeOrderingField, .int64, nullable: false)] : [])
            + Self.processingFields
    }

    public static let processingFields: [Field] = [
        Field("_ingested_at", .timestamp(.micros, isAdjustedToUTC: true), nullable: false),
        Field("_kafka_partition", .int32, nullable: false),
        Field("_kafka_offset", .int64, nullable: false),
        Field("_batch_id", .string, nullable: false),
        Field("extra", .json, nullable: true),
    ]
}

extension TopicSchema {
    /// The shipped seed streams, compiled once from the Pipeline's resources (what runs when
    /// no `[streams.*]` is configured; `StreamCatalogTests` keep them compiling).
    public static let seeds: [TopicSchema] = (try? StreamCatalog.seeds()) ?? []

    /// The seed stream called `name`.
    public static func seed(_ name: String) -> TopicSchema? { seeds.first { $0.name == name } }
}

extension FieldRule {
    /// The rule as a reader of `tributary streams show` wants it.
    public var summary: String {
        switch self {
        case .length(let r): r.upperBound == Int.max ? "length ≥ \(r.lowerBound)" : "length \(r.lowerBound)…\(r.upperBound)"
        case .oneOf(let values, let ci): "one of \(values.joined(separator: ", "))\(ci ? " (any case)" : "")"
        case .upperCaseLetters(let n): "\(n) upper-case letters"
        case .range(let lo, let hi, let loOpen, let hiOpen):
            "\(lo.isFinite ? "\(loOpen ? "(" : "[")\(lo)" : "(-∞"), \(hi.isFinite ? "\(hi)\(hiOpen ? ")" : "]")" : "∞)")"
        case .notInFutureBeyond(let s): "at most \(s) s ahead"
        case .multipleOf(let m): "multiple of \(m)"
        case .pattern(let p): "matches \(p)"
        case .format(let f): f.rawValue
        case .itemCount(let r): r.upperBound == Int.max ? "≥ \(r.lowerBound) items" : "\(r.lowerBound)…\(r.upperBound) items"
        }
    }
}

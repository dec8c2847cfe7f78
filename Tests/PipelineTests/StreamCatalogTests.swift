import Foundation
import Testing
import TributaryCore
@testable import Pipeline

/// The user-defined `orders` stream of `Fixtures/orders` (nested objects, arrays, a decimal,
/// a date, a two-field key, hour partitions, quality rules).
func ordersStream() throws -> TopicSchema {
    let folder = try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures/orders")
    return try StreamCatalog.load(configFile: folder.appendingPathComponent("tributary.toml").path)[0]
}

/// The debezium `customers` stream of `Fixtures/customers` (ordered by the events).
func customersStream() throws -> TopicSchema {
    let folder = try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures/customers")
    return try StreamCatalog.load(configFile: folder.appendingPathComponent("tributary.toml").path)[0]
}

@Suite struct StreamCatalogTests {
    /// The fields the five seed streams had when they were Swift code: the shipped JSON
    /// Schemas must compile to exactly these (same stored columns, same validation).
    static let id128: [FieldRule] = [.length(1...128)]
    static let expectedSeeds: [String: [TopicField]] = [
        "user_events": [
            TopicField("event_id", .string, required: true, rules: id128),
            TopicField("user_id", .string, required: true, rules: id128),
            TopicField("event_type", .string, required: true, rules: [
                .oneOf(["page_view", "click", "signup", "login", "logout", "purchase", "add_to_cart", "search"])]),
            TopicField("page", .string, rules: [.length(0...2048)]),
            TopicField("session_id", .string),
            TopicField("device", .string, rules: [.oneOf(["desktop", "mobile", "tablet", "other"])]),
            TopicField("country", .string, rules: [.upperCaseLetters(count: 2)]),
            TopicField("properties", .object),
            TopicField("timestamp", .timestamp, required: true, quality: [.notInFutureBeyond(seconds: 3600)]),
        ],
        "transactions": [
            TopicField("transaction_id", .string, required: true, rules: id128),
            TopicField("user_id", .string, required: true, rules: id128),
            TopicField("amount", .decimal(precision: 18, scale: 2), required: true, quality: [
                .range(min: 0, max: 1_000_000_000, minExclusive: true)]),
            TopicField("currency", .string, required: true, rules: [.upperCaseLetters(count: 3)]),
            TopicField("status", .string, required: true, rules: [.oneOf(["pending", "completed", "failed", "refunded"])]),
            TopicField("payment_method", .string, rules: [.oneOf(["card", "paypal", "bank_transfer", "crypto", "other"])]),
            TopicField("merchant", .string),
            TopicField("timestamp", .timestamp, required: true),
        ],
        "sensor_data": [
            TopicField("reading_id", .string, required: true, rules: id128),
            TopicField("sensor_id", .string, required: true, rules: id128),
            TopicField("sensor_type", .string, required: true, rules: [.oneOf(["temperature", "humidity", "pressure", "co2", "other"])]),
            TopicField("value", .double, required: true),
            TopicField("unit", .string),
            TopicField("location", .string),
            TopicField("battery_level", .double, quality: [.range(min: 0, max: 100)]),
            TopicField("timestamp", .timestamp, required: true),
        ],
        "log_events": [
            TopicField("log_id", .string, required: true, rules: id128),
            TopicField("service", .string, required: true, rules: [.length(1...256)]),
            TopicField("level", .string, required: true, rules: [.oneOf(["DEBUG", "INFO", "WARN", "ERROR", "FATAL"], caseInsensitive: true)]),
            TopicField("message", .string, required: true, rules: [.length(0...65_536)]),
            TopicField("host", .string),
            TopicField("trace_id", .string),
            TopicField("timestamp", .timestamp, required: true),
        ],
        "bulk_upload": [
            TopicField("record_id", .string, required: true, rules: [.length(1...256)]),
            TopicField("source", .string, required: true, rules: [.length(1...1024)]),
            TopicField("data", .object, required: true),
            TopicField("timestamp", .timestamp, required: true),
        ],
    ]

    @Test func seedStreamsCompileToTheirFormerFieldsKeysAndTables() throws {
        let seeds = try StreamCatalog.seeds()
        #expect(seeds.map(\.name) == ["user_events", "transactions", "sensor_data", "log_events", "bulk_upload"])
        #expect(TopicSchema.seeds == seeds)
        let keys = ["user_events": "event_id", "transactions": "transaction_id", "sensor_data": "reading_id", "log_events": "log_id", "bulk_upload": "record_id"]
        for seed in seeds {
            #expect(seed.fields == Self.expectedSeeds[seed.name], "\(seed.name)")
            #expect(seed.topic == seed.name && seed.table == seed.name && seed.tableName == "\(seed.name)_table")
            #expect(seed.recordKeyFields == [keys[seed.name] ?? "?"])
            #expect(seed.precombineField == "timestamp")
            #expect(seed.partition == StreamPartition(field: "timestamp", granularity: .day))
            #expect(!seed.closed)
            #expect(seed.storedFields.suffix(6).map(\.name) == ["event_date", "_ingested_at", "_kafka_partition", "_kafka_offset", "_batch_id", "extra"])
        }
        let sensor = try #require(TopicSchema.seed("sensor_data"))
        #expect(sensor.dependentRanges == [DependentRange(
            field: "value", dependsOn: "sensor_type",
            ranges: ["temperature": -90...60, "humidity": 0...100, "pressure": 300...1100, "co2": 0...10_000],
            unit: ["temperature": "°C", "humidity": "%", "pressure": "hPa", "co2": "ppm"])])
    }

    @Test func userStreamDefinitionCompiles() throws {
        let orders = try ordersStream()
        #expect(orders.name == "orders" && orders.topic == "shop.orders" && orders.table == "orders" && orders.tableName == "orders_table")
        #expect(orders.recordKeyFields == ["order_id", "line_no"] && orders.recordKey == "order_id,line_no")
        #expect(orders.precombineField == "updated_at")
        #expect(orders.partition == StreamPartition(field: "created_at", granularity: .hour))
        #expect(orders.closed)
        let stored = orders.storedFields
        #expect(stored.map(\.name) == ["order_id", "line_no", "created_at", "updated_at", "ship_date", "amount", "status", "gift", "promo", "customer",
                                       "items", "tags", "attributes", "event_hour", "_ingested_at", "_kafka_partition", "_kafka_offset", "_batch_id", "extra"])
        #expect(stored[10].type == .list(Field("element", .group([Field("sku", .string, nullable: false), Field("qty", .int64, nullable: false), Field("price", .double)]), nullable: false)))
    }

    /// Definitions written to a temporary folder next to a copy of the orders schema.
    func load(_ toml: String) throws -> [TopicSchema] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("streams-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let fixtures = try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures/orders")
        for name in ["orders.schema.json", "orders.quality.json"] {
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let file = folder.appendingPathComponent("tributary.toml")
        try Data(toml.utf8).write(to: file)
        return try StreamCatalog.load(configFile: file.path)
    }

    @Test func withoutStreamSectionsTheSeedsRun() throws {
        #expect(try load("[processing]\ninterval = \"5s\"\n").map(\.name) == TopicSchema.seeds.map(\.name))
        #expect(try StreamCatalog.load(configFile: nil).map(\.name) == TopicSchema.seeds.map(\.name))
    }

    @Test func defaultsAreTheStreamName() throws {
        let s = try load("[streams.orders]\nschema = \"orders.schema.json\"\nrecord_key = [\"order_id\", \"line_no\"]\n")[0]
        #expect(s.topic == "orders" && s.table == "orders" && s.precombineField == nil && s.partition == .none)
        #expect(!s.storedFields.contains { $0.name.hasPrefix("event_") })
        let v = try load("[streams.orders]\nschema = \"orders.schema.json\"\nrecord_key = \"order_id\"\npartition = { field = \"order_id\", granularity = \"value\" }\n")
        #expect(v.first?.partition == StreamPartition(field: "order_id", granularity: .value))
        #expect(v.first?.storedFields.contains { $0.name == "event_date" } == false)
        #expect(s.tableType == nil)
        let mor = try load("[streams.orders]\nschema = \"orders.schema.json\"\nrecord_key = \"order_id\"\ntable_type = \"merge_on_read\"\n")
        #expect(mor.first?.tableType == "merge_on_read")
        #expect(mor.first?.compactionMaxLogBytes == nil)
        for (value, bytes) in [("\"64MiB\"", 64 << 20), ("1000", 1000), ("0", 0)] {
            let sized = try load("[streams.orders]\nschema = \"orders.schema.json\"\nrecord_key = \"order_id\"\ncompaction_max_log_bytes = \(value)\n")
            #expect(sized.first?.compactionMaxLogBytes == bytes, "compaction_max_log_bytes = \(value)")
        }
    }

    static let refusals: [(toml: String, message: String)] = [
        ("[streams.orders]\nschema = \"orders.schema.json\"\nrecord_key = [\"order_id\"]\ncolour = \"red\"\n", "streams.orders.colour: unknown key"),
        ("[streams.orders]\nrecord_key = [\"order_id\"]\n", "streams.orders.schema: required"),
        ("[streams.orders]\nschema = \"orders.schema.json\"\n", "streams.orders.record_key: required"),
        ("[streams.orders]\nschema = \"orders.schema.json\"\nrecord_key = []\n", "streams.orders.record_key: required"),
        ("[streams.orders]\nschema = \"orders.schema.json\"\nrecord_key = [\"order_id\", \"order_id\"]\n", "named twice"),
        ("[streams.orders]\nschema = \"orders.schema.json\"\nrecord_key = [\"nope\"]\n", "streams.orders.record_key: 'nope' is not a top-level field"),
        ("[streams.orders]\nschema = \"orders.schema.json\"\nrecord_key = [\"status\"]\n", "'status' must be in the schema's 'required'"),
        ("[streams.orders]\nschema = \"orders.schema.json\"\nrecord_key = [\"amount\"]\n", "must be a string, integer or date field"),
        ("[streams.orders]\nschema = \"orders.schema.json\"\nrecord_key = [\"order_id\"]\nprecombine = \"order_id\"\n", "streams.orders.precombine: 'order_id' must be a date-time, date or integer"),
        ("[streams.orders]\nschema = \"orders.schema.json\"\nrecord_key = [\"order_id\"]\npartition = { field = \"created_at\", granularity = \"week\" }\n", "partition.granularity: one of year | month | day | hour | value | none"),
        ("[streams.orders]\nschema = \"orders.schema.json\"\nrecord_key = [\"order_id\"]\npartition = { granularity = \"day\" }\n", "partition.field: required"),
        ("[streams.orders]\nschema = \"orders.schema.json\"\nrecord_key = [\"order_id\"]\npartition = { field = \"order_id\", granularity = \"day\" }\n", "must be a date-time or date field"),
        ("[streams.orders]\nschema = \"orders.schema.json\"\nrecord_key = [\"order_id\"]\npartition = { field = \"created_at\", granularity = \"value\" }\n", "for granularity value"),
        ("[streams.orders]\nschema = \"orders.schema.json\"\nrecord_key = [\"order_id\"]\npartition = { field = \"created_at\", granularity = \"day\", tz = \"UTC\" }\n", "partition.tz: unknown key"),
        ("[streams.orders]\nschema = \"orders.schema.json\"\nrecord_key = [\"order_id\"]\nformat = \"avro\"\n", "streams.orders.format: json or debezium"),
        ("[streams.orders]\nschema = \"orders.schema.json\"\nrecord_key = [\"order_id\"]\nformat = \"debezium\"\nprecombine = \"lsn\"\n", "streams.orders.precombine: 'lsn' is not a top-level field"),
        ("[streams.orders]\nschema = \"missing.schema.json\"\nrecord_key = [\"order_id\"]\n", "missing.schema.json at /: cannot read the file"),
        ("[streams.\"my-orders\"]\nschema = \"orders.schema.json\"\nrecord_key = [\"order_id\"]\n", "a stream name is letters, digits and _"),
        ("[streams.orders]\nschema = \"orders.schema.json\"\nrecord_key = [\"order_id\"]\ntable = \"a/b\"\n", "streams.orders.table"),
        ("[streams.orders]\nschema = \"orders.schema.json\"\nrecord_key = [\"order_id\"]\ntable_type = \"mor\"\n", "streams.orders.table_type: copy_on_write or merge_on_read"),
        ("[streams.orders]\nschema = \"orders.schema.json\"\nrecord_key = [\"order_id\"]\ncompaction_max_log_bytes = \"lots\"\n", "streams.orders.compaction_max_log_bytes: a size"),
        ("[streams.orders]\nschema = \"orders.schema.json\"\nrecord_key = [\"order_id\"]\ncompaction_max_log_bytes = -1\n", "streams.orders.compaction_max_log_bytes: a size"),
    ]

    @Test(arguments: refusals)
    func badDefinitionsAreRefusedNamingTheKey(_ c: (toml: String, message: String)) throws {
        do {
            _ = try load(c.toml)
            Issue.record("accepted:\n\(c.toml)")
        } catch {
            #expect("\(error)".contains(c.message), "\(error)")
            #expect("\(error)".contains("tributary.toml") || "\(error)".contains(".json"), "\(error)")
        }
    }
}

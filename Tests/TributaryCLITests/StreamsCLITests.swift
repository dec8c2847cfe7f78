import Foundation
import ObjectStore
import Pipeline
import Testing
import TributaryTesting

/// `tributary streams list | check | show`: the seeds without a configuration, a user
/// stream from its `[streams.*]` section, and a broken definition named precisely.
@Suite(.ownThread) struct StreamsCLITests {
    static let orders = TestEnvironment.packageRoot.appendingPathComponent("Tests/PipelineTests/Fixtures/orders/tributary.toml").path

    @Test func aDebeziumStreamShowsItsFormatAndOrderingColumn() throws {
        let config = TestEnvironment.packageRoot.appendingPathComponent("Tests/PipelineTests/Fixtures/customers/tributary.toml").path
        let check = try CLI.run(["streams", "check", "--config", config])
        #expect(check.status == 0 && check.stdoutText.contains("ok\tcustomers\tdebezium\t6 fields"), "\(check.stdoutText)")
        let show = try CLI.run(["streams", "show", "customers", "--config", config])
        #expect(show.status == 0, "\(show.stderrText)")
        #expect(show.stdoutText.contains("format debezium (change events"), "\(show.stdoutText)")
        #expect(show.stdoutText.contains("precombine _cdc_ordering"), "\(show.stdoutText)")
        #expect(show.stdoutText.contains("_cdc_ordering\tINT64 not null") || show.stdoutText.contains("_cdc_ordering\tint64 not null"), "\(show.stdoutText)")
    }

    @Test func seedsAreListedWithoutAConfiguration() throws {
        let list = try CLI.run(["streams", "list"])
        #expect(list.status == 0, "\(list.stderrText)")
        for name in ["user_events", "transactions", "sensor_data", "log_events", "bulk_upload"] {
            #expect(list.stdoutText.contains("\(name)\tjson\ttopic \(name) → table \(name)/ (\(name)_table)"), "\(list.stdoutText)")
        }
        let check = try CLI.run(["streams", "check"])
        #expect(check.status == 0)
        #expect(check.stdoutText.split(separator: "\n").filter { $0.hasPrefix("ok\t") }.count == 5, "\(check.stdoutText)")
    }

    @Test func userStreamIsShownWithItsTableSchema() throws {
        let show = try CLI.run(["streams", "show", "orders", "--config", Self.orders])
        #expect(show.status == 0, "\(show.stderrText)")
        let text = show.stdoutText
        #expect(text.contains("topic shop.orders → table folder orders/, Hudi table orders_table, SQL view orders"), "\(text)")
        #expect(text.contains("record key order_id,line_no (complex key f1:v1,f2:v2); precombine updated_at"), "\(text)")
        #expect(text.contains("partition event_hour (hour of created_at, Hive style)"), "\(text)")
        #expect(text.contains("items\tlist<struct<sku: string, qty: int64, price: double>>"), "\(text)")
        #expect(text.contains("amount\tdecimal(12,2) not null"), "\(text)")
        #expect(text.contains("invalid records → shop.orders.dlq"), "\(text)")
        let help = try CLI.run(["streams", "--help"])
        #expect(help.stdoutText.contains("check") && help.stdoutText.contains("show"))
    }

    @Test func brokenDefinitionsFailCheckNamingFileAndPointer() throws {
        let dir = try TestEnvironment.temporaryDirectory("streams-bad")
        let fixtures = URL(fileURLWithPath: Self.orders).deletingLastPathComponent()
        let schema = try String(contentsOf: fixtures.appendingPathComponent("orders.schema.json"), encoding: .utf8)
            .replacingOccurrences(of: #""gift": { "type": "boolean" }"#, with: #""gift": { "oneOf": [{ "type": "boolean" }] }"#)
        try Data(schema.utf8).write(to: dir.appendingPathComponent("orders.schema.json"))
        let config = dir.appendingPathComponent("tributary.toml")
        try Data("[streams.orders]\nschema = \"orders.schema.json\"\nrecord_key = [\"order_id\", \"line_no\"]\n".utf8).write(to: config)
        let check = try CLI.run(["streams", "check", "--config", config.path])
        #expect(check.status != 0)
        #expect(check.stdoutText.contains("orders.schema.json at /properties/gift/oneOf: keyword 'oneOf' is outside the supported subset"), "\(check.stdoutText)\(check.stderrText)")

        try Data("[streams.audit]\nschema = \"orders.schema.json\"\nrecord_key = [\"order_id\"]\npartition = { field = \"created_at\", granularity = \"week\" }\n".utf8).write(to: config)
        let bad = try CLI.run(["streams", "list", "--config", config.path])
        #expect(bad.status != 0)
        #expect(bad.stderrText.contains("streams.audit.partition.granularity: one of year | month | day | hour | value | none"), "\(bad.stderrText)")
    }

    /// `streams check` also checks each definition against its table on the lake: a changed
    /// schema file whose nested member changed type is refused naming the member's path.
    @Test func checkComparesDefinitionsWithTheirTables() async throws {
        let dir = try TestEnvironment.temporaryDirectory("streams-table-check")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixtures = URL(fileURLWithPath: Self.orders).deletingLastPathComponent()
        for name in ["tributary.toml", "orders.schema.json", "orders.quality.json"] {
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        let lake = dir.appendingPathComponent("lake")
        try FileManager.default.createDirectory(at: lake, withIntermediateDirectories: true)
        let config = dir.appendingPathComponent("tributary.toml").path
        let orders = try StreamCatalog.load(configFile: config)[0]
        _ = try await HudiTableSink(root: try LocalObjectStore(root: lake), schemas: [orders]).checkpoint(topic: orders.topic)
        let storage = ["--config", config, "--set", "storage.uri=file://\(lake.path)"]
        let same = try CLI.run(["streams", "check"] + storage)
        #expect(same.status == 0 && same.stdoutText.contains("matches its table orders/"), "\(same.stdoutText)\(same.stderrText)")

        let schemaFile = dir.appendingPathComponent("orders.schema.json")
        let changed = try String(contentsOf: schemaFile, encoding: .utf8)
            .replacingOccurrences(of: #""city": { "type": "string" }"#, with: #""city": { "type": "integer" }"#)
        try Data(changed.utf8).write(to: schemaFile)
        let check = try CLI.run(["streams", "check"] + storage)
        #expect(check.status != 0)
        #expect(check.stdoutText.contains("stream orders: member customer.address.city changes type"), "\(check.stdoutText)\(check.stderrText)")
    }
}

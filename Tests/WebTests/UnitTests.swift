import Foundation
import KafkaClient
import Pipeline
import Testing
import TributaryTesting
@testable import Web

/// Pure pieces: HTML escaping, the streaming CSV reader, form → record mapping.
@Suite struct UnitTests {
    @Test func htmlInterpolationEscapesStrings() {
        let user = #"<script>alert("x")</script>&'"#
        let html: HTML = "<p title=\"\(user)\">\(user)</p>"
        #expect(html.rendered == "<p title=\"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;\">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>")
    }

    @Test func csvReaderHandlesQuotesNewlinesAndChunkBoundaries() async throws {
        let text = "a,b,c\r\n1,\"x, \"\"y\"\"\",\"line1\nline2\"\n\n2,,last"
        // Feed one byte at a time: rows must not depend on where chunks split.
        var parser = CSVRowParser()
        var rows: [[String]] = []
        for byte in Array(text.utf8) { await parser.feed([byte]) { rows.append($0) } }
        await parser.finish { rows.append($0) }
        #expect(rows == [["a", "b", "c"], ["1", "x, \"y\"", "line1\nline2"], ["2", "", "last"]])
        #expect(!parser.isInsideQuotes)
    }

    @Test func lineSplitterKeepsLinesAcrossChunks() async {
        var splitter = LineSplitter()
        var lines: [String] = []
        for chunk in ["{\"a\"", ":1}\r\n{\"b\":2}\n", "{\"c\":3}"] {
            await splitter.feed(Array(chunk.utf8)) { lines.append(String(decoding: $0, as: UTF8.self)) }
        }
        await splitter.finish { lines.append(String(decoding: $0, as: UTF8.self)) }
        #expect(lines == [#"{"a":1}"#, #"{"b":2}"#, #"{"c":3}"#])
    }

    @Test func textValuesBecomeTypedJSON() {
        let json = TextRecord.json([
            (name: "transaction_id", value: "t\"1"), (name: "amount", value: " 12.50 "), (name: "merchant", value: ""),
            (name: "timestamp", value: "1764151530000"), (name: "currency", value: "12"),
        ], schema: TopicSchema.seed("transactions")!)
        #expect(String(decoding: json, as: UTF8.self) == #"{"transaction_id":"t\"1","amount":12.50,"timestamp":1764151530000,"currency":"12"}"#)
        let object = TextRecord.json([(name: "properties", value: #"{"a":1}"#), (name: "page", value: "{not json")], schema: TopicSchema.seed("user_events")!)
        #expect(String(decoding: object, as: UTF8.self) == #"{"properties":{"a":1},"page":"{not json"}"#)
        #expect(JSONText.isNumber("-0.5e+3"))
        #expect(!JSONText.isNumber("01"))
        #expect(!JSONText.isNumber("1."))
        #expect(!JSONText.isNumber("abc"))
    }

    @Test func validatorReasonNamesTheField() throws {
        let json = Array(#"{"event_id":"e","user_id":"u","event_type":"nope","timestamp":"2026-11-26T10:00:00Z"}"#.utf8)
        let rejection = try #require(RecordValidation.check(json, schema: TopicSchema.seed("user_events")!))
        #expect(RecordValidation.field(of: rejection, in: TopicSchema.seed("user_events")!) == "event_type")
    }
}

/// Every served script parses (`node --check`; `make setup` installs Debian's nodejs, so a
/// missing node fails here rather than skipping the check).
@Suite struct ScriptSyntaxTests {
    static let node = ["/usr/bin/node", "/usr/bin/nodejs"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(arguments: ["app.js", "sql.js", "charts.js", "dashboard.js", "ingest.js"])
    func scriptParses(_ name: String) throws {
        let bytes = try #require(Assets.load(name))
        let file = try TestEnvironment.temporaryDirectory("web-js").appendingPathComponent(name)
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let node = try #require(Self.node, "node is missing: run make setup (it installs nodejs)")
        let output = try runProcess(URL(fileURLWithPath: node), ["--check", file.path], check: false)
        #expect(output.status == 0, "\(output.stderrText)")
    }
}

/// Small helpers of the lake and Kafka pages.
@Suite struct PageHelperTests {
    @Test func avroSchemaColumns() {
        let avro = #"""
            {"type":"record","name":"t","fields":[{"name":"_hoodie_commit_time","type":["null","string"]},
            {"name":"id","type":"string"},{"name":"amount","type":{"type":"fixed","name":"a","size":8,"logicalType":"decimal","precision":18,"scale":2}},
            {"name":"ts","type":["null",{"type":"long","logicalType":"timestamp-micros"}]},{"name":"tags","type":{"type":"array","items":"string"}}]}
            """#
        #expect(LakeInspector.columns(avro: avro) == [
            LakeColumn(name: "id", type: "string", nullable: false),
            LakeColumn(name: "amount", type: "decimal(18,2)", nullable: false),
            LakeColumn(name: "ts", type: "timestamp-micros", nullable: true),
            LakeColumn(name: "tags", type: "array<string>", nullable: false),
        ])
        #expect(LakeInspector.columns(avro: "not json").isEmpty)
        #expect(LakeInspector.isoTime("20261126100000123") == "2026-11-26T10:00:00Z")
    }

    @Test func retentionAndSizes() {
        #expect(TopicRetention.from([:]).text == "broker default (not reported)")
        #expect(TopicRetention.from(["retention.ms": TopicConfigEntry(name: "retention.ms", value: "604800000", isDefault: false, source: "DYNAMIC_TOPIC_CONFIG")]).text == "7 days")
        #expect(TopicRetention.duration(90_000) == "90 seconds")
        #expect(TopicRetention.duration(5_400_000) == "90 minutes")
        #expect(Format.bytes(512) == "512 B")
        #expect(Format.bytes(1536) == "1.5 KiB")
        #expect(Format.bytes(300 * 1024 * 1024) == "300 MiB")
    }
}

import Foundation
import Testing
import TributaryCore

/// Encodable values through the one JSON writer, Avro schema columns, markup entities.
@Suite struct EncodingAndMarkupTests {
    struct Answer: Encodable {
        enum Kind: String, Encodable { case table }
        struct Part: Encodable {
            var path: String
            var bytes: Int64
        }
        var name = "user_events"
        var kind = Kind.table
        var ratio = 0.5
        var live = true
        var missing: String? = nil
        var parts = [Part(path: "event_date=2026-12-03", bytes: 42)]
        var tags = ["b": 2, "a": 1]
        var big = UInt64.max
    }

    @Test func encodablesBecomeJSONValuesAsFoundationWouldWriteThem() throws {
        let value = try JSONValue(encoding: Answer()).sortingKeys()
        #expect(value.objectEntries?.map(\.0) == ["big", "kind", "live", "name", "parts", "ratio", "tags"])
        #expect(value["kind"] == "table")
        #expect(value["ratio"] == .double(0.5))
        #expect(value["live"] == true)
        #expect(value["missing"] == nil)
        #expect(value["parts"] == .array([.object([("bytes", .int(42)), ("path", "event_date=2026-12-03")])]))
        #expect(value["tags"] == .object([("a", .int(1)), ("b", .int(2))]))
        #expect(value["big"] == .double(Double(UInt64.max)))
        // What Foundation reads back is the same document.
        let foundation = try JSONSerialization.jsonObject(with: Data(value.json.utf8)) as? [String: Any]
        #expect(foundation?["name"] as? String == "user_events")
        #expect((foundation?["parts"] as? [[String: Any]])?.first?["bytes"] as? Int == 42)
    }

    @Test func topLevelScalarsAndArraysEncode() throws {
        #expect(try JSONValue(encoding: "text") == "text")
        #expect(try JSONValue(encoding: [1, 2]) == .array([.int(1), .int(2)]))
        #expect(try JSONValue(encoding: ["k": String?.none]) == .object([("k", .null)]))
    }

    @Test func avroColumnsNameTheirTypesAsPeopleReadThem() {
        let schema = #"""
            {"type":"record","name":"r","fields":[
              {"name":"id","type":"string"},
              {"name":"amount","type":["null",{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}]},
              {"name":"tags","type":{"type":"array","items":"string"}},
              {"name":"attrs","type":["null",{"type":"map","values":"long"}]},
              {"name":"either","type":["int","string"]}]}
            """#
        let columns = AvroColumn.columns(ofSchema: schema)
        #expect(columns.map(\.name) == ["id", "amount", "tags", "attrs", "either"])
        #expect(columns.map(\.type) == ["string", "decimal(10,2)", "array<string>", "map<long>", "int | string"])
        #expect(columns.map(\.nullable) == [false, true, false, true, false])
        #expect(AvroColumn.columns(ofSchema: "not json").isEmpty)
    }

    @Test func markupEntitiesRoundTrip() {
        let text = "a < b & \"c\" > 'd'\u{01}\n"
        #expect(escapeMarkup(text) == "a &lt; b &amp; &quot;c&quot; &gt; &#39;d&#39;&#1;\n")
        #expect(unescapeMarkup(escapeMarkup(text)) == text)
        #expect(unescapeMarkup("&apos;&#x41;&unknown; &") == "'A&unknown; &")
    }
}

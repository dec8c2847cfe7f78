import Foundation
import Hummingbird
import HummingbirdTesting
import KafkaTesting
import Pipeline
import Testing
import TributaryCore
@testable import Web

/// Ingest forms of user-defined streams against a real broker: the `orders` stream's nested
/// object, array of objects and array of strings as nested controls with path names, and the
/// debezium `customers` stream's change-event form.
@Suite struct NestedIngestTests {
    /// A valid `orders` form as a browser without JavaScript submits it: an empty item editor
    /// in the middle of each array, empty optional fields.
    static let order: [(String, String)] = [
        ("order_id", "o-1"), ("line_no", "1"), ("created_at", "2026-11-26T09:15:00Z"), ("updated_at", "2026-11-26T09:20:00Z"),
        ("ship_date", ""), ("amount", "12.50"), ("status", ""), ("gift", ""), ("promo", ""),
        ("customer.name", "Ada"), ("customer.email", ""), ("customer.address.city", "Paris"), ("customer.address.zip", ""),
        ("items[0].sku", "k1"), ("items[0].qty", "2"), ("items[0].price", "1.5"),
        ("items[1].sku", ""), ("items[1].qty", ""), ("items[1].price", ""),
        ("items[2].sku", "k2"), ("items[2].qty", "1"), ("items[2].price", ""),
        ("tags[0]", "x"), ("tags[1]", ""), ("tags[2]", "y"), ("attributes", ""),
    ]
    static let orderJSON = #"{"order_id":"o-1","line_no":1,"created_at":"2026-11-26T09:15:00Z","updated_at":"2026-11-26T09:20:00Z","amount":12.50,"customer":{"name":"Ada","address":{"city":"Paris"}},"items":[{"sku":"k1","qty":2,"price":1.5},{"sku":"k2","qty":1}],"tags":["x","y"]}"#

    static func replacing(_ form: [(String, String)], _ name: String, with value: String) -> [(String, String)] {
        form.map { $0.0 == name ? (name, value) : $0 }
    }

    @Test func pathsBuildNestedValuesAndOtherNamesStayMembers() throws {
        let orders = try fixtureStream("orders")
        #expect(FieldPath("items[0].sku")?.steps == [.member("items"), .index(0), .member("sku")])
        for broken in ["", ".a", "a.", "a..b", "a[x]", "a[0]b", "[0]", "a[-1]", "a.[0]"] { #expect(FieldPath(broken) == nil, "\(broken)") }
        let record = TextRecord.build([
            (name: "tags[3]", value: "b"), (name: "tags[1]", value: "a"), (name: "customer.name", value: "Ada"),
            (name: "customer.name", value: "second"), (name: "note.x", value: "kept"), (name: "items[0].qty", value: "two"),
        ], schema: orders)
        // Items in index order, the first value of a name wins, a name that leads into no
        // field is a member of its own, a value of the wrong type stays a string.
        #expect(String(decoding: record.json, as: UTF8.self) == #"{"tags":["a","b"],"customer":{"name":"Ada"},"note.x":"kept","items":[{"qty":"two"}]}"#)
        #expect(record.values.map(\.name) == ["tags[0]", "tags[1]", "customer.name", "note.x", "items[0].qty"])
        #expect(record.values.map(\.value) == ["a", "b", "Ada", "kept", "two"])
    }

    @Test func nestedFieldsGetNestedControlsNamedByTheirPaths() async throws {
        let app = try await TestApp(streams: [try fixtureStream("orders")])
        try await app.test { client in
            let browser = BrowserSession(client)
            let html = try await browser.get("/ingest/orders").text
            // An object with properties: a fieldset of its members, at any depth.
            #expect(html.contains(#"<div class="col-12" id="f-customer"><fieldset"#))
            #expect(html.contains(#"<legend class="fs-6 fw-semibold">customer <span class="text-danger" aria-hidden="true">*</span></legend>"#))
            #expect(html.contains(#"<label class="form-label" for="f-customer.name">name <span class="text-danger""#))
            #expect(html.contains(#"<div class="col-12" id="f-customer.address"><fieldset"#))
            #expect(html.contains(#"id="f-customer.address.city" name="customer.address.city""#))
            #expect(html.contains(#"<div class="form-text" id="f-customer.email-help">email</div>"#))
            // An array of objects: item editors with the members' controls, a template of one
            // more, its maxItems for the script.
            #expect(html.contains(#"data-list="items" data-min-items="0" data-max-items="5""#))
            #expect(html.contains(#"<input type="text" class="form-control" id="f-items[0].sku" name="items[0].sku""#))
            #expect(html.contains(#"<input type="number" inputmode="decimal" step="any" class="form-control" id="f-items[0].qty" name="items[0].qty""#))
            #expect(html.contains(#"name="items[#].sku""#))
            #expect(!html.contains(#"name="items[1].sku""#))
            // An array of strings, and an object without properties (a JSON text area).
            #expect(html.contains(#"id="f-tags[0]" name="tags[0]""#))
            #expect(html.contains(#"<textarea class="form-control font-monospace" id="f-attributes" name="attributes""#))
            #expect(html.contains(#"<script src="/assets/ingest.js"></script>"#))
            let script = try await client.execute(uri: "/assets/ingest.js", method: .get)
            #expect(script.status == .ok)
            #expect(script.text.contains("data-add-item"))
        }
    }

    @Test func indexedNamesProduceTheNestedRecord() async throws {
        let app = try await TestApp(streams: [try fixtureStream("orders")])
        let schema = app.schema("orders")
        try await app.test { client in
            let browser = BrowserSession(client)
            try await browser.get("/ingest/orders")
            let page = try await browser.postForm("/ingest/orders", Self.order)
            #expect(page.status == .ok, "\(page.text.components(separatedBy: "ingest-error").dropFirst().first?.prefix(300) ?? "")")
            let messages = try await app.messages(schema.topic, count: 1)
            #expect(messages.map { String(decoding: $0.value, as: UTF8.self) } == [Self.orderJSON])
        }
    }

    @Test func nestedInvalidValuesAreReportedAtTheirPathsAndNothingIsProduced() async throws {
        let app = try await TestApp(streams: [try fixtureStream("orders")])
        let schema = app.schema("orders")
        try await app.test { client in
            let browser = BrowserSession(client)
            try await browser.get("/ingest/orders")
            // A required member of a nested object left empty.
            let noName = try await browser.postForm("/ingest/orders", Self.replacing(Self.order, "customer.name", with: ""))
            #expect(noName.status == .unprocessableContent)
            #expect(noName.text.contains(#"<div class="invalid-feedback" id="f-customer.name-error">required field &#39;customer.name&#39; is missing</div>"#))
            // The third item editor (the second non-empty one) breaks the quality rule: it is
            // `items[1]` in the record, and the form comes back with its editors renumbered.
            let tooMany = try await browser.postForm("/ingest/orders", Self.replacing(Self.order, "items[2].qty", with: "200"))
            #expect(tooMany.status == .unprocessableContent)
            let html = tooMany.text
            #expect(html.contains(#"class="form-control is-invalid" id="f-items[1].qty" name="items[1].qty" value="200""#))
            #expect(html.contains(#"id="f-items[1].qty-error""#))
            #expect(html.contains("items[1].qty"))
            #expect(html.contains(#"<span class="badge text-bg-danger">quality</span>"#))
            #expect(!html.contains(#"name="items[2].sku""#))
            #expect(html.contains(#"id="f-customer.address.city" name="customer.address.city" value="Paris""#))
            #expect(html.contains(#"id="f-tags[1]" name="tags[1]" value="y""#))

            // Nothing of the refused ones reached the topic: only the valid record after them.
            #expect(try await browser.postForm("/ingest/orders", Self.order).status == .ok)
            let messages = try await app.messages(schema.topic, count: 1)
            #expect(messages.map { String(decoding: $0.value, as: UTF8.self) } == [Self.orderJSON])
        }
    }

    @Test func debeziumFormProducesChangeEvents() async throws {
        let app = try await TestApp(streams: [try fixtureStream("customers")])
        let schema = app.schema("customers")
        try await app.test { client in
            let browser = BrowserSession(client)
            let form = try await browser.get("/ingest/customers").text
            #expect(form.contains(#"<select class="form-select" id="f-op" name="op""#))
            for op in ["c", "u", "d", "r"] { #expect(form.contains(#"<option value="\#(op)""#)) }
            #expect(form.contains(#"id="f-after.name" name="after.name""#))
            #expect(form.contains(#"id="f-before.id" name="before.id""#))
            #expect(!form.contains(#"name="before.name""#))

            let insert = try await browser.postForm("/ingest/customers", [
                ("op", "c"), ("after.id", "7"), ("after.name", "Ada"), ("after.email", ""), ("after.region", "eu"),
                ("after.balance", "10.25"), ("after.updated_at", ""), ("before.id", ""),
            ])
            #expect(insert.status == .ok)
            #expect(insert.text.contains(#"(key {&quot;id&quot;:7})"#))
            // An update with `before`'s key columns.
            let update = try await browser.postForm("/ingest/customers", [
                ("op", "u"), ("after.id", "7"), ("after.name", "Ada L."), ("after.region", "us"), ("before.id", "7"),
            ])
            #expect(update.status == .ok)
            // A refused delete (no key in `before`) points at `before.id`; a refused row at its field.
            let keyless = try await browser.postForm("/ingest/customers", [("op", "d"), ("after.id", "7"), ("before.id", "")])
            #expect(keyless.status == .unprocessableContent)
            #expect(keyless.text.contains(#"id="f-before.id-error""#))
            let badRow = try await browser.postForm("/ingest/customers", [("op", "u"), ("after.id", "7"), ("after.name", "Ada"), ("after.region", "mars")])
            #expect(badRow.status == .unprocessableContent)
            #expect(badRow.text.contains(#"id="f-after.region-error""#))
            #expect(badRow.text.contains(#"<option value="u" selected>"#))
            // The delete: only `before`'s key, whatever `after` holds.
            let delete = try await browser.postForm("/ingest/customers", [("op", "d"), ("after.name", "ignored"), ("before.id", "7")])
            #expect(delete.status == .ok)

            let messages = try await app.messages(schema.topic, count: 3)
            #expect(messages.map(\.keyString) == [#"{"id":7}"#, #"{"id":7}"#, #"{"id":7}"#])
            let events = try messages.map { try JSONValue.parse(bytes: Array($0.value)) }
            guard events.count == 3 else { return }
            #expect(events[0]["op"] == "c")
            #expect(events[0]["before"] == .null)
            #expect(events[0]["after"] == .object([("id", 7), ("name", "Ada"), ("region", "eu"), ("balance", 10.25)]))
            #expect(events[1]["op"] == "u")
            #expect(events[1]["before"] == .object([("id", 7)]))
            #expect(events[1]["after"] == .object([("id", 7), ("name", "Ada L."), ("region", "us")]))
            #expect(events[2]["op"] == "d")
            #expect(events[2]["before"] == .object([("id", 7)]))
            #expect(events[2]["after"] == .null)
            let positions = events.compactMap { $0["source"]?["lsn"]?.int }
            #expect(positions.count == 3 && positions == positions.sorted() && Set(positions).count == 3)
            #expect(events.allSatisfy { $0["source"]?["ts_ms"]?.int != nil && $0["ts_ms"]?.int != nil })
        }
    }
}

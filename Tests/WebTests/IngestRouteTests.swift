import Foundation
import Hummingbird
import HummingbirdTesting
import KafkaTesting
import Pipeline
import Testing
@testable import Web

/// Ingest forms and the REST endpoint against a real broker.
@Suite struct IngestRouteTests {
    @Test func formIsGeneratedFromTheSchema() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let page = try await BrowserSession(client).get("/ingest/transactions")
            #expect(page.status == .ok)
            let html = page.text
            // Enum → select with every choice; decimal → number input; required marks.
            #expect(html.contains(#"<select class="form-select" id="f-status" name="status""#))
            for status in ["pending", "completed", "failed", "refunded"] { #expect(html.contains(#"<option value="\#(status)""#)) }
            #expect(html.contains(#"type="number" inputmode="decimal" step="0.01""#))
            #expect(html.contains(#"pattern="[A-Z]{3}""#))
            #expect(html.contains(#"<label class="form-label" for="f-amount">amount <span class="text-danger" aria-hidden="true">*</span>"#))
            #expect(html.contains(#"name="csrf_token" value=""#))
            #expect(page.cookie("tributary_csrf")?.count == 48)
        }
    }

    @Test func invalidFormShowsTheValidatorsReasonAndProducesNothingThenValidOneProduces() async throws {
        let app = try await TestApp()
        let schema = app.schema("transactions")
        try await app.test { client in
            let browser = BrowserSession(client)
            try await browser.get("/ingest/transactions")
            var record: [(String, String)] = [
                ("transaction_id", "tx-<1>"), ("user_id", "u-1"), ("amount", "-5"), ("currency", "EUR"),
                ("status", "completed"), ("timestamp", "2026-11-26T10:15:30Z"),
            ]
            // The reason the pipeline's own validator gives for this record.
            let expected = RecordValidation.check(TextRecord.json(record.map { (name: $0.0, value: $0.1) }, schema: schema), schema: schema)
            let rejection = try #require(expected)
            #expect(rejection.stage == .quality)

            let refused = try await browser.postForm("/ingest/transactions", record)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains(HTML.escape(rejection.reason)))
            #expect(refused.text.contains(#"id="f-amount-error""#))
            #expect(refused.text.contains("is-invalid"))
            // The refused values are kept (escaped) so the user can fix them.
            #expect(refused.text.contains(#"value="tx-&lt;1&gt;""#))

            record[2] = ("amount", "12.50")
            let accepted = try await browser.postForm("/ingest/transactions", record)
            #expect(accepted.status == .ok)
            #expect(accepted.text.contains("Produced to"))
            #expect(accepted.text.contains("data-offset"))

            let messages = try await app.messages(schema.topic, count: 1)
            #expect(messages.count == 1)
            #expect(messages.first?.keyString == "tx-<1>")
            let value = try #require(messages.first.map { String(decoding: $0.value, as: UTF8.self) })
            #expect(value.contains(#""amount":12.50"#))
        }
    }

    @Test func restIngestAnswersPartitionAndOffsetOr422WithStage() async throws {
        let app = try await TestApp()
        let schema = app.schema("user_events")
        try await app.test { client in
            let ok = try await client.execute(uri: "/api/topics/user_events/records", method: .post, headers: jsonHeaders, body: jsonBody(
                #"{"event_id":"e-1","user_id":"u-1","event_type":"click","timestamp":"2026-11-26T10:15:30Z","extra_field":1}"#))
            #expect(ok.status == .ok)
            #expect(ok.object["topic"] as? String == schema.topic)
            #expect(ok.object["offset"] is Int)
            #expect(ok.object["partition"] is Int)
            #expect(ok.object["key"] as? String == "e-1")

            let bad = try await client.execute(uri: "/api/topics/user_events/records", method: .post, headers: jsonHeaders, body: jsonBody(
                #"{"event_id":"e-2","event_type":"click","timestamp":"2026-11-26T10:15:30Z"}"#))
            #expect(bad.status == .unprocessableContent)
            #expect(bad.object["stage"] as? String == "schema")
            #expect((bad.object["error"] as? String)?.contains("'user_id'") == true)
            #expect(bad.object["field"] as? String == "user_id")

            let broken = try await client.execute(uri: "/api/topics/user_events/records", method: .post, headers: jsonHeaders, body: jsonBody("{not json"))
            #expect(broken.status == .unprocessableContent)
            #expect(broken.object["stage"] as? String == "parse")

            let unknown = try await client.execute(uri: "/api/topics/nope/records", method: .post, headers: jsonHeaders, body: jsonBody("{}"))
            #expect(unknown.status == .notFound)

            let messages = try await app.messages(schema.topic, count: 1)
            #expect(messages.map(\.keyString) == ["e-1"])
        }
    }

    @Test func topicSchemasAreServedAsJSON() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let response = try await client.execute(uri: "/api/topics", method: .get)
            let topics = try #require(response.json as? [[String: Any]])
            #expect(topics.map { $0["name"] as? String } == TopicSchema.seeds.map(\.name))
        }
    }
}

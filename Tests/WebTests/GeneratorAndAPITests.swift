import Foundation
import Hummingbird
import HummingbirdTesting
import KafkaTesting
import Testing
@testable import Web

/// The generator panel's endpoints and the pages (the OpenAPI document: `RouteTableTests`).
@Suite struct GeneratorAndAPITests {
    @Test func generatorStartsCountsAndStops() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let refused = try await client.execute(uri: "/api/generator/start", method: .post, headers: jsonHeaders,
                                                   body: jsonBody(#"{"rate":10,"updateRatio":0.9,"deleteRatio":0.5}"#))
            #expect(refused.status == .unprocessableContent)

            let started = try await client.execute(uri: "/api/generator/start", method: .post, headers: jsonHeaders,
                                                   body: jsonBody(#"{"rate":200,"topics":["log_events"],"invalidRatio":0.1,"seed":7}"#))
            #expect(started.status == .ok)
            #expect(started.object["running"] as? Bool == true)
            var total = 0
            let deadline = ContinuousClock.now + .seconds(15)
            while total < 20 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                total = try await client.execute(uri: "/api/generator", method: .get).object["total"] as? Int ?? 0
            }
            #expect(total >= 20)
            let stopped = try await client.execute(uri: "/api/generator/stop", method: .post, headers: jsonHeaders, body: jsonBody("{}"))
            #expect(stopped.object["running"] as? Bool == false)
            let sent = stopped.object["sent"] as? [String: Int] ?? [:]
            #expect(Array(sent.keys) == [app.schema("log_events").topic])

            let page = try await BrowserSession(client).get("/generator")
            #expect(page.text.contains(#"id="g-log_events""#))
        }
    }

    @Test func pagesAndAssetsAreServed() async throws {
        let app = try await TestApp()
        try await app.test { client in
            for uri in ["/ingest", "/upload", "/generator", "/kafka", "/kafka/groups", "/assets/app.js"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .ok, "\(uri)")
                #expect(response.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
            }
            #expect(try await client.execute(uri: "/", method: .get).status == .seeOther)
            #expect(try await client.execute(uri: "/ingest/nope", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/assets/nope.js", method: .get).status == .notFound)
        }
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
import KafkaTesting
import Testing
@testable import Web

/// Login / bearer token and CSRF refusals.
@Suite struct SecurityTests {
    @Test func nonLoopbackAddressAlwaysRequiresALogin() throws {
        let open = WebConfiguration(host: "0.0.0.0", port: 8080, authToken: "")
        #expect(open.loginRequired)
        #expect(open.tokenWasGenerated)
        #expect(!WebConfiguration(host: "127.0.0.1", port: 8080, authToken: nil).loginRequired)
        #expect(WebConfiguration(host: "localhost", port: 1, authToken: "s3cret").authToken == "s3cret")
    }

    @Test func tokenIsRequiredForAPIAndPages() async throws {
        let app = try await TestApp(token: "s3cret-token")
        try await app.test { client in
            let anonymous = try await client.execute(uri: "/api/kafka/topics", method: .get)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate] == "Bearer")

            let wrong = try await client.execute(uri: "/api/topics", method: .get, headers: [.authorization: "Bearer nope"])
            #expect(wrong.status == .unauthorized)

            let bearer = try await client.execute(uri: "/api/topics", method: .get, headers: [.authorization: "Bearer s3cret-token"])
            #expect(bearer.status == .ok)
            // Bearer calls need no CSRF token, whatever their content type.
            let post = try await client.execute(
                uri: "/api/topics/log_events/records", method: .post,
                headers: [.authorization: "Bearer s3cret-token", .contentType: "text/plain"],
                body: ByteBuffer(string: #"{"log_id":"l1","service":"api","level":"info","message":"hi","timestamp":"2026-11-26T10:00:00Z"}"#))
            #expect(post.status == .ok)

            let browser = BrowserSession(client)
            let page = try await browser.get("/ingest")
            #expect(page.status == .seeOther)
            #expect(page.headers[.location] == "/login?next=%2Fingest")
            #expect(try await browser.get("/assets/app.css").status == .ok)
            #expect(try await browser.get("/login").status == .ok)

            let failed = try await browser.postForm("/login", [("token", "guess"), ("next", "/ingest")])
            #expect(failed.status == .unauthorized)
            let offsite = try await browser.postForm("/login", [("token", "s3cret-token"), ("next", "//evil.example/")])
            #expect(offsite.status == .seeOther)
            #expect(offsite.headers[.location] == "/")
            #expect(browser.cookies["tributary_session"] != nil)
            #expect(try await browser.get("/ingest").status == .ok)

            try await browser.postForm("/logout", [])
            #expect(try await browser.get("/ingest").status == .seeOther)
        }
    }

    @Test func formPostsWithoutTheCSRFTokenAreRefusedAndProduceNothing() async throws {
        let app = try await TestApp()
        let topic = app.schema("log_events").topic
        try await app.test { client in
            let browser = BrowserSession(client)
            try await browser.get("/ingest/log_events")
            let record = [("log_id", "l-1"), ("service", "api"), ("level", "INFO"), ("message", "m"), ("timestamp", "2026-11-26T10:00:00Z")]
            let missing = try await client.execute(
                uri: "/ingest/log_events", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: browser.cookieHeader],
                body: ByteBuffer(string: FormData.encode(record)))
            #expect(missing.status == .forbidden)
            #expect(missing.text.contains("CSRF"))
            let wrong = try await browser.postForm("/ingest/log_events", record, csrf: String(repeating: "0", count: 48))
            #expect(wrong.status == .forbidden)
            // A cross-site page can post text/plain without a preflight: refused too.
            let plain = try await client.execute(
                uri: "/api/topics/log_events/upload?format=jsonl", method: .post,
                headers: [.contentType: "text/plain"], body: ByteBuffer(string: "{}"))
            #expect(plain.status == .forbidden)
            let generator = try await client.execute(uri: "/api/generator/start", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "{}"))
            #expect(generator.status == .forbidden)
            #expect(try await app.messages(topic, count: 0).isEmpty)

            // With the token from the page the same post goes through.
            let ok = try await browser.postForm("/ingest/log_events", record)
            #expect(ok.status == .ok)
        }
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TributaryCore
@testable import Web

/// `POST /api/query` and `GET /api/tables…` against a real small lake.
@Suite(.serialized) struct QueryRouteTests {
    static func lake() async throws -> WebTestLake {
        var lake = try WebTestLake()
        try await lake.commit(0..<6, version: 1)
        try await lake.commit([1, 2], version: 2)
        try await lake.commit([3], version: 2, delete: true)
        return lake
    }

    func post(_ client: some TestClientProtocol, _ body: String) async throws -> TestResponse {
        try await client.execute(uri: "/api/query", method: .post, headers: jsonHeaders, body: jsonBody(body))
    }

    @Test func queriesTimeTravelIncrementalAndErrors() async throws {
        let lake = try await Self.lake()
        let app = try await TestApp(lake: lake.store)
        defer { Task { await app.deps.query?.pool.shutdown() } }
        let instants = lake.instants
        try await app.test { client in
            let ok = try await post(client, #"{"sql":"SELECT event_id, event_type FROM user_events ORDER BY event_id"}"#)
            #expect(ok.status == .ok)
            let columns = ok.object["columns"] as? [[String: String]] ?? []
            #expect(columns.map { $0["name"] ?? "" } == ["event_id", "event_type"])
            #expect(columns.first?["type"] == "VARCHAR")
            let rows = ok.object["rows"] as? [[Any]] ?? []
            #expect(rows.map { $0.first as? String ?? "" } == ["e0", "e1", "e2", "e4", "e5"])
            #expect(ok.object["truncated"] as? Bool == false)

            // Time travel: before the delete, e3 was there.
            let before = try await post(client, #"{"sql":"SELECT count(*) AS n FROM user_events","as_of":"\#(instants[1])"}"#)
            #expect((before.object["rows"] as? [[Int]])?.first?.first == 6)
            // Incremental: what the second commit changed, with the meta columns.
            let changed = try await post(client, #"{"sql":"SELECT _hoodie_commit_time, event_id FROM user_events ORDER BY event_id","since":"\#(instants[0])","until":"\#(instants[1])","with_meta":true}"#)
            #expect(changed.status == .ok)
            #expect((changed.object["rows"] as? [[String]])?.map { $0[1] } == ["e1", "e2"])
            // The lake page's "changes" query over the same range.
            let pageQuery = try await post(client, "{\"sql\":\(jsonQuoted(LakePages.changesSQL("user_events"))),\"since\":\"\(instants[0])\",\"until\":\"\(instants[1])\",\"with_meta\":true}")
            #expect(pageQuery.status == .ok, "\(pageQuery.text)")
            let pageColumns = (pageQuery.object["columns"] as? [[String: String]] ?? []).map { $0["name"] ?? "" }
            #expect(pageColumns.prefix(2) == ["_hoodie_commit_time", "_hoodie_record_key"])
            #expect(!pageColumns.contains("_hoodie_file_name") && pageColumns.contains("event_type"))
            #expect((pageQuery.object["rows"] as? [Any])?.count == 2)
            // A row limit marks the result truncated.
            let limited = try await post(client, #"{"sql":"SELECT * FROM user_events","limit":2}"#)
            #expect((limited.object["rows"] as? [Any])?.count == 2)
            #expect(limited.object["truncated"] as? Bool == true)

            // Bad SQL: DuckDB's message with 400.
            let bad = try await post(client, #"{"sql":"SELEC 1"}"#)
            #expect(bad.status == .badRequest)
            #expect(bad.object["kind"] as? String == "duckdb")
            #expect((bad.object["error"] as? String ?? "").contains("syntax error"))
            let missing = try await post(client, #"{"sql":"SELECT * FROM nope"}"#)
            #expect(missing.status == .badRequest)
            #expect((missing.object["error"] as? String ?? "").contains("nope"))
            // Refused statements.
            for sql in ["COPY user_events TO '/tmp/x.csv'", "ATTACH '/tmp/x.db'", "SET enable_external_access=true",
                        "SELECT * FROM read_csv('/etc/passwd')", "INSTALL httpfs"] {
                let refused = try await post(client, "{\"sql\":\(jsonQuoted(sql))}")
                #expect(refused.status == .badRequest, "\(sql)")
                #expect(refused.object["kind"] as? String == "refused", "\(sql)")
            }
            // Not JSON.
            let invalid = try await post(client, "sql=SELECT 1")
            #expect(invalid.status == .badRequest)
            #expect(invalid.object["kind"] as? String == "invalid")
            // A slow query is cut at its timeout with a clear error; the next query works.
            let slow = try await post(client, #"{"sql":"SELECT sum(hash(a.range * b.range)) AS s FROM range(200000) a, range(200000) b","timeout_ms":500}"#)
            #expect(slow.status == .requestTimeout)
            #expect(slow.object["kind"] as? String == "timeout")
            #expect((slow.object["error"] as? String ?? "").contains("timeout"))
            let after = try await post(client, #"{"sql":"SELECT count(*) AS n FROM user_events"}"#)
            #expect((after.object["rows"] as? [[Int]])?.first?.first == 5)
        }
    }

    @Test func tablesAndTimelineAsJSON() async throws {
        let lake = try await Self.lake()
        let app = try await TestApp(lake: lake.store)
        defer { Task { await app.deps.query?.pool.shutdown() } }
        try await app.test { client in
            let tables = try await client.execute(uri: "/api/tables", method: .get)
            #expect(tables.status == .ok)
            let list = tables.json as? [[String: Any]] ?? []
            #expect(list.map { $0["name"] as? String ?? "" } == ["user_events"])
            let table = try await client.execute(uri: "/api/tables/user_events", method: .get).object
            #expect(table["partitionFields"] as? [String] == ["event_date"])
            #expect(table["recordKeyFields"] as? [String] == ["event_id"])
            #expect((table["partitions"] as? [Any])?.count == 2)
            #expect((table["files"] as? Int ?? 0) >= 2)
            #expect((table["bytes"] as? Int ?? 0) > 1000)
            #expect(table["commits"] as? Int == 3)
            let columns = (table["columns"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(columns.contains("event_id") && columns.contains("event_type") && !columns.contains("_hoodie_commit_time"))

            let timeline = try await client.execute(uri: "/api/tables/user_events/timeline", method: .get)
            let commits = timeline.json as? [[String: Any]] ?? []
            #expect(commits.map { $0["instant"] as? String ?? "" } == lake.instants.reversed())
            let first = try #require(commits.last)
            #expect(first["inserted"] as? Int == 6)
            #expect((first["checkpoint"] as? String ?? "").contains("user_events"))
            #expect(commits[1]["updated"] as? Int == 2)
            #expect(commits[0]["deleted"] as? Int == 1)
            #expect(try await client.execute(uri: "/api/tables/nope", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/api/tables/nope/timeline", method: .get).status == .notFound)
        }
    }

    @Test func newEndpointsNeedTheTokenWhenOneIsSet() async throws {
        let lake = try await Self.lake()
        let app = try await TestApp(token: "s3cret", lake: lake.store)
        defer { Task { await app.deps.query?.pool.shutdown() } }
        try await app.test { client in
            for uri in ["/api/tables", "/api/tables/user_events/timeline", "/api/dashboard", "/api/dashboard/stream?max=1"] {
                #expect(try await client.execute(uri: uri, method: .get).status == .unauthorized, "\(uri)")
            }
            for uri in ["/sql", "/lake", "/dashboard"] {
                #expect(try await client.execute(uri: uri, method: .get).status == .seeOther, "\(uri)")
            }
            let refused = try await post(client, #"{"sql":"SELECT 1 AS one"}"#)
            #expect(refused.status == .unauthorized)
            let allowed = try await client.execute(uri: "/api/query", method: .post,
                                                   headers: [.contentType: "application/json", .authorization: "Bearer s3cret"],
                                                   body: jsonBody(#"{"sql":"SELECT 1 AS one"}"#))
            #expect(allowed.status == .ok)
        }
    }

    @Test func withoutALakeTheEndpointsSaySo() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let response = try await post(client, #"{"sql":"SELECT 1"}"#)
            #expect(response.status == .serviceUnavailable)
            #expect(try await client.execute(uri: "/api/tables", method: .get).status == .serviceUnavailable)
        }
    }
}

/// The lake pages and the SQL workbench.
@Suite struct LakePageTests {
    @Test func lakeTablePageShowsSchemaPartitionsAndTimeline() async throws {
        let lake = try await QueryRouteTests.lake()
        let app = try await TestApp(lake: lake.store)
        defer { Task { await app.deps.query?.pool.shutdown() } }
        try await app.test { client in
            let list = try await client.execute(uri: "/lake", method: .get)
            #expect(list.status == .ok)
            #expect(list.text.contains(#"href="/lake/user_events""#))
            #expect(list.text.contains(#"id="table-sizes""#))
            let page = try await client.execute(uri: "/lake/user_events", method: .get)
            #expect(page.status == .ok)
            for instant in lake.instants { #expect(page.text.contains(#"data-instant="\#(instant)""#)) }
            #expect(page.text.contains("event_date=2026-11-24"))
            #expect(page.text.contains("record key"))
            #expect(page.text.contains("as_of=\(lake.instants[0])"))
            #expect(page.text.contains("since=\(lake.instants[0])&amp;until=\(lake.instants[1])"))
            #expect(page.text.contains("user_events"))
            #expect(try await client.execute(uri: "/lake/nope", method: .get).status == .notFound)

            let sql = try await client.execute(uri: "/sql?sql=SELECT%201&as_of=\(lake.instants[1])", method: .get)
            #expect(sql.status == .ok)
            #expect(sql.text.contains(#"data-run="1""#))
            #expect(sql.text.contains(#"<option value="\#(lake.instants[1])" selected>"#))
            #expect(sql.text.contains(#"src="/assets/sql.js""#))
            #expect(try await client.execute(uri: "/assets/sql.js", method: .get).status == .ok)
        }
    }

    @Test func pagesWithoutALake() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let lake = try await client.execute(uri: "/lake", method: .get)
            #expect(lake.text.contains("without a lake"))
            let sql = try await client.execute(uri: "/sql", method: .get)
            #expect(sql.status == .ok)
        }
    }
}

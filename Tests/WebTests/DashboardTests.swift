import Foundation
import Hummingbird
import HummingbirdTesting
import KafkaClient
import Testing
@testable import Web

/// The dashboard: history, the server-sent event stream, rates from watermark deltas.
@Suite struct DashboardTests {
    @Test func streamSendsPointsWithRatesAndTableSizes() async throws {
        let lake = try await QueryRouteTests.lake()
        let app = try await TestApp(lake: lake.store)
        defer { Task { await app.deps.query?.pool.shutdown() } }
        let topic = app.schema("log_events").topic
        try await app.test { client in
            let page = try await client.execute(uri: "/dashboard", method: .get)
            #expect(page.status == .ok)
            #expect(page.text.contains(#"id="chart-in""#) && page.text.contains("/assets/dashboard.js"))
            for asset in ["charts.js", "dashboard.js"] {
                #expect(try await client.execute(uri: "/assets/\(asset)", method: .get).status == .ok)
            }
            let first = try await client.execute(uri: "/api/dashboard", method: .get)
            #expect(first.status == .ok)
            // Records produced between two points show as a rate.
            for i in 0..<5 {
                let record = #"{"log_id":"l-\#(i)","level":"INFO","service":"api","message":"hello","timestamp":"2026-11-26T10:00:00Z"}"#
                let produced = try await client.execute(uri: "/api/topics/log_events/records", method: .post, headers: jsonHeaders, body: jsonBody(record))
                #expect(produced.status == .ok, "\(produced.text)")
            }
            // Points are shared and taken at most every 0.9 s.
            try await Task.sleep(for: .seconds(1))
            let stream = try await client.execute(uri: "/api/dashboard/stream?interval=0.5&max=3", method: .get)
            #expect(stream.status == .ok)
            #expect(stream.headers[.contentType] == "text/event-stream")
            let events = stream.text.components(separatedBy: "\n\n").filter { $0.hasPrefix("event: sample\ndata: ") }
            #expect(events.count == 3)
            let points = try events.map { event -> DashboardSample in
                try JSONDecoder().decode(DashboardSample.self, from: Data(event.dropFirst("event: sample\ndata: ".count).utf8))
            }
            let last = try #require(points.last)
            let log = try #require(last.topics.first { $0.topic == topic })
            #expect(log.produced >= 5)
            #expect(log.lag >= 5)
            #expect(last.tables.map(\.name) == ["user_events"])
            #expect(last.tables.first?.bytes ?? 0 > 1000)
            #expect(last.tables.first?.tableType == "copy_on_write")
            #expect(last.tables.first?.logFiles == 0 && last.tables.first?.pendingCompactions == 0)
            #expect(last.processor == nil)
            #expect(log.tombstonesSkipped == nil)
            let history = try await client.execute(uri: "/api/dashboard", method: .get)
            let all = history.object["points"] as? [[String: Any]] ?? []
            #expect(all.count >= 2)
            // Some point saw the 5 records arrive: a positive rate in.
            let rates = all.compactMap { p in (p["topics"] as? [[String: Any]])?.first { $0["topic"] as? String == topic }?["inRate"] as? Double }
            #expect(rates.contains { $0 > 0 })
        }
    }

    @Test func viewersAskingAtOnceShareOnePoint() async throws {
        let app = try await TestApp()
        let sampler = app.deps.dashboard
        let times = await withTaskGroup(of: Int64.self) { group in
            for _ in 0..<5 { group.addTask { await sampler.sample().time } }
            return await group.reduce(into: Set<Int64>()) { $0.insert($1) }
        }
        #expect(times.count == 1)
        #expect(await sampler.history().count == 1)
    }
}

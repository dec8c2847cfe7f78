import Foundation
import Hummingbird
import HummingbirdTesting
import Monitoring
import MonitoringCore
import Testing
@testable import Web

/// `/metrics`, `/healthz`, `/readyz` and `GET /api/alerts` on the web app.
@Suite struct MonitoringRouteTests {
    struct Down: Error, CustomStringConvertible { var description: String { "broker unreachable" } }

    static func monitoring(failing: Bool) -> MonitoringRoutes {
        MonitoringRoutes(
            metrics: { "# TYPE tributary_processor_up gauge\ntributary_processor_up 1\n" },
            alerts: {
                var firing = AlertStatus.Instance(labels: ["topic": "user_events"], value: 0.5)
                firing.state = .firing
                firing.activeSince = 1
                return AlertsSnapshot(evaluatedAt: 42, alerts: [AlertStatus(
                    name: "TributaryDeadLetterRateHigh", severity: "warning", summary: "s", expression: "e > 0.05",
                    threshold: 0.05, forSeconds: 120, state: .firing, values: [firing])])
            },
            readiness: [
                ReadinessCheck("storage") { "writable" },
                ReadinessCheck("broker") { if failing { throw Down() }; return "1 broker" },
            ])
    }

    @Test func metricsReadinessAndAlertsAreServed() async throws {
        let app = MonitoredApp(try await TestApp(), Self.monitoring(failing: true))
        try await app.test { client in
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(metrics.text.contains("tributary_processor_up 1"))

            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)

            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .serviceUnavailable)
            #expect(ready.object["ready"] as? Bool == false)
            let checks = ready.object["checks"] as? [[String: Any]] ?? []
            #expect(checks.map { $0["name"] as? String } == ["storage", "broker"])
            #expect(checks.map { $0["ok"] as? Bool } == [true, false])
            #expect(checks.last?["detail"] as? String == "broker unreachable")

            let alerts = try await client.execute(uri: "/api/alerts", method: .get)
            #expect(alerts.status == .ok)
            let list = alerts.object["alerts"] as? [[String: Any]] ?? []
            #expect(list.first?["state"] as? String == "firing")
            #expect(list.first?["name"] as? String == "TributaryDeadLetterRateHigh")
        }
    }

    @Test func readyWhenEveryCheckPasses() async throws {
        let app = MonitoredApp(try await TestApp(), Self.monitoring(failing: false))
        try await app.test { client in
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
            #expect(ready.object["ready"] as? Bool == true)
        }
    }

    @Test func probesArePublicMetricsNeedTheToken() async throws {
        let app = MonitoredApp(try await TestApp(token: "sekret"), Self.monitoring(failing: false))
        try await app.test { client in
            let s1 = try await status(client, "/healthz")
            #expect(s1 == .ok)
            let s2 = try await status(client, "/readyz")
            #expect(s2 == .ok)
            let s3 = try await status(client, "/api/alerts")
            #expect(s3 == .unauthorized)
            let s4 = try await status(client, "/metrics")
            #expect(s4 != .ok)
            let scraped = try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer sekret"])
            #expect(scraped.status == .ok)
        }
    }

    @Test func withoutMonitoringTheRoutesSaySo() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let s5 = try await status(client, "/metrics")
            #expect(s5 == .notFound)
            let s6 = try await status(client, "/api/alerts")
            #expect(s6 == .notFound)
            let s7 = try await status(client, "/readyz")
            #expect(s7 == .ok)
        }
    }
}

func status(_ client: any TestClientProtocol, _ uri: String) async throws -> HTTPResponse.Status {
    try await client.execute(uri: uri, method: .get).status
}

/// A test app whose dependencies carry `monitoring`.
struct MonitoredApp {
    var deps: WebDependencies

    init(_ app: TestApp, _ monitoring: MonitoringRoutes) {
        deps = app.deps
        deps.monitoring = monitoring
    }

    func test<R: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> R) async throws -> R {
        try await WebApp.application(deps).test(.router, body)
    }
}

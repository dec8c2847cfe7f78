import Foundation
import Hummingbird
import HummingbirdTesting
import Monitoring
import MonitoringCore
import Testing

/// The processor-only server (`metrics.listen`) mounts the same routes as the web app.
@Suite struct MonitoringServerTests {
    struct Down: Error, CustomStringConvertible { var description: String { "no partitions assigned yet" } }

    @Test func standaloneServerServesMetricsProbesAndAlerts() async throws {
        let routes = MonitoringRoutes(
            metrics: { "tributary_processor_up 1\n" }, alerts: nil,
            readiness: [ReadinessCheck("broker") { "1 broker" }, ReadinessCheck("processor") { throw Down() }])
        let server = MonitoringServer(host: "127.0.0.1", port: 0, routes: routes)
        let app = Application(router: server.router())
        try await app.test(.router) { client in
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType] == MetricsExport.contentType)
            #expect(String(buffer: metrics.body) == "tributary_processor_up 1\n")
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .serviceUnavailable)
            let report = try JSONDecoder().decode(ReadinessReport.self, from: Data(buffer: ready.body))
            #expect(report.checks.map(\.ok) == [true, false])
            #expect(report.checks.last?.detail == "no partitions assigned yet")
            let alerts = try await client.execute(uri: "/api/alerts", method: .get)
            #expect(alerts.status == .notFound)
            #expect(String(buffer: alerts.body) == #"{"error":"alerts are not enabled"}"#)
        }
    }
}

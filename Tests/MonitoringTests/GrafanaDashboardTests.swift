import Foundation
import MonitoringCore
import Testing
import TributaryTesting

/// `deploy/grafana/tributary-dashboard.json`: valid JSON, and its panels query only the
/// metrics Tributary exports (every family at least once). The end-to-end stack test
/// runs each query against a real Prometheus.
@Suite struct GrafanaDashboardTests {
    static let file = TestEnvironment.packageRoot.appendingPathComponent("deploy/grafana/tributary-dashboard.json")

    /// Every PromQL expression of the dashboard's panels.
    static func expressions() throws -> [String] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: file))
        let dashboard = try #require(json as? [String: Any])
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        return panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
    }

    @Test func panelsQueryOnlyExportedMetricsAndCoverThemAll() throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.file)) as? [String: Any])
        #expect(json["uid"] as? String == "tributary")
        let panels = try #require(json["panels"] as? [[String: Any]])
        for panel in panels where panel["type"] as? String == "timeseries" || panel["type"] as? String == "stat" {
            #expect(!(panel["targets"] as? [[String: Any]] ?? []).isEmpty, "\(panel["title"] ?? "")")
        }
        let exprs = try Self.expressions()
        #expect(exprs.count > 15)
        let known = Set(TributaryMetrics.all.flatMap(\.seriesNames))
        var used = Set<String>()
        for expr in exprs {
            let names = Self.metricNames(in: expr)
            #expect(!names.isEmpty, "\(expr)")
            for name in names {
                #expect(known.contains(name) || name == "up", "\(name) in \(expr) is not a metric Tributary exports")
                used.insert(name)
            }
        }
        for d in TributaryMetrics.all {
            #expect(d.seriesNames.contains { used.contains($0) }, "no panel shows \(d.name)")
        }
    }

    /// Identifiers that name series: `tributary_…` and `up{`.
    static func metricNames(in expr: String) -> Set<String> {
        var names = Set<String>()
        let regex = try? NSRegularExpression(pattern: #"\b(tributary_[a-z_]+|up)\b(?=\s*[\{\[\)])"#)
        let range = NSRange(expr.startIndex..., in: expr)
        regex?.enumerateMatches(in: expr, range: range) { match, _, _ in
            if let r = match.flatMap({ Range($0.range(at: 1), in: expr) }) { names.insert(String(expr[r])) }
        }
        return names
    }
}

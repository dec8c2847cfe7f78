import Foundation
import Monitoring
import MonitoringCore
import Testing
import TributaryTesting

@Suite struct AlertRulesTests {
    static let deploy = TestEnvironment.packageRoot.appendingPathComponent("deploy/prometheus")

    @Test func shippedRulesFileIsRenderedFromTheSwiftRules() throws {
        let shipped = try String(contentsOf: Self.deploy.appendingPathComponent("alerts.yml"), encoding: .utf8)
        #expect(shipped == AlertRulesFile.render(), "regenerate: tributary monitoring rules > deploy/prometheus/alerts.yml")
        // The seed's four, processor down, no commits, write failures, compaction behind.
        #expect(AlertRules.all.map(\.name) == [
            "TributaryConsumerLagHigh", "TributaryBatchDurationHigh", "TributaryDeadLetterRateHigh",
            "TributaryStorageGrowthHigh", "TributaryProcessorDown", "TributaryNoRecentCommits", "TributaryTableWriteFailing",
            "TributaryCompactionsPending", "TributaryLogsOutgrowBaseFiles",
        ])
        #expect(AlertRulesFile.render(holdFor: .zero).components(separatedBy: "for: 0s").count - 1 == AlertRules.all.count)
    }

    @Test func promtoolChecksAndUnitTestsTheRules() throws {
        let promtool = try #require(Self.promtool, "promtool missing: make setup installs Debian's prometheus")
        let check = try runProcess(promtool, ["check", "rules", Self.deploy.appendingPathComponent("alerts.yml").path], check: false)
        #expect(check.status == 0, "\(check.stdoutText)\(check.stderrText)")
        #expect(check.stdoutText.contains("SUCCESS: \(AlertRules.all.count) rules found"))
        let test = try runProcess(promtool, ["test", "rules", Self.deploy.appendingPathComponent("alerts_test.yml").path], check: false)
        #expect(test.status == 0, "\(test.stdoutText)\(test.stderrText)")
        #expect(test.stdoutText.contains("SUCCESS"))
        // Every alert has a promtool test that expects it to fire.
        let tests = try String(contentsOf: Self.deploy.appendingPathComponent("alerts_test.yml"), encoding: .utf8)
        for rule in AlertRules.all {
            #expect(tests.contains("alertname: \(rule.name)\n        exp_alerts:\n          - exp_labels"), "no firing test for \(rule.name)")
        }
    }

    static var promtool: URL? {
        ["/usr/bin/promtool", "/usr/local/bin/promtool"].map(URL.init(fileURLWithPath:))
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}

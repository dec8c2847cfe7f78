import Foundation
import Metrics
import Monitoring
import MonitoringCore
import Testing
import TributaryTesting

@Suite struct MetricsExportTests {
    @Test func catalogNamesFollowPrometheusConventions() {
        let names = TributaryMetrics.all.map(\.name)
        #expect(Set(names).count == names.count)
        for d in TributaryMetrics.all {
            #expect(d.name.hasPrefix("tributary_"), "\(d.name)")
            #expect(d.name.range(of: "^[a-z_]+$", options: .regularExpression) != nil, "\(d.name)")
            #expect(!d.help.isEmpty, "\(d.name)")
            switch d.kind {
            case .counter: #expect(d.name.hasSuffix("_total"), "\(d.name)")
            case .histogram:
                #expect(d.name.hasSuffix("_seconds"), "\(d.name)")
                #expect(!d.buckets.isEmpty && d.buckets == d.buckets.sorted(), "\(d.name)")
            case .gauge: #expect(!d.name.hasSuffix("_total"), "\(d.name)")
            }
        }
        // The metrics the issue asks for.
        for required in ["tributary_records_consumed_total", "tributary_records_written_total", "tributary_records_dead_lettered_total",
                         "tributary_batch_duration_seconds", "tributary_commit_duration_seconds", "tributary_consumer_lag",
                         "tributary_written_bytes_total", "tributary_files_written_total", "tributary_table_size_bytes",
                         "tributary_commits_total", "tributary_rollbacks_total", "tributary_checkpoint_gaps_total",
                         "tributary_queries_total", "tributary_query_duration_seconds", "tributary_http_requests_total",
                         "tributary_http_request_duration_seconds", "tributary_processor_up", "tributary_last_commit_timestamp_seconds"] {
            #expect(TributaryMetrics.descriptor(named: required) != nil, "\(required)")
        }
    }

    @Test func catalogMatchesTheCases() {
        // The catalog file and the families the code records name the same metrics, in order.
        #expect(TributaryMetrics.all.map(\.name) == TributaryMetrics.allCases.map(\.name))
        for metric in TributaryMetrics.allCases { #expect(metric.descriptor != nil, "\(metric.name)") }
        #expect(TributaryMetrics.recordsDeadLettered.descriptor?.labels == ["topic", "stage"])
        #expect(TributaryMetrics.batchDuration.descriptor?.buckets.last == 300)
    }

    @Test func readmeDocumentsEveryMetric() throws {
        let readme = try String(contentsOf: TestEnvironment.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        for d in TributaryMetrics.all { #expect(readme.contains("`\(d.name)`"), "README's Monitoring section misses \(d.name)") }
    }

    @Test func swiftMetricsCallsAreExportedWithHelpTypeAndBuckets() throws {
        MetricsExport.bootstrap()
        MetricsExport.bootstrap()  // idempotent
        let topic = "export-\(UUID().uuidString.prefix(6))"
        TributaryMetrics.recordsConsumed.counter(topic).increment(by: 7)
        TributaryMetrics.recordsDeadLettered.counter(topic, "schema").increment(by: 2)
        TributaryMetrics.tableSize.gauge(topic).record(12345)
        TributaryMetrics.batchDuration.timer().record(duration: .seconds(35))
        // A name outside the catalog still works (libraries may record their own).
        Counter(label: "test_other_total").increment()

        let text = MetricsExport.render()
        #expect(text.contains("# HELP tributary_records_consumed_total Records the processor read"))
        #expect(text.contains("# TYPE tributary_records_consumed_total counter"))
        #expect(text.contains("# TYPE tributary_batch_duration_seconds histogram"))
        let samples = Exposition.parse(text)
        func value(_ name: String, _ labels: [String: String]) -> Double? {
            samples.first { $0.name == name && $0.labels == labels }?.value
        }
        #expect(value("tributary_records_consumed_total", ["topic": topic]) == 7)
        #expect(value("tributary_records_dead_lettered_total", ["topic": topic, "stage": "schema"]) == 2)
        #expect(value("tributary_table_size_bytes", ["table": topic]) == 12345)
        #expect(value("test_other_total", [:]) == 1)
        // The catalog's buckets (the 30 s alert threshold is a bucket bound), in seconds.
        let le30 = try #require(value("tributary_batch_duration_seconds_bucket", ["le": "30.0"]) ?? value("tributary_batch_duration_seconds_bucket", ["le": "30"]))
        let le45 = try #require(value("tributary_batch_duration_seconds_bucket", ["le": "45.0"]) ?? value("tributary_batch_duration_seconds_bucket", ["le": "45"]))
        #expect(le45 - le30 >= 1)
        #expect((value("tributary_batch_duration_seconds_sum", [:]) ?? 0) >= 35)
    }

    @Test func expositionParserReadsLabelsEscapesAndSpecialValues() {
        let text = """
            # HELP x_total help
            # TYPE x_total counter
            x_total{a="1",b="with \\"quote\\" and \\\\ slash"} 3
            y 4.5e+06
            z{le="+Inf"} +Inf
            n NaN 1700000000000
            """
        let samples = Exposition.parse(text)
        #expect(samples.count == 4)
        #expect(samples[0] == MetricSample(name: "x_total", labels: ["a": "1", "b": #"with "quote" and \ slash"#], value: 3))
        #expect(samples[1].value == 4.5e6)
        #expect(samples[2].labels == ["le": "+Inf"] && samples[2].value == .infinity)
        #expect(samples[3].value.isNaN)
    }
}

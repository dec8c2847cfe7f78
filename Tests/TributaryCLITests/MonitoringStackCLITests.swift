import Foundation
import Testing
import TributaryTesting

/// Monitoring end to end: `tributary up --prometheus` starts Debian's Prometheus, which
/// scrapes the web app's `/metrics`; a flood of invalid records makes the dead-letter
/// rate alert fire in Prometheus (rules with `for: 0s`) and in the in-process
/// evaluation (`GET /api/alerts`). `tributary process` serves the same on `metrics.listen`.
@Suite(.ownThread, .serialized) struct MonitoringStackCLITests {
    static let curl = "/usr/bin/curl"
    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: curl) && FileManager.default.isExecutableFile(atPath: "/usr/bin/prometheus")
    }

    @Test(.enabled(if: available, "needs curl and Debian's prometheus (make setup)"), .timeLimit(.minutes(2)))
    func prometheusScrapesTheStackAndTheErrorRateAlertFires() throws {
        let started = Date()
        let stack = try RunningStack(extraArgs: [
            "--set", "processing.interval=1s", "--set", "web.listen=127.0.0.1:0", "--set", "alerts.evaluation_interval=1s",
            "--prometheus", "--prometheus-interval", "1s", "--prometheus-rule-for", "0s",
        ])
        defer { _ = stack.interrupt() }
        try stack.waitUntilUp()
        let web = try waitForLine(stack, prefix: "web app: ")
        let prometheus = try waitForLine(stack, prefix: "prometheus: ").components(separatedBy: " ").first ?? ""
        #expect(prometheus.hasPrefix("http://127.0.0.1:"))

        // Prometheus scrapes us: the target is up.
        let targets = try poll("target up", timeout: 30) {
            let body = try Self.get(prometheus + "api/v1/targets").body
            return body.contains("\"health\":\"up\"") ? body : nil
        }
        #expect(targets.contains("\"job\":\"tributary\""))

        // A flood of invalid records (and a few valid ones), in two rounds so rates see them.
        let bad = (0..<200).map { #"{"event_id":"bad\#($0)","user_id":"u","event_type":"jump","timestamp":"2026-11-26T10:00:00Z"}"# }
        let good = (0..<10).map { #"{"event_id":"ok\#($0)","user_id":"u","event_type":"click","timestamp":"2026-11-26T10:00:00Z"}"# }
        for round in 0..<2 {
            let sent = try stack.run(["produce", "user_events"], stdin: (bad + good).map { $0.replacingOccurrences(of: "\"bad", with: "\"bad\(round)-") }.joined(separator: "\n"))
            #expect(sent.status == 0, "\(sent.stderrText)")
            if round == 0 { sleep(3) }
        }

        // Prometheus fires the error-rate alert for user_events.
        let alerts = try poll("DLQ alert firing in Prometheus", timeout: 45) {
            let body = try Self.get(prometheus + "api/v1/alerts").body
            return body.contains("TributaryDeadLetterRateHigh") && body.contains("\"state\":\"firing\"") ? body : nil
        }
        #expect(alerts.contains("\"topic\":\"user_events\""))

        // Every query of the Grafana dashboard is valid PromQL for this Prometheus.
        let dashboard = TestEnvironment.packageRoot.appendingPathComponent("deploy/grafana/tributary-dashboard.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dashboard)) as? [String: Any]
        let exprs = (json?["panels"] as? [[String: Any]] ?? []).flatMap {
            ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String }
        }
        #expect(exprs.count > 15)
        for expr in exprs {
            let answer = try Self.get(prometheus + "api/v1/query", query: expr)
            #expect(answer.status == 200 && answer.body.contains("\"status\":\"success\""), "\(expr): \(answer.body)")
        }

        // The same metrics on /metrics, and the in-process evaluation agrees.
        let samples = try poll("both rounds processed", timeout: 30) {
            let metrics = try Self.get(web + "metrics")
            let samples = Self.samples(metrics.body)
            let dlq = samples["tributary_records_dead_lettered_total{stage=\"schema\",topic=\"user_events\"}"]
            return dlq == 400 && samples["tributary_records_written_total{topic=\"user_events\"}"] == 20 ? samples : nil
        }
        #expect(samples["tributary_records_dead_lettered_total{stage=\"schema\",topic=\"user_events\"}"] == 400)
        // (At least: a batch that failed and was read again counts its records again.)
        #expect((samples["tributary_records_consumed_total{topic=\"user_events\"}"] ?? 0) >= 420)
        #expect((samples["tributary_commits_total{table=\"user_events\"}"] ?? 0) >= 1)
        #expect((samples["tributary_table_size_bytes{table=\"user_events\"}"] ?? 0) > 0)
        #expect(samples["tributary_processor_up"] == 1)
        #expect((samples["tributary_http_requests_total{method=\"GET\",route=\"/metrics\",status=\"200\"}"] ?? 0) >= 1)
        let inProcess = try poll("DLQ alert in /api/alerts", timeout: 15) {
            let body = try Self.get(web + "api/alerts").body
            let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
            let rule = (json?["alerts"] as? [[String: Any]])?.first { $0["name"] as? String == "TributaryDeadLetterRateHigh" }
            return (rule?["state"] as? String).flatMap { $0 == "inactive" ? nil : $0 }
        }
        #expect(inProcess == "pending" || inProcess == "firing")
        let ready = try Self.get(web + "readyz")
        #expect(ready.status == 200, "\(ready.body)")
        #expect(ready.body.contains("\"ready\":true"))

        // Ctrl-C stops Prometheus with the stack.
        let port = Int(prometheus.split(separator: ":").last?.filter(\.isNumber) ?? "") ?? 0
        #expect(stack.interrupt() == 0)
        usleep(500_000)
        #expect(!isListening(port: port), "prometheus outlived tributary up")
        #expect(Date().timeIntervalSince(started) < 90)
    }

    @Test(.enabled(if: available, "needs curl"), .timeLimit(.minutes(2)))
    func processServesMetricsHealthAndReadinessOnMetricsListen() throws {
        let stack = try RunningStack(extraArgs: ["--set", "web.listen=127.0.0.1:0"])
        defer { _ = stack.interrupt() }
        try stack.waitUntilUp()
        let port = try freeLoopbackPort()
        // A second processor (its own group) without the web app.
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["process", "--topic", "user_events", "--set", "processing.interval=1s",
                             "--set", "metrics.listen=127.0.0.1:\(port)", "--set", "processing.group_id=metrics-test"]
        process.currentDirectoryURL = stack.stateDir
        var env = ProcessInfo.processInfo.environment
        env["TRIBUTARY_STATE_DIR"] = stack.stateFolder.path
        env.removeValue(forKey: "TRIBUTARY_KAFKA_BOOTSTRAP_SERVERS")
        process.environment = env
        let log = stack.stateDir.appendingPathComponent("process.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = process.standardOutput
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        let base = "http://127.0.0.1:\(port)/"
        let health = try poll("healthz", timeout: 30) {
            let r = try? Self.get(base + "healthz")
            return r?.status == 200 ? r : nil
        }
        #expect(health.body.contains("ok"))
        let ready = try poll("readyz ready", timeout: 60) {
            let r = try? Self.get(base + "readyz")
            return r?.status == 200 ? r : nil
        }
        for check in ["broker", "storage", "processor"] { #expect(ready.body.contains("\"name\":\"\(check)\"")) }
        let metrics = try Self.get(base + "metrics")
        #expect(metrics.body.contains("# TYPE tributary_records_consumed_total counter"))
        #expect(metrics.body.contains("tributary_processor_up 1"))
        let alerts = try Self.get(base + "api/alerts")
        #expect(alerts.status == 200 && alerts.body.contains("TributaryProcessorDown"))
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\((try? String(contentsOf: log, encoding: .utf8))?.suffix(1500) ?? "")")
    }

    // MARK: Helpers

    func waitForLine(_ stack: RunningStack, prefix: String, timeout: Double = 40) throws -> String {
        try poll("a line '\(prefix)…' in the log", timeout: timeout) {
            stack.logText.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        }
    }

    func poll<T>(_ what: String, timeout: Double, _ body: () throws -> T?) throws -> T {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let value = try body() { return value }
            usleep(300_000)
        }
        throw PollTimeout(what: what)
    }

    struct PollTimeout: Error, CustomStringConvertible {
        var what: String
        var description: String { "timed out waiting for \(what)" }
    }

    static func get(_ url: String, query: String? = nil) throws -> (status: Int, body: String) {
        let form = query.map { ["-G", "--data-urlencode", "query=\($0)"] } ?? []
        let out = try runProcess(URL(fileURLWithPath: curl), ["-s", "-m", "5", "-w", "\n%{http_code}"] + form + [url], check: false)
        var lines = out.stdoutText.components(separatedBy: "\n")
        let status = Int(lines.popLast() ?? "") ?? 0
        return (status, lines.joined(separator: "\n"))
    }

    /// Samples keyed `name{labels in sorted order}`.
    static func samples(_ text: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            var series = String(line[..<space])
            if let open = series.firstIndex(of: "{"), series.hasSuffix("}") {
                let labels = series[series.index(after: open)..<series.index(before: series.endIndex)]
                    .split(separator: ",").map(String.init).sorted().joined(separator: ",")
                series = String(series[..<open]) + "{" + labels + "}"
            }
            out[series] = value
        }
        return out
    }
}

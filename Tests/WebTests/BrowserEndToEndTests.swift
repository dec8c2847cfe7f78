import Foundation
import Pipeline
import Testing
import TributaryTesting

/// The web app in a real browser against the whole stack: `tributary up` (embedded Kafka,
/// the processor writing a temporary lake every second, the web app) as a child process,
/// and Debian's headless Chromium driven over the DevTools protocol by `browser/e2e.py`.
/// Screenshots of every page go to `.build/test-output/screenshots/`.
@Suite struct BrowserEndToEndTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let outputDirectory = TestEnvironment.packageRoot.appendingPathComponent(".build/test-output/screenshots")
    static let python = "/usr/bin/python3"
    /// The `tributary` binary built next to the test bundle.
    static let binary: URL? = {
        if let explicit = ProcessInfo.processInfo.environment["TRIBUTARY_BIN"] { return URL(fileURLWithPath: explicit) }
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        return [bundleDir, TestEnvironment.packageRoot.appendingPathComponent(".build/debug")]
            .map { $0.appendingPathComponent("tributary") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    static let screenshots = [
        "generator.png", "ingest-invalid.png", "ingest-valid.png", "ingest-nested.png", "ingest-change-event.png", "upload.png", "upload-broken.png", "sql-result.png",
        "sql-error.png", "lake.png", "lake-table.png", "sql-changes.png", "kafka-topics.png", "kafka-messages.png",
        "kafka-dlq.png", "kafka-groups.png", "dashboard.png", "dashboard-alerts.png", "ingest-phone.png", "sql-phone.png", "dashboard-phone.png", "lake-phone.png", "kafka-dlq-phone.png",
    ]

    @Test(.enabled(if: chromium != nil && FileManager.default.isExecutableFile(atPath: python) && binary != nil,
                   "needs Debian's chromium (scripts/setup.sh), python3 and the tributary binary"),
          .timeLimit(.minutes(5)))
    func wholeStackInHeadlessChromium() async throws {
        let directory = try TestEnvironment.temporaryDirectory("web-e2e")
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = directory.appendingPathComponent("e2e.csv")
        try """
            transaction_id,user_id,amount,currency,status,timestamp
            e2e-1,u-1,10.00,EUR,completed,2026-11-26T10:00:00Z
            e2e-2,u-2,-1,EUR,completed,2026-11-26T10:00:00Z

            """.write(to: csv, atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(at: Self.outputDirectory)
        let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/WebTests/browser/e2e.py")
        let port = try freeLoopbackPort()
        let stack = try ManagedProcess(
            try #require(Self.binary),
            ["up", "--config", try Self.streamsConfig(in: directory).path, "--set", "storage.uri=file://\(directory.path)/lake", "--set", "processing.interval=1s",
             "--set", "web.listen=127.0.0.1:\(port)"],
            port: port, environment: ["TRIBUTARY_STATE_DIR": directory.path], timeout: 90)
        defer { Self.interrupt(stack) }
        let output = try await Self.offload {
            try runProcess(URL(fileURLWithPath: Self.python),
                           [script.path, "http://127.0.0.1:\(port)", Self.outputDirectory.path, csv.path], check: false)
        }
        #expect(output.status == 0, "browser steps:\n\(output.stdoutText)\n\(output.stderrText.suffix(2000))")
        for name in Self.screenshots {
            let size = (try? FileManager.default.attributesOfItem(atPath: Self.outputDirectory.appendingPathComponent(name).path)[.size] as? Int) ?? 0
            #expect(size > 1000, "screenshot \(name)")
        }
    }

    /// A configuration with the seed streams and the `orders` (nested objects and arrays) and
    /// `customers` (debezium) fixtures: their definitions and schema files in one folder.
    static func streamsConfig(in directory: URL) throws -> URL {
        let folder = directory.appendingPathComponent("streams")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let seeds = URL(fileURLWithPath: StreamCatalog.seedFile).deletingLastPathComponent()
        let fixtures = TestEnvironment.packageRoot.appendingPathComponent("Tests/PipelineTests/Fixtures")
        var definitions = ""
        for source in [seeds, fixtures.appendingPathComponent("orders"), fixtures.appendingPathComponent("customers")] {
            for name in try FileManager.default.contentsOfDirectory(atPath: source.path).sorted() {
                let file = source.appendingPathComponent(name)
                if name.hasSuffix(".toml") {
                    definitions += try String(contentsOf: file, encoding: .utf8) + "\n"
                } else if name.hasSuffix(".json") {
                    try FileManager.default.copyItem(at: file, to: folder.appendingPathComponent(name))
                }
            }
        }
        let config = folder.appendingPathComponent("tributary.toml")
        try definitions.write(to: config, atomically: true, encoding: .utf8)
        return config
    }

    /// Stops the stack like Ctrl-C (so it stops its broker and DuckDB children), killing
    /// it when that takes too long.
    static func interrupt(_ stack: ManagedProcess) {
        guard stack.isRunning else { return }
        kill(stack.pid, SIGINT)
        let deadline = Date().addingTimeInterval(20)
        while stack.isRunning && Date() < deadline { usleep(100_000) }
        stack.stop()
    }

    /// Runs blocking work (waiting for a child process) off the cooperative thread pool.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TributaryTesting
@testable import Web

/// The web app in a real browser: Debian's headless Chromium, driven over the DevTools
/// protocol by `browser/e2e.py`, against the app served on a real socket. Screenshots go
/// to `.build/test-output/web-e2e/`.
@Suite struct BrowserEndToEndTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let outputDirectory = TestEnvironment.packageRoot.appendingPathComponent(".build/test-output/web-e2e")

    static let python = "/usr/bin/python3"

    @Test(.enabled(if: chromium != nil && FileManager.default.isExecutableFile(atPath: python), "needs Debian's chromium (scripts/setup.sh) and python3"),
          .timeLimit(.minutes(3)))
    func formsUploadAndKafkaUIInHeadlessChromium() async throws {
        let app = try await TestApp()
        let directory = try TestEnvironment.temporaryDirectory("web-e2e")
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = directory.appendingPathComponent("e2e.csv")
        try """
            transaction_id,user_id,amount,currency,status,timestamp
            e2e-1,u-1,10.00,EUR,completed,2026-11-26T10:00:00Z
            e2e-2,u-2,-1,EUR,completed,2026-11-26T10:00:00Z
            e2e-3,u-3,3.50,USD,pending,

            """.write(to: csv, atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(at: Self.outputDirectory)
        let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/WebTests/browser/e2e.py")

        try await WebApp.application(app.deps).test(.live) { client in
            let port = try #require(client.port)
            let output = try await Self.offload {
                try runProcess(URL(fileURLWithPath: Self.python),
                               [script.path, "http://127.0.0.1:\(port)", Self.outputDirectory.path, csv.path], check: false)
            }
            #expect(output.status == 0, "browser steps:\n\(output.stdoutText)\n\(output.stderrText.suffix(2000))")
        }
        for name in ["ingest-invalid.png", "ingest-valid.png", "upload.png", "kafka-topics.png", "kafka-messages.png", "generator.png", "ingest-phone.png"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: Self.outputDirectory.appendingPathComponent(name).path)[.size] as? Int) ?? 0
            #expect(size > 1000, "screenshot \(name)")
        }
    }

    /// Runs blocking work (waiting for a child process) off the cooperative thread pool.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}

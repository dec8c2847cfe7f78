import Foundation
import KafkaClient
import Testing
import TributaryTesting

/// Stops of `tributary up` on its durable embedded broker lose nothing acknowledged:
/// Ctrl-C right after a large produce, a second Ctrl-C, and the web form after a restart.
@Suite(.ownThread, .serialized) struct StackStopTests {
    /// Issue 19 (a): 200,000 acknowledged records, Ctrl-C within a second, start again:
    /// the table holds each exactly once (hudi-rs). The stop runs in order, one log line a step.
    @Test(.timeLimit(.minutes(15)))
    func ctrlCRightAfterALargeProduceThenRestartHoldsEveryRecordOnce() throws {
        let rounds = TestEnvironment.soak ? 3 : 1
        let stack = try RunningStack(extraArgs: ["--set", "processing.interval=2s"])
        try stack.waitUntilUp()
        var expected = Set<String>()
        var current = stack
        for round in 0..<rounds {
            let (file, keys) = try Durability.recordsFile(in: stack.stateDir, prefix: "r\(round)", count: 200_000)
            expected.formUnion(keys)
            let produced = try current.run(["produce", "user_events", "--file", file.path, "--key-field", "event_id"])
            #expect(produced.status == 0, "\(produced.stderrText.suffix(1000))")
            #expect(produced.stderrText.contains("sent 200000 message(s)"), "\(produced.stderrText.suffix(500))")
            usleep(UInt32.random(in: 0...900_000))
            #expect(current.interrupt(timeout: 120) == 0, "\(current.logText.suffix(3000))")
            let log = current.logText
            let steps = ["stopping the web app", "stopping the processor", "stopping the embedded Kafka broker",
                         "stopping the embedded broker's storage", "tributary stopped"]
            let positions = steps.map { log.range(of: $0)?.lowerBound }
            #expect(positions.allSatisfy { $0 != nil }, "a stop step is not logged:\n\(log.suffix(3000))")
            let found = positions.compactMap { $0 }
            #expect(found == found.sorted(), "stop steps out of order:\n\(log.suffix(3000))")

            current = try RunningStack(stateDir: stack.stateDir, extraArgs: ["--set", "processing.interval=2s"])
            try current.waitUntilUp()
            let keys2 = try Durability.waitForKeys(stack.stateDir, expected, timeout: 300)
            #expect(keys2.count == Set(keys2).count, "duplicate rows: \(keys2.count - Set(keys2).count)")
            #expect(Set(keys2) == expected, "missing \(expected.subtracting(keys2).count), unexpected \(Set(keys2).subtracting(expected).count)")
        }
        #expect(current.interrupt(timeout: 120) == 0)
    }

    /// A second Ctrl-C stops at once (status 130), and still nothing acknowledged is lost.
    @Test(.timeLimit(.minutes(10)))
    func secondCtrlCStopsAtOnceAndLosesNothingAcknowledged() throws {
        let stack = try RunningStack(extraArgs: ["--set", "processing.interval=2s"])
        try stack.waitUntilUp()
        let (file, keys) = try Durability.recordsFile(in: stack.stateDir, prefix: "twice", count: 20_000)
        let produced = try stack.run(["produce", "user_events", "--file", file.path])
        #expect(produced.status == 0, "\(produced.stderrText.suffix(1000))")
        let pids = Durability.childPids(stack.stateDir)
        #expect(pids.count == 2, "\(pids)")
        kill(stack.process.processIdentifier, SIGINT)
        usleep(150_000)
        let began = Date()
        let status = stack.interrupt(timeout: 30)
        #expect(status == 130, "\(stack.logText.suffix(2000))")
        #expect(Date().timeIntervalSince(began) < 10, "the second Ctrl-C did not stop at once")
        #expect(stack.logText.contains("stopping at once"))
        #expect(Durability.wait(10) { pids.values.allSatisfy { !Durability.isAlive($0) } }, "the broker outlived the stop")

        let again = try RunningStack(stateDir: stack.stateDir, extraArgs: ["--set", "processing.interval=1s"])
        try again.waitUntilUp()
        let rows = try Durability.waitForKeys(stack.stateDir, keys, timeout: 180)
        #expect(rows.count == Set(rows).count && Set(rows) == keys, "\(rows.count) rows, \(Set(rows).count) keys of \(keys.count)")
        #expect(again.interrupt(timeout: 120) == 0)
    }

    /// Issue 19 (d): after a stop and a start, the web form's single-record produce is
    /// acknowledged and reaches the table, beside the records of the first run.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "needs curl"), .timeLimit(.minutes(10)))
    func webFormProducesAfterARestart() throws {
        let port = try freeLoopbackPort()
        let args = ["--set", "web.listen=127.0.0.1:\(port)", "--set", "processing.interval=1s"]
        let first = try RunningStack(extraArgs: args)
        try first.waitUntilUp()
        let before = try first.run(["produce", "user_events"], stdin: Durability.userEvent("before-restart"))
        #expect(before.status == 0, "\(before.stderrText)")
        _ = try Durability.waitForKeys(first.stateDir, ["before-restart"], timeout: 120)
        #expect(first.interrupt(timeout: 120) == 0)

        let second = try RunningStack(stateDir: first.stateDir, extraArgs: args)
        try second.waitUntilUp()
        let base = "http://127.0.0.1:\(port)"
        #expect(Durability.wait(30) { second.logText.contains("web app: \(base)/") })
        // A browser's way: the form page sets the CSRF cookie, the post carries it.
        let jar = first.stateDir.appendingPathComponent("cookies.txt").path
        let curl = URL(fileURLWithPath: "/usr/bin/curl")
        let page = try runProcess(curl, ["-s", "-c", jar, "-b", jar, "\(base)/ingest/user_events"], check: false)
        #expect(page.stdoutText.contains("csrf_token"))
        let cookies = (try? String(contentsOfFile: jar, encoding: .utf8)) ?? ""
        let token = cookies.split(separator: "\n").first { $0.contains("tributary_csrf") }?.split(separator: "\t").last.map(String.init) ?? ""
        #expect(token.count == 48, "no CSRF cookie: \(cookies)")
        let form = ["csrf_token=\(token)", "event_id=after-restart", "user_id=u1", "event_type=purchase",
                    "timestamp=2026-11-26T10:00:00Z"]
        let posted = try runProcess(curl, ["-s", "-b", jar, "-w", "\n%{http_code}", "--max-time", "30"]
                                    + form.flatMap { ["--data-urlencode", $0] } + ["\(base)/ingest/user_events"], check: false)
        #expect(posted.stdoutText.hasSuffix("\n200"), "\(posted.stdoutText.suffix(800))")
        #expect(posted.stdoutText.contains("Produced to"))
        let rows = try Durability.waitForKeys(first.stateDir, ["before-restart", "after-restart"], timeout: 120)
        #expect(rows.sorted() == ["after-restart", "before-restart"], "\(rows)")
        #expect(second.interrupt(timeout: 120) == 0)
    }

    /// Issue 19 (5): a second `tributary up` on the same state folder refuses, naming the
    /// first's pid; the first goes on.
    @Test(.timeLimit(.minutes(5)))
    func secondUpOnTheSameStateFolderRefusesNamingTheFirst() throws {
        let stack = try RunningStack()
        try stack.waitUntilUp()
        let second = try CLI.run(["up"], stateDir: stack.stateDir)
        #expect(second.status != 0)
        #expect(second.stderrText.contains("is in use by tributary up (pid \(stack.process.processIdentifier))"), "\(second.stderrText)")
        #expect(stack.process.isRunning)
        #expect(try stack.run(["topics", "list"]).status == 0)
        #expect(stack.interrupt(timeout: 120) == 0)
    }
}

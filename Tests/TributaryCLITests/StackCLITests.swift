import Foundation
import Testing
import TributaryTesting

/// The CLI against a real `tributary up` (embedded broker): topics, produce, consume,
/// groups, and a clean Ctrl-C.
@Suite(.ownThread, .serialized) struct StackCLITests {
    @Test func upSetsUpTopicsAndTheCommandsWork() throws {
        let stack = try RunningStack(extraArgs: ["--set", "processing.interval=1s"])
        try stack.waitUntilUp()

        // Topics created by `up`; `topics setup` again changes nothing.
        let setup = try stack.run(["topics", "setup"])
        #expect(setup.status == 0, "\(setup.stderrText)")
        let setupLines = setup.stdoutText.split(separator: "\n")
        #expect(setupLines.count == 10)
        #expect(setupLines.allSatisfy { $0.hasSuffix("\texists") })
        let list = try stack.run(["topics", "list"])
        for name in ["user_events", "transactions", "sensor_data", "log_events", "bulk_upload", "user_events.dlq"] {
            #expect(list.stdoutText.contains("\n\(name)\t1\t"), "\(name) missing in \(list.stdoutText)")
        }

        // Produce: invalid lines are reported with their line number and not sent.
        let input = """
            {"event_id":"e1","user_id":"u1","event_type":"click","timestamp":"2026-11-26T10:00:00Z"}
            {not json
            {"event_id":"e2","user_id":"u2","event_type":"login","timestamp":"2026-11-26T10:00:01Z"}
            [1,2,3]
            """
        let produced = try stack.run(["produce", "user_events"], stdin: input)
        #expect(produced.status == 1)
        #expect(produced.stderrText.contains("line 2:"))
        #expect(produced.stderrText.contains("line 4:"))
        #expect(produced.stderrText.contains("sent 2 message(s)"))

        // Consume from the beginning as a group: exactly the two valid messages, keyed by event_id.
        let consumed = try stack.run(["consume", "user_events", "--group", "cli-test", "--from-beginning", "--max", "2", "--envelope",
                                        "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500"])
        #expect(consumed.status == 0, "\(consumed.stderrText)")
        let rows = consumed.stdoutText.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(rows.map { $0["key"] as? String } == ["e1", "e2"])
        #expect(rows.map { $0["offset"] as? Int } == [0, 1])

        let groups = try stack.run(["groups", "cli-test"])
        #expect(groups.status == 0, "\(groups.stderrText)")
        #expect(groups.stdoutText.contains("cli-test"))
        #expect(groups.stdoutText.contains("user_events\t0\t2\t"))

        // A record that is JSON but breaks the schema is dead-lettered by the processor
        // with its reason, and `tributary dlq show` lists it.
        let bad = try stack.run(["produce", "user_events"], stdin: #"{"event_id":"e3","user_id":"u3","event_type":"jump","timestamp":"2026-11-26T10:00:02Z"}"#)
        #expect(bad.status == 0, "\(bad.stderrText)")
        var letters = ""
        let dlqDeadline = Date().addingTimeInterval(60)
        while !letters.contains("event_type") && Date() < dlqDeadline {
            usleep(500_000)
            letters = try stack.run(["dlq", "show", "user_events", "--json"]).stdoutText
        }
        #expect(letters.contains("\"stage\":\"schema\""), "\(letters)")
        #expect(letters.contains("'event_type' must be one of"), "\(letters)")
        #expect(letters.contains("\"source\":\"user_events[0]@2\""), "\(letters)")

        // Replay: the dead letter still fails as is (listed, not sent); fixed in the
        // `dlq show --json` line it is sent back and reaches the table with the others.
        let asIs = try stack.run(["dlq", "replay", "user_events"])
        #expect(asIs.status == 0, "\(asIs.stderrText)")
        #expect(asIs.stdoutText.contains("sent 0"), "\(asIs.stdoutText)")
        #expect(asIs.stderrText.contains("still invalid (schema)"), "\(asIs.stderrText)")
        let letterLine = letters.split(separator: "\n").first { $0.contains("\"e3\"") }.map(String.init) ?? ""
        let fixedFile = stack.stateDir.appendingPathComponent("fixed.jsonl")
        try (letterLine.replacingOccurrences(of: "jump", with: "click") + "\n"
             + #"{"event_id":"e4","user_id":"u4","event_type":"nope","timestamp":"2026-11-26T10:00:03Z"}"#)
            .write(to: fixedFile, atomically: true, encoding: .utf8)
        let fixed = try stack.run(["dlq", "replay", "user_events", "--file", fixedFile.path])
        #expect(fixed.status == 1, "one fixed line is still invalid: \(fixed.stderrText)")
        #expect(fixed.stdoutText.contains("sent 1"), "\(fixed.stdoutText)")
        #expect(fixed.stderrText.contains("line 2: still invalid"), "\(fixed.stderrText)")

        // The processor commits the two valid events and the replayed one into the lake's Hudi table.
        var lakeRows: [Substring] = []
        let lakeDeadline = Date().addingTimeInterval(60)
        while lakeRows.count < 3 && Date() < lakeDeadline {
            usleep(500_000)
            let read = try stack.run(["tables", "read", stack.stateDir.appendingPathComponent("lake/user_events").path])
            lakeRows = read.status == 0 ? read.stdoutText.split(separator: "\n") : []
        }
        #expect(lakeRows.count == 3, "\(stack.logText.suffix(2000))")
        #expect(lakeRows.contains { $0.contains("\"event_id\":\"e1\"") } && lakeRows.contains { $0.contains("\"event_id\":\"e2\"") })
        #expect(lakeRows.contains { $0.contains("\"event_id\":\"e3\"") && $0.contains("click") })

        // The generator produces the records it is asked for, at the rate.
        let generated = try stack.run(["generate", "--topic", "sensor_data", "--count", "50", "--rate", "500", "--seed", "3"])
        #expect(generated.status == 0, "\(generated.stderrText)")
        let sensorRows = try stack.run(["consume", "sensor_data", "--from-beginning", "--max", "50", "--idle-exit", "10"])
        let sensorLines = sensorRows.stdoutText.split(separator: "\n")
        #expect(sensorLines.count == 50)
        #expect(sensorLines.allSatisfy { $0.contains("\"reading_id\"") })
        let badRatio = try stack.run(["generate", "--update-ratio", "0.9", "--delete-ratio", "0.9"])
        #expect(badRatio.status != 0 && badRatio.stderrText.contains("more than 1"))

        // Ctrl-C stops everything: exit 0, no broker left, no state file.
        let brokerPID = try String(contentsOf: stack.stateDir.appendingPathComponent(".tributary/broker"), encoding: .utf8)
        #expect(!brokerPID.isEmpty)
        #expect(stack.interrupt() == 0)
        #expect(!FileManager.default.fileExists(atPath: stack.stateDir.appendingPathComponent(".tributary/broker").path))
        let port = brokerPID.split(separator: " ").first.flatMap { $0.split(separator: ":").last }.flatMap { Int($0) } ?? 0
        #expect(port > 0)
        usleep(500_000)
        #expect(!isListening(port: port), "the embedded broker still listens after Ctrl-C")
    }

    @Test func commandsWithoutAClusterSayWhatToDo() throws {
        let stateDir = try TestEnvironment.temporaryDirectory("tributary-cli")
        let result = try CLI.run(["topics", "list"], stateDir: stateDir, env: ["TRIBUTARY_KAFKA_BOOTSTRAP_SERVERS": ""])
        #expect(result.status != 0)
        #expect(result.stderrText.contains("no Kafka cluster configured"))
        let started = Date()
        let unreachable = try CLI.run(["topics", "list", "--bootstrap-servers", "127.0.0.1:1", "--timeout", "2"], stateDir: stateDir)
        // A 2 s timeout: fails in about 2 s, not after librdkafka's minutes of retries
        // (generous bound: the machine runs every test at once).
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(unreachable.status != 0)
        #expect(unreachable.stderrText.contains("127.0.0.1:1"))
    }

    @Test func killedStackLeavesNoBrokerBehind() throws {
        let stack = try RunningStack()
        try stack.waitUntilUp()
        let state = try String(contentsOf: stack.stateDir.appendingPathComponent(".tributary/broker"), encoding: .utf8)
        let port = state.split(separator: " ").first.flatMap { $0.split(separator: ":").last }.flatMap { Int($0) } ?? 0
        #expect(isListening(port: port))
        kill(stack.process.processIdentifier, SIGKILL)
        let deadline = Date().addingTimeInterval(5)
        while isListening(port: port) && Date() < deadline { usleep(100_000) }
        #expect(!isListening(port: port), "an orphaned broker outlived kill -9 of tributary up")
    }
}

import Foundation
import Hudi
import Testing
import TributaryCore
import TributaryTesting

/// Three `tributary process` in one consumer group over 6-partition topics, as a Kubernetes
/// Deployment runs them: a rolling restart (SIGTERM one at a time, a replacement started
/// after each exit, the next step only once it is ready, as `maxUnavailable: 1`, `maxSurge: 0`
/// and the `/readyz` probe of deploy/kubernetes/processor.yaml make it) and one kill -9,
/// while a producer runs. Every table equals the model (hudi-rs), each dead letter is sent
/// once, and commits go on through every step.
///
/// (Waiting for readiness also keeps the test off a Tansu 0.6 bug that Kafka does not have:
/// a leader that leaves while the group re-forms wedges the group for good — see the README,
/// "Several processors on it". SIGTERM without waiting hit it in about one run of three on
/// a loaded machine.)
@Suite(.ownThread, .serialized) struct ProcessorScaleOutTests {
    @Test func threeProcessorsSurviveARollingRestartAndAKill() async throws {
        let rig = try await ProcessorCrashTests.Rig.make(partitions: 6)
        defer { rig.broker.stop() }
        var model = try await rig.feed(10, seed: 301)
        let feeder = Task { try await rig.feed(nil, seed: 302) }
        let ports = try (0..<3).map { _ in try freeLoopbackPort() }
        var processors = try ports.map { try rig.startProcessor(metricsPort: $0) }
        defer { for p in processors where p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let started = rig.commits()
        #expect(try await rig.waitForCommits(after: started, count: 6), "three processors never committed")
        for (index, port) in ports.enumerated() {
            #expect(try await waitUntilReady(port), "processor \(index) never became ready")
        }

        // Rolling restart: each old pod gets SIGTERM, exits cleanly, and a new one replaces it.
        for index in 0..<3 {
            let old = processors[index]
            kill(old.processIdentifier, SIGTERM)
            let exited = try await waitForExit(old, timeout: .seconds(30))
            #expect(exited && old.terminationStatus == 0, "processor \(index) did not stop cleanly on SIGTERM")
            processors[index] = try rig.startProcessor(metricsPort: ports[index])
            let before = rig.commits()
            #expect(try await waitUntilReady(ports[index]), "the replacement of processor \(index) never became ready")
            #expect(try await rig.waitForCommits(after: before, count: 3), "no commits after restarting processor \(index)")
        }

        // One dies at a random moment; its replacement and the others take over.
        var random = SeededRandom(seed: 303)
        try await Task.sleep(for: .milliseconds(Int64.random(in: 0...700, using: &random)))
        kill(processors[1].processIdentifier, SIGKILL)
        _ = try await waitForExit(processors[1], timeout: .seconds(10))
        processors[1] = try rig.startProcessor(metricsPort: ports[1])
        let afterKill = rig.commits()
        #expect(try await waitUntilReady(ports[1]), "the replacement of the killed processor never became ready")
        #expect(try await rig.waitForCommits(after: afterKill, count: 3), "no commits after the kill")

        feeder.cancel()
        model.add(try await feeder.value)
        let covered = try await rig.waitCovered(model.produced)
        for p in processors { kill(p.processIdentifier, SIGTERM) }
        for p in processors { _ = try await waitForExit(p, timeout: .seconds(30)) }
        #expect(covered, "the group did not catch up")
        try await rig.verify(model)

        // The longest pause between commits of the whole group, rebalances included (printed:
        // on 2 shared cores it is a measurement, not a limit a test can hold).
        let times = rig.commitInstants().compactMap { InstantTimeGenerator.millis(of: $0) }
        let longest = zip(times, times.dropFirst()).map { $1 - $0 }.max() ?? 0
        print("scale-out: \(times.count) commits, longest pause between commits \(longest) ms (interval 300 ms)")
    }

    /// Waits until the processor serving on `port` answers `/readyz` with 200 (partitions
    /// assigned, broker and lake reachable); false after `timeout`.
    func waitUntilReady(_ port: Int, timeout: Duration = .seconds(60)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? MonitoringStackCLITests.get("http://127.0.0.1:\(port)/readyz"))?.status == 200 { return true }
            try await Task.sleep(for: .milliseconds(300))
        }
        return false
    }

    /// Waits off the cooperative pool until `process` exits; false after `timeout`.
    func waitForExit(_ process: Process, timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(50))
        }
        return true
    }
}

import Foundation
import KafkaClient
import TributaryCore
import Testing
import TributaryTesting

/// Crashes of `tributary up` and of its broker lose nothing acknowledged: the embedded
/// broker keeps its log on SeaweedFS under the state folder, and the processor's
/// checkpoints live in the Hudi commits.
@Suite(.ownThread, .serialized) struct StackCrashTests {
    /// Issue 19 (b): kill -9 of `tributary up` and its broker at random moments while a
    /// producer runs, restart each time: every acknowledged record is in the table exactly
    /// once, and nothing else is (hudi-rs).
    @Test(.timeLimit(.minutes(20)))
    func killNineOfUpAndItsBrokerWhileProducingLosesNoAcknowledgedRecord() async throws {
        let kills = TestEnvironment.soak ? 30 : 5
        let args = ["--set", "processing.interval=1s"]
        var stack = try RunningStack(extraArgs: args)
        try stack.waitUntilUp()
        let feeder = AcknowledgingFeeder(stateDir: stack.stateDir)
        feeder.start(prefix: "k")
        var random = SeededRandom(seed: 19)
        for kill in 0..<kills {
            // Let the feeder and the processor work a random while (some batches committed,
            // some acknowledged and not yet read), then kill both processes at once.
            let acknowledged = feeder.acknowledged.count
            #expect(await Self.wait(60) { feeder.acknowledged.count > acknowledged }, "round \(kill): nothing acknowledged")
            try await Task.sleep(for: .milliseconds(Int64.random(in: 200...2500, using: &random)))
            let children = Durability.childPids(stack.stateDir)
            Glibc.kill(stack.process.processIdentifier, SIGKILL)
            if let tansu = children["tansu"] { Glibc.kill(tansu, SIGKILL) }
            stack.process.waitUntilExit()
            // The kernel takes the broker's storage down with `up` (parent-death signal).
            #expect(await Self.wait(10) { children.values.allSatisfy { !Durability.isAlive($0) } },
                    "round \(kill): a child of the killed stack lives on: \(children)")
            stack = try RunningStack(stateDir: stack.stateDir, extraArgs: args)
            try stack.waitUntilUp(timeout: 120)
        }
        // A last stretch of feeding, then the recovered stack catches up.
        try await Task.sleep(for: .seconds(2))
        await feeder.stop()
        let acknowledged = feeder.acknowledged, attempted = feeder.attempted
        #expect(acknowledged.count > kills * 50, "only \(acknowledged.count) records acknowledged")
        let keys = try Durability.waitForKeys(stack.stateDir, acknowledged, timeout: 240)
        let table = Set(keys)
        #expect(keys.count == table.count, "duplicate rows: \(keys.count - table.count)")
        #expect(acknowledged.isSubset(of: table), "acknowledged but lost: \(acknowledged.subtracting(table).count) of \(acknowledged.count), e.g. \(acknowledged.subtracting(table).sorted().prefix(5))")
        #expect(table.isSubset(of: attempted), "rows nobody produced: \(table.subtracting(attempted).prefix(5))")
        #expect(stack.logText.contains("did not stop cleanly"), "the restart after kill -9 did not notice the crash")
        #expect(stack.interrupt(timeout: 120) == 0)
    }

    /// Issue 19 (c): kill -9 of the broker alone mid-stream: `tributary up` restarts it on
    /// the same address, the processor pauses and resumes, nothing is lost.
    @Test(.timeLimit(.minutes(10)))
    func killNineOfTheBrokerAloneIsRestartedAndTheProcessorResumes() async throws {
        let stack = try RunningStack(extraArgs: ["--set", "processing.interval=1s"])
        try stack.waitUntilUp()
        let address = Durability.brokerAddress(stack.stateDir)
        let feeder = AcknowledgingFeeder(stateDir: stack.stateDir)
        feeder.start(prefix: "b")
        #expect(await Self.wait(60) { feeder.acknowledged.count >= 500 })
        let before = Durability.childPids(stack.stateDir)
        let tansu = try #require(before["tansu"])
        Glibc.kill(tansu, SIGKILL)
        // Restarted by `up`: a new pid, the same address.
        #expect(await Self.wait(60) { (Durability.childPids(stack.stateDir)["tansu"] ?? tansu) != tansu }, "\(stack.logText.suffix(2000))")
        #expect(stack.logText.contains("tansu exited unexpectedly; restarting"))
        #expect(Durability.brokerAddress(stack.stateDir) == address)
        let acknowledged = feeder.acknowledged.count
        #expect(await Self.wait(60) { feeder.acknowledged.count > acknowledged + 500 }, "producing did not resume")
        await feeder.stop()
        let keys = try Durability.waitForKeys(stack.stateDir, feeder.acknowledged, timeout: 180)
        #expect(keys.count == Set(keys).count, "duplicate rows")
        #expect(feeder.acknowledged.isSubset(of: Set(keys)), "lost: \(feeder.acknowledged.subtracting(keys).count)")
        #expect(stack.process.isRunning, "tributary up died with its broker")
        #expect(stack.interrupt(timeout: 120) == 0)
    }

    static func wait(_ seconds: Double, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return condition()
    }
}

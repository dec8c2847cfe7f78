import Foundation
import Logging

/// Keeps one child process running as a service: starts it and waits until it is ready,
/// starts it again (after a growing delay) whenever it exits without being asked, and
/// stops it gracefully on request. Each restart is one log line.
public final class ProcessSupervisor: @unchecked Sendable {
    public struct Policy: Sendable {
        /// How long a (re)started child may take to become ready.
        public var readyTimeout: Duration = .seconds(30)
        /// Pauses between restarts (its attempt limit is not used: restarts go on until stopped).
        public var backoff = RetryPolicy(maxAttempts: .max, baseDelay: 0.2, maxDelay: 5)
        /// A child that ran this long was healthy: the next restart waits `backoff.initial` again.
        public var healthyAfter: Duration = .seconds(30)
        public init() {}
    }

    public let name: String
    public let policy: Policy
    private let makeSpec: @Sendable () throws -> ChildProcessSpec
    private let readiness: @Sendable (ChildProcess) async -> Bool
    private let logger: Logger
    private let lock = NSLock()
    private var current: ChildProcess?
    private var stopped = false
    private var restartCount = 0
    private var startHandlers: [@Sendable (ChildProcess) -> Void] = []

    /// - Parameters:
    ///   - spec: what to run; asked again for every (re)start.
    ///   - readiness: answers true once the child serves (polled until `policy.readyTimeout`).
    public init(name: String, policy: Policy = Policy(), logger: Logger,
                spec: @escaping @Sendable () throws -> ChildProcessSpec,
                readiness: @escaping @Sendable (ChildProcess) async -> Bool) {
        self.name = name
        self.policy = policy
        self.logger = logger
        self.makeSpec = spec
        self.readiness = readiness
    }

    /// Calls `handler` with every child started from now on (e.g. to note its pid).
    public func onStart(_ handler: @escaping @Sendable (ChildProcess) -> Void) {
        lock.withLock { startHandlers.append(handler) }
    }

    /// The child of the moment (the last one started).
    public var child: ChildProcess? { lock.withLock { current } }
    /// Its pid while it runs.
    public var pid: Int32? { child.flatMap { $0.isRunning ? $0.pid : nil } }
    /// Restarts after unasked exits so far.
    public var restarts: Int { lock.withLock { restartCount } }
    private var isStopped: Bool { lock.withLock { stopped } }

    /// Starts the child and waits until it is ready; throws (with the end of its log) when
    /// it exits first or is not ready in time, after killing it.
    @discardableResult
    public func start() async throws -> ChildProcess {
        let child = try ChildProcess.spawn(try makeSpec(), logger: logger)
        let handlers = lock.withLock { () -> [@Sendable (ChildProcess) -> Void]? in
            if stopped { return nil }
            current = child
            return startHandlers
        }
        guard let handlers else {
            child.kill()
            throw CancellationError()
        }
        for handler in handlers { handler(child) }
        do {
            try await child.waitUntilReady(timeout: policy.readyTimeout) { await self.readiness(child) }
        } catch {
            child.kill()
            _ = await child.waitForExit(timeout: .seconds(10))
            throw error
        }
        return child
    }

    /// Watches the child until `stop()` or cancellation, restarting it whenever it exits
    /// unasked (a failed restart is retried after the next, longer delay).
    public func supervise() async {
        var attempt = 0
        while let child, !isStopped, !Task.isCancelled {
            guard let ended = await child.waitForExit() else { return }
            if isStopped { return }
            if ContinuousClock.now - child.startedAt >= policy.healthyAfter { attempt = 0 }
            attempt += 1
            let delay = Duration.milliseconds(Int64(policy.backoff.delay(afterAttempt: attempt) * 1000))
            lock.withLock { restartCount += 1 }
            logger.warning("\(name) exited unexpectedly; restarting", metadata: [
                "status": "\(ended)", "delay": "\(delay)", "attempt": "\(attempt)"])
            try? await Task.sleep(for: delay)
            if isStopped || Task.isCancelled { return }
            do {
                try await start()
            } catch is CancellationError {
                return
            } catch {
                logger.error("\(name) did not restart", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Stops supervising and stops the child gracefully (bounded, see `ChildProcessSpec.stopTimeout`).
    public func stop() async {
        let child = lock.withLock { () -> ChildProcess? in
            stopped = true
            return current
        }
        await child?.stop()
    }

    /// `stop()` for synchronous callers.
    public func stopBlocking() {
        let child = lock.withLock { () -> ChildProcess? in
            stopped = true
            return current
        }
        child?.stopBlocking()
    }

    /// Stops supervising and kills the child at once (SIGKILL, no wait).
    public func kill() {
        let child = lock.withLock { () -> ChildProcess? in
            stopped = true
            return current
        }
        child?.kill()
    }
}

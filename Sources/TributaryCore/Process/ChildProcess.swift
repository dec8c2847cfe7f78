import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One running child process: started from a `ChildProcessSpec`, awaited until ready,
/// stopped gracefully (the stop signal, a bounded wait, then SIGKILL) and reaped. Every
/// state change is one log line: started, ready, exited (unasked) or stopped.
public final class ChildProcess: @unchecked Sendable {
    public let spec: ChildProcessSpec
    /// The write end of the child's standard input (`.pipe` only).
    public let standardInput: FileHandle?
    /// The read ends of its standard output and error (`.pipe` only).
    public let standardOutput: FileHandle?
    public let standardError: FileHandle?
    public private(set) var pid: Int32 = 0
    public private(set) var startedAt = ContinuousClock.now

    private let process = Process()
    private let logger: Logger
    private let state = NSCondition()
    private var ended: ChildTermination?
    private var stopRequested = false
    private var waiters: [Int: CheckedContinuation<ChildTermination?, Never>] = [:]
    private var nextWaiter = 0

    /// Starts the child (from the one long-lived spawn thread, see `SpawnThread`).
    public static func spawn(_ spec: ChildProcessSpec, logger: Logger) throws -> ChildProcess {
        let child = try ChildProcess(spec: spec, logger: logger)
        try SpawnThread.run { try child.launch() }
        child.logger.log(level: spec.logLevel, "\(spec.name) started", metadata: ["pid": "\(child.pid)"])
        return child
    }

    private init(spec: ChildProcessSpec, logger: Logger) throws {
        self.spec = spec
        self.logger = logger
        let (command, arguments) = ProcessWrapper.command(for: spec)
        process.executableURL = command
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        if !spec.inheritsEnvironment {
            environment = environment.filter { ["PATH", "HOME", "TMPDIR", "USER", "LANG", "TZ"].contains($0.key) }
        }
        process.environment = environment.merging(spec.environment) { $1 }
        if let directory = spec.currentDirectory { process.currentDirectoryURL = directory }
        switch spec.standardInput {
        case .null:
            process.standardInput = FileHandle.nullDevice
            standardInput = nil
        case .pipe:
            let pipe = Pipe()
            process.standardInput = pipe
            standardInput = pipe.fileHandleForWriting
        }
        (process.standardOutput, standardOutput) = try Self.output(spec.standardOutput)
        (process.standardError, standardError) = try Self.output(spec.standardError)
        process.terminationHandler = { [weak self] process in
            let termination: ChildTermination = process.terminationReason == .uncaughtSignal
                ? .signalled(process.terminationStatus) : .exited(process.terminationStatus)
            self?.finished(termination)
        }
    }

    private static func output(_ output: ChildProcessSpec.Output) throws -> (Any, FileHandle?) {
        switch output {
        case .null: return (FileHandle.nullDevice, nil)
        case .pipe:
            let pipe = Pipe()
            return (pipe, pipe.fileHandleForReading)
        case .file(let url):
            if !FileManager.default.fileExists(atPath: url.path) {
                _ = FileManager.default.createFile(atPath: url.path, contents: nil)
            }
            let handle = try FileHandle(forWritingTo: url)
            _ = try handle.seekToEnd()
            return (handle, nil)
        }
    }

    private func launch() throws {
        do {
            try process.run()
        } catch {
            throw ChildProcessError(name: spec.name, reason: "cannot start \(spec.executable.path): \(error)")
        }
        pid = process.processIdentifier
        startedAt = .now
    }

    private func finished(_ termination: ChildTermination) {
        state.lock()
        ended = termination
        let asked = stopRequested
        let resumed = waiters.values
        waiters.removeAll()
        state.broadcast()
        state.unlock()
        for waiter in resumed { waiter.resume(returning: termination) }
        if !asked {
            logger.log(level: termination == .exited(0) ? spec.logLevel : .warning, "\(spec.name) exited",
                       metadata: ["pid": "\(pid)", "status": "\(termination)"])
        }
    }

    /// How it ended; nil while it runs.
    public var termination: ChildTermination? { state.withLock { ended } }
    public var isRunning: Bool { termination == nil }

    /// Sends a signal (nothing once it has ended).
    public func signal(_ signal: Int32) {
        guard isRunning else { return }
        sendSignal(pid, signal)
    }

    /// SIGKILL, without waiting (a deliberate end: logged as such, not as a crash).
    public func kill() {
        guard beginStop() else { return }
        signal(SIGKILL)
        logger.log(level: spec.logLevel, "\(spec.name) killed", metadata: ["pid": "\(pid)"])
    }

    /// Waits for the end; nil when the waiting task is cancelled first.
    public func waitForExit() async -> ChildTermination? {
        let id = state.withLock { () -> Int in
            nextWaiter += 1
            return nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ChildTermination?, Never>) in
                state.lock()
                if let ended {
                    state.unlock()
                    continuation.resume(returning: ended)
                } else if Task.isCancelled {
                    state.unlock()
                    continuation.resume(returning: nil)
                } else {
                    waiters[id] = continuation
                    state.unlock()
                }
            }
        } onCancel: {
            let waiter = state.withLock { waiters.removeValue(forKey: id) }
            waiter?.resume(returning: nil)
        }
    }

    /// Waits at most `timeout` for the end; nil when it still runs.
    public func waitForExit(timeout: Duration) async -> ChildTermination? {
        await withTaskGroup(of: ChildTermination?.self) { group in
            group.addTask { await self.waitForExit() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? termination
        }
    }

    /// Blocks the calling thread until the end (for synchronous callers such as `deinit`).
    @discardableResult
    public func waitForExitBlocking() -> ChildTermination {
        state.lock()
        defer { state.unlock() }
        while true {
            if let ended { return ended }
            state.wait()
        }
    }

    /// Graceful stop: the stop signal, up to `spec.stopTimeout` for the child to exit,
    /// then SIGKILL. Logs how it ended and how long it took.
    @discardableResult
    public func stop() async -> ChildTermination {
        let began = ContinuousClock.now
        guard beginStop() else { return termination ?? .signalled(SIGKILL) }
        signal(spec.stopSignal)
        if let done = await waitForExit(timeout: spec.stopTimeout) {
            logStopped(done, since: began, forced: false)
            return done
        }
        signal(SIGKILL)
        let done = await waitForExit(timeout: .seconds(30)) ?? .signalled(SIGKILL)
        logStopped(done, since: began, forced: true)
        return done
    }

    /// `stop()` for synchronous callers: blocks the calling thread.
    @discardableResult
    public func stopBlocking() -> ChildTermination {
        let began = ContinuousClock.now
        guard beginStop() else { return termination ?? .signalled(SIGKILL) }
        signal(spec.stopSignal)
        let deadline = Date().addingTimeInterval(Self.seconds(spec.stopTimeout))
        state.lock()
        while ended == nil && state.wait(until: deadline) {}
        let graceful = ended
        state.unlock()
        if let graceful {
            logStopped(graceful, since: began, forced: false)
            return graceful
        }
        signal(SIGKILL)
        let done = waitForExitBlocking()
        logStopped(done, since: began, forced: true)
        return done
    }

    /// Marks the end as asked for; false when the child had ended already.
    private func beginStop() -> Bool {
        state.withLock {
            stopRequested = true
            return ended == nil
        }
    }

    private func logStopped(_ termination: ChildTermination, since began: ContinuousClock.Instant, forced: Bool) {
        let seconds = String(format: "%.2f", Self.seconds(ContinuousClock.now - began))
        if forced {
            logger.warning("\(spec.name) did not stop within \(spec.stopTimeout); killed",
                           metadata: ["pid": "\(pid)", "status": "\(termination)", "seconds": "\(seconds)"])
        } else {
            logger.log(level: spec.logLevel, "\(spec.name) stopped", metadata: ["pid": "\(pid)", "status": "\(termination)", "seconds": "\(seconds)"])
        }
    }

    /// Polls `isReady` until it answers true; throws when the child exits first or the
    /// time runs out (with the end of its log).
    public func waitUntilReady(timeout: Duration, interval: Duration = .milliseconds(100),
                               _ isReady: @Sendable () async -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let ended = termination {
                throw ChildProcessError(name: spec.name, reason: "exited before it was ready (\(ended))", logTail: logTail())
            }
            if await isReady() {
                logger.log(level: spec.logLevel, "\(spec.name) ready", metadata: [
                    "pid": "\(pid)", "seconds": "\(String(format: "%.2f", Self.seconds(ContinuousClock.now - startedAt)))"])
                return
            }
            try await Task.sleep(for: interval)
        }
        throw ChildProcessError(name: spec.name, reason: "not ready within \(timeout)", logTail: logTail())
    }

    /// The end of the child's log file (empty when it logs elsewhere).
    public func logTail(_ bytes: Int = 2000) -> String {
        guard let url = spec.logFile, let handle = try? FileHandle(forReadingFrom: url) else { return "" }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > UInt64(bytes) ? size - UInt64(bytes) : 0)
        return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

private func sendSignal(_ pid: Int32, _ signal: Int32) {
    _ = kill(pid, signal)
}

import Foundation
import Logging
import TributaryCore
#if canImport(Glibc)
import Glibc
#endif

/// The captured result of a finished process.
public struct ProcessOutput: Sendable {
    public var status: Int32
    public var stdout: Data
    public var stderr: Data
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }

    public init(status: Int32, stdout: Data, stderr: Data) {
        (self.status, self.stdout, self.stderr) = (status, stdout, stderr)
    }
}

public struct ProcessFailure: Error, CustomStringConvertible {
    public var command: String
    public var output: ProcessOutput

    public var description: String {
        "\(command) exited with \(output.status): \(output.stderrText.suffix(4000))"
    }
}

// In an extension so the struct keeps its memberwise init (for `run`, which has the real output).
extension ProcessFailure {
    /// A failure without a finished process (it did not start, or was not waited for):
    /// status -1, `message` as its error output.
    public init(command: String, message: String) {
        self.init(command: command, output: ProcessOutput(status: -1, stdout: Data(), stderr: Data(message.utf8)))
    }
}

/// Runs a program to completion, feeding `stdin`, and captures its output.
/// Output is read concurrently so large outputs never dead-lock on a full pipe.
@discardableResult
public func runProcess(
    _ executable: URL, _ arguments: [String], stdin: Data? = nil,
    environment: [String: String]? = nil, check: Bool = true
) throws -> ProcessOutput {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let environment {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
    process.standardOutput = outPipe
    process.standardError = errPipe
    process.standardInput = stdin == nil ? FileHandle.nullDevice : inPipe
    try process.run()
    let group = DispatchGroup()
    nonisolated(unsafe) var out = Data(), err = Data()
    DispatchQueue.global().async(group: group) { out = outPipe.fileHandleForReading.readDataToEndOfFile() }
    DispatchQueue.global().async(group: group) { err = errPipe.fileHandleForReading.readDataToEndOfFile() }
    if let stdin {
        inPipe.fileHandleForWriting.write(stdin)
        try? inPipe.fileHandleForWriting.close()
    }
    process.waitUntilExit()
    group.wait()
    let output = ProcessOutput(status: process.terminationStatus, stdout: out, stderr: err)
    if check && output.status != 0 {
        throw ProcessFailure(command: ([executable.path] + arguments).joined(separator: " "), output: output)
    }
    return output
}

/// Runs `.venv/bin/python` with a script file (or `-c CODE`) and arguments.
@discardableResult
public func runPython(_ arguments: [String], stdin: Data? = nil, check: Bool = true) throws -> ProcessOutput {
    try runProcess(TestEnvironment.python, arguments, stdin: stdin, check: check)
}

/// A free TCP port on 127.0.0.1 (bound then released; good enough for test servers).
public func freeLoopbackPort() throws -> Int { try LoopbackPorts.free() }

/// True when something accepts TCP connections on 127.0.0.1:`port`.
public func isListening(port: Int) -> Bool { LoopbackPorts.isListening(port) }

/// A long-running child (a test server such as moto_server): started, awaited until
/// its port answers, and killed when stopped or deinitialised (and by the kernel when the
/// test process dies: a `ChildProcess` with a parent-death signal).
public final class ManagedProcess: @unchecked Sendable {
    public let child: ChildProcess
    public let port: Int

    /// Starts `executable` and waits up to `timeout` seconds until `port` accepts connections.
    public init(
        _ executable: URL, _ arguments: [String], port: Int,
        environment: [String: String] = [:], timeout: Double = 30
    ) throws {
        self.port = port
        let logURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(executable.lastPathComponent)-\(port).log")
        try? FileManager.default.removeItem(at: logURL)
        var spec = ChildProcessSpec(name: executable.lastPathComponent, executable: executable, arguments: arguments)
        spec.environment = environment
        spec.standardOutput = .file(logURL)
        spec.standardError = .file(logURL)
        spec.logLevel = .debug
        child = try ChildProcess.spawn(spec, logger: Logger(label: "tributary.testing"))
        let deadline = Date().addingTimeInterval(timeout)
        while !isListening(port: port) {
            guard child.isRunning, Date() < deadline else {
                let text = child.logTail()
                stop()
                throw ProcessFailure(
                    command: ([executable.path] + arguments).joined(separator: " "),
                    output: ProcessOutput(status: -1, stdout: Data(), stderr: Data("did not listen on \(port): \(text)".utf8)))
            }
            usleep(50_000)
        }
    }

    public var pid: Int32 { child.pid }
    public var isRunning: Bool { child.isRunning }

    /// Kills the process (SIGKILL by default, like a crash) and waits for it.
    public func stop(signal: Int32 = SIGKILL) {
        guard child.isRunning else { return }
        if signal == SIGKILL { child.kill() } else { child.signal(signal) }
        child.waitForExitBlocking()
    }

    deinit { stop() }
}

// MARK: servers shared by a whole test run

/// Process ids killed when the test process exits normally (`ManagedProcess.stopAtExit`):
/// a server shared by all tests of a run has no owner whose deinit would stop it.
nonisolated(unsafe) private var exitKillList: [pid_t] = []
private let exitKillLock = NSLock()
private let registerExitHook: Void = {
    atexit {
        exitKillLock.lock()
        for pid in exitKillList { kill(pid, SIGKILL) }
        exitKillLock.unlock()
    }
}()

extension ManagedProcess {
    /// Kills this process when the test process exits (for servers shared by many tests).
    public func stopAtExit() {
        _ = registerExitHook
        exitKillLock.lock()
        exitKillList.append(pid)
        exitKillLock.unlock()
    }
}

/// ``runProcess(_:_:stdin:environment:check:)`` on a thread of its own: a test awaiting a
/// child then holds none of the cooperative pool's threads (two on a 2-core machine,
/// shared by every test running at once) for the child's lifetime.
public func runProcessAsync(
    _ executable: URL, _ arguments: [String], stdin: Data? = nil,
    environment: [String: String]? = nil, check: Bool = true
) async throws -> ProcessOutput {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            continuation.resume(with: Result {
                try runProcess(executable, arguments, stdin: stdin, environment: environment, check: check)
            })
        }.start()
    }
}

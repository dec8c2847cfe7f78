import Foundation
import TributaryTesting

/// The `tributary` binary built next to the test bundle.
enum CLI {
    static var binary: URL { TestEnvironment.tributaryBinary }

    /// Runs `tributary ARGS` to completion (never throws on a non-zero exit); with
    /// `stateDir`, against the stack whose working folder it is (state in `.tributary/`).
    static func run(_ args: [String], stdin: String? = nil, stateDir: URL? = nil, env: [String: String] = [:]) throws -> ProcessOutput {
        var environment = env
        if let stateDir { environment["TRIBUTARY_STATE_DIR"] = stateFolder(stateDir).path }
        return try runProcess(binary, args, stdin: stdin.map { Data($0.utf8) }, environment: environment, check: false)
    }

    /// The state folder (`state_dir`) of a stack whose working folder is `dir`.
    static func stateFolder(_ dir: URL) -> URL { dir.appendingPathComponent(".tributary") }
}

/// `tributary up` running as a child process in its own working folder (the lake in
/// `lake/`, the state in `.tributary/`); a second one on the same folder restarts the stack.
final class RunningStack: @unchecked Sendable {
    let process = Process()
    let stateDir: URL
    let log: URL
    var stateFolder: URL { CLI.stateFolder(stateDir) }

    init(stateDir existing: URL? = nil, extraArgs: [String] = []) throws {
        stateDir = try existing ?? TestEnvironment.temporaryDirectory("tributary-cli")
        log = stateDir.appendingPathComponent("up-\(UUID().uuidString.prefix(6)).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.executableURL = CLI.binary
        process.arguments = ["up"] + extraArgs
        process.currentDirectoryURL = stateDir
        var env = ProcessInfo.processInfo.environment
        env["TRIBUTARY_STATE_DIR"] = CLI.stateFolder(stateDir).path
        env.removeValue(forKey: "TRIBUTARY_KAFKA_BOOTSTRAP_SERVERS")
        process.environment = env
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Waits until the stack printed that it is up.
    func waitUntilUp(timeout: Double = 60) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !logText.contains("tributary is up") {
            guard process.isRunning, Date() < deadline else {
                throw ProcessFailure(command: "tributary up", message: logText)
            }
            usleep(100_000)
        }
    }

    func run(_ args: [String], stdin: String? = nil) throws -> ProcessOutput {
        try CLI.run(args, stdin: stdin, stateDir: stateDir)
    }

    /// Ctrl-C, then wait for the exit status.
    func interrupt(timeout: Double = 20) -> Int32? {
        kill(process.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        return process.terminationStatus
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

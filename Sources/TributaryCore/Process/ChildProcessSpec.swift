import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// What to run as a child process and how: program, environment, standard streams, and
/// how it is stopped.
public struct ChildProcessSpec: Sendable {
    public enum Input: Sendable { case null, pipe }
    public enum Output: Sendable {
        case null
        case pipe
        /// Appended to (created when missing), so the log of a restarted child keeps its past.
        case file(URL)
    }

    /// Names the child in log lines (`tansu`, `seaweedfs`, `duckdb`, ...).
    public var name: String
    public var executable: URL
    public var arguments: [String]
    /// Added to the environment the child inherits (a value here wins).
    public var environment: [String: String] = [:]
    /// False: the child inherits only PATH, HOME, TMPDIR, USER, LANG and TZ of ours (a
    /// server configured by environment variables, such as AWS_*, sees only `environment`).
    public var inheritsEnvironment = true
    public var currentDirectory: URL?
    public var standardInput: Input = .null
    public var standardOutput: Output = .null
    public var standardError: Output = .null
    /// The kernel kills the child when this process dies, even by `kill -9` (Linux, through
    /// util-linux's `setpriv --pdeathsig`), so no child outlives us.
    public var diesWithParent = true
    /// `stop` sends this signal, waits up to `stopTimeout`, then sends SIGKILL.
    public var stopSignal: Int32 = SIGTERM
    public var stopTimeout: Duration = .seconds(10)
    /// Level of the one log line per state change (started, exited, stopped).
    public var logLevel: Logger.Level = .info

    public init(name: String, executable: URL, arguments: [String] = []) {
        (self.name, self.executable, self.arguments) = (name, executable, arguments)
    }

    /// The file both output streams go to, when they go to one.
    var logFile: URL? {
        if case .file(let url) = standardError { return url }
        if case .file(let url) = standardOutput { return url }
        return nil
    }
}

/// How a child process ended.
public enum ChildTermination: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signalled(Int32)

    public var description: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .signalled(let signal): "signal \(signal)\(signal == SIGKILL ? " (SIGKILL)" : signal == SIGTERM ? " (SIGTERM)" : "")"
        }
    }
}

/// A child that could not be started, exited before it was ready, or did not become ready.
public struct ChildProcessError: Error, CustomStringConvertible {
    public var name: String
    public var reason: String
    /// The end of the child's log, when it writes to a file.
    public var logTail: String

    public init(name: String, reason: String, logTail: String = "") {
        (self.name, self.reason, self.logTail) = (name, reason, logTail)
    }

    public var description: String {
        logTail.isEmpty ? "\(name): \(reason)" : "\(name): \(reason); its log ends with:\n\(logTail)"
    }
}

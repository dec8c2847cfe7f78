import TributaryCore

/// An embedded server run by a `ProcessSupervisor` (the Tansu broker, SeaweedFS): the
/// controls are the supervisor's, so every server offers them the same way.
public protocol SupervisedServer: AnyObject, Sendable {
    var supervisor: ProcessSupervisor { get }
}

extension SupervisedServer {
    /// Stops the server (SIGTERM, bounded wait, SIGKILL) and waits for it to exit.
    public func stop() { supervisor.stopBlocking() }

    /// `stop()` without blocking a thread.
    public func shutdown() async { await supervisor.stop() }

    /// Kills the server at once (SIGKILL); no restart follows.
    public func kill() { supervisor.kill() }

    /// Restarts the server whenever it exits unasked, until `stop`/`shutdown`/`kill` or
    /// cancellation.
    public func supervise() async { await supervisor.supervise() }

    public var isRunning: Bool { supervisor.pid != nil }
    /// The server process's pid while it runs.
    public var pid: Int32? { supervisor.pid }
}

/// Delays between restarts of a supervised child: doubling from `initial` up to `maximum`.
/// (A local policy until the core's one retry/backoff policy lands; fold it in then.)
public struct RestartBackoff: Sendable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration = .milliseconds(200), maximum: Duration = .seconds(5)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The delay before restart number `attempt` (0: the first).
    public func delay(_ attempt: Int) -> Duration {
        var delay = initial
        for _ in 0..<min(attempt, 30) where delay < maximum { delay *= 2 }
        return min(delay, maximum)
    }
}

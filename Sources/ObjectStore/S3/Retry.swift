import Foundation

/// How failed S3 requests are retried: exponential backoff with full jitter, on 5xx
/// answers (503 SlowDown included), timeouts and broken connections; never on 4xx, which
/// a retry cannot fix.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included (1 disables retries).
    public var maxAttempts: Int
    /// Upper bound of the first backoff; doubles each attempt.
    public var baseDelay: Double
    /// Cap of any single backoff, in seconds.
    public var maxDelay: Double

    public init(maxAttempts: Int = 6, baseDelay: Double = 0.1, maxDelay: Double = 5) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    public static let `default` = RetryPolicy()
    /// No retries: the first failure is reported.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The pause before attempt `attempt + 1` (after `attempt` failures): uniformly
    /// random in `0 ... min(maxDelay, baseDelay * 2^(attempt-1))` ("full jitter"), so
    /// many clients retrying at once spread out instead of hitting the server together.
    public func delay<G: RandomNumberGenerator>(afterAttempt attempt: Int, using rng: inout G) -> Double {
        let exponent = Double(max(0, min(attempt - 1, 30)))
        let ceiling = min(maxDelay, baseDelay * pow(2, exponent))
        guard ceiling > 0 else { return 0 }
        return Double.random(in: 0...ceiling, using: &rng)
    }

    public func delay(afterAttempt attempt: Int) -> Double {
        var rng = SystemRandomNumberGenerator()
        return delay(afterAttempt: attempt, using: &rng)
    }
}

/// Whether an HTTP status from S3 is worth retrying.
enum S3Retry {
    static func isRetryable(status: Int) -> Bool {
        status >= 500
    }
}

import Foundation

/// How failed requests are retried: exponential backoff with full jitter. The one backoff
/// policy of the project (S3 requests, the catalog client, the processor, webhooks); each
/// caller decides which failures are worth a retry (S3: 5xx, timeouts, broken connections;
/// never 4xx, which a retry cannot fix).
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

/// What one attempt of a retried operation came to.
public enum RetryStep<Value> {
    case done(Value)
    /// Worth another attempt: after the policy's backoff, or after `seconds` when the other
    /// side asked for a pause (HTTP `Retry-After`), capped at the policy's `maxDelay`.
    case again(afterSeconds: Double? = nil)
}

/// An attempt's place in a retried operation.
public struct RetryAttempt: Sendable {
    /// 1 for the first attempt.
    public var number: Int
    /// True for the last attempt the policy allows: its failure is the operation's.
    public var isLast: Bool
}

/// `.again` was answered by the last attempt the policy allows.
public struct RetriesExhausted: Error, Sendable, CustomStringConvertible {
    public var attempts: Int
    public var description: String { "gave up after \(attempts) attempt\(attempts == 1 ? "" : "s")" }
}

extension RetryPolicy {
    /// Runs `attempt` until it is done or throws, pausing between attempts (the one retry
    /// loop of the project). An attempt that knows its failure is final throws; on its last
    /// attempt it should throw its own error rather than answer `.again`. Runs in the
    /// caller's isolation, so an actor's attempt may touch its state.
    public func run<Value>(
        isolation: isolated (any Actor)? = #isolation,
        _ attempt: (RetryAttempt) async throws -> RetryStep<Value>
    ) async throws -> Value {
        var number = 0
        while true {
            number += 1
            let current = RetryAttempt(number: number, isLast: number >= maxAttempts)
            switch try await attempt(current) {
            case .done(let value): return value
            case .again(let requested):
                if current.isLast { throw RetriesExhausted(attempts: number) }
                let pause = min(maxDelay, requested ?? delay(afterAttempt: number))
                try await Task.sleep(nanoseconds: UInt64(max(0, pause) * 1e9))
            }
        }
    }
}

import Synchronization

/// One readiness check (`/readyz`): a name and a probe that returns a detail on success
/// and throws on failure. The CLI composes them (broker reachable, storage writable,
/// processor assigned) from the modules it runs.
public struct ReadinessCheck: Sendable {
    public var name: String
    public var probe: @Sendable () async throws -> String

    public init(_ name: String, probe: @escaping @Sendable () async throws -> String) {
        self.name = name
        self.probe = probe
    }
}

/// The body of `/readyz`: ready when every check passed.
public struct ReadinessReport: Sendable, Codable, Equatable {
    public struct Check: Sendable, Codable, Equatable {
        public var name: String
        public var ok: Bool
        public var detail: String
    }

    public var ready: Bool
    public var checks: [Check]

    public init(checks: [Check]) {
        self.checks = checks
        ready = checks.allSatisfy(\.ok)
    }

    /// Runs the checks concurrently, each bounded by `timeout` (a check that takes longer
    /// fails).
    public static func evaluate(_ checks: [ReadinessCheck], timeout: Duration = .seconds(3)) async -> ReadinessReport {
        let results = await withTaskGroup(of: (Int, Check).self) { group in
            for (index, check) in checks.enumerated() {
                group.addTask {
                    (index, await run(check, timeout: timeout))
                }
            }
            var out: [(Int, Check)] = []
            for await result in group { out.append(result) }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return ReadinessReport(checks: results)
    }

    /// Runs a probe in its own task and stops waiting at the timeout (a probe blocked in a
    /// client library must not hold the answer up).
    private static func run(_ check: ReadinessCheck, timeout: Duration) async -> Check {
        let outcome: Result<String, any Error> = await withCheckedContinuation { continuation in
            let once = Once(continuation)
            let probe = Task {
                do { once.resume(.success(try await check.probe())) } catch { once.resume(.failure(error)) }
            }
            Task {
                try? await Task.sleep(for: timeout)
                once.resume(.failure(ReadinessTimeout(timeout: timeout)))
                probe.cancel()
            }
        }
        switch outcome {
        case .success(let detail): return Check(name: check.name, ok: true, detail: detail)
        case .failure(let error): return Check(name: check.name, ok: false, detail: "\(error)")
        }
    }
}

/// Resumes a continuation once; later results are dropped.
private final class Once: Sendable {
    private let continuation: Mutex<CheckedContinuation<Result<String, any Error>, Never>?>
    init(_ continuation: CheckedContinuation<Result<String, any Error>, Never>) { self.continuation = Mutex(continuation) }
    func resume(_ result: Result<String, any Error>) {
        continuation.withLock { c in
            c?.resume(returning: result)
            c = nil
        }
    }
}

struct ReadinessTimeout: Error, CustomStringConvertible {
    var timeout: Duration
    var description: String { "no answer within \(timeout)" }
}

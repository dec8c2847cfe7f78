import Foundation
import Logging
import ServiceLifecycle

/// A few long-lived DuckDB processes; each query borrows one, so up to `size` queries run
/// at once and the rest wait their turn. As a `Service` it stops the processes on
/// graceful shutdown.
public actor DuckDBPool: Service {
    /// A process plus what the query service has set up in it.
    final class Member: @unchecked Sendable {
        let process: DuckDBProcess
        /// Catalog version whose views this process has (guarded by the borrowing: only
        /// the query holding the member touches it).
        var viewsVersion = -1
        /// Process generation those views were created in (a restart loses them).
        var viewsGeneration = -1
        init(process: DuckDBProcess) { self.process = process }
    }

    private var idle: [Member]
    private var waiters: [CheckedContinuation<Member, Never>] = []
    private let all: [Member]

    /// - Parameters:
    ///   - size: number of processes (each runs DuckDB's own threads too; 2–4 is plenty).
    ///   - setup: statements every process runs when it starts (the lockdown).
    public init(size: Int, executable: URL, logger: Logger = Logger(label: "tributary.query.duckdb"),
                setup: @escaping @Sendable () -> [String]) {
        let members = (0..<max(1, size)).map { _ in Member(process: DuckDBProcess(executable: executable, logger: logger, setup: setup)) }
        all = members
        idle = members
    }

    /// Runs `body` with a process of its own.
    func withMember<T: Sendable>(_ body: @Sendable (Member) async throws -> T) async throws -> T {
        let m = await acquire()
        do {
            let r = try await body(m)
            release(m)
            return r
        } catch {
            release(m)
            throw error
        }
    }

    private func acquire() async -> Member {
        if let m = idle.popLast() { return m }
        return await withCheckedContinuation { waiters.append($0) }
    }

    private func release(_ m: Member) {
        if waiters.isEmpty { idle.append(m) } else { waiters.removeFirst().resume(returning: m) }
    }

    /// Pids of the running processes (each starts on its first query).
    public func pids() -> [Int32] { all.compactMap(\.process.pid) }

    /// Kills every process (they restart on the next query).
    public func shutdown() {
        for m in all { m.process.terminate() }
    }

    /// Waits for graceful shutdown, then stops the processes.
    public func run() async throws {
        try? await gracefulShutdown()
        shutdown()
    }
}

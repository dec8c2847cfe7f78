import Foundation

/// One thread that lives as long as the process and starts every child.
///
/// A child's parent-death signal (`setpriv --pdeathsig`) fires when the *thread* that
/// started it exits, not only the process; the threads that run Swift tasks and Dispatch
/// work come and go, so a child started from one of them could be killed at random. This
/// thread never exits.
enum SpawnThread {
    private final class Queue: @unchecked Sendable {
        let condition = NSCondition()
        var work: [() -> Void] = []
    }

    private static let queue: Queue = {
        let queue = Queue()
        let thread = Thread {
            while true {
                queue.condition.lock()
                while queue.work.isEmpty { queue.condition.wait() }
                let next = queue.work.removeFirst()
                queue.condition.unlock()
                next()
            }
        }
        thread.name = "tributary.spawn"
        thread.start()
        return queue
    }()

    /// Runs `body` on the spawn thread and returns its result (the caller blocks meanwhile;
    /// starting a process takes about a millisecond).
    static func run<T>(_ body: @escaping () throws -> T) throws -> T {
        let outcome = SpawnOutcome<T>()
        let done = DispatchSemaphore(value: 0)
        queue.condition.lock()
        queue.work.append {
            outcome.result = Result { try body() }
            done.signal()
        }
        queue.condition.signal()
        queue.condition.unlock()
        done.wait()
        guard let result = outcome.result else { throw ChildProcessError(name: "spawn thread", reason: "work did not run") }
        return try result.get()
    }
}

/// The result of work handed to the spawn thread (written there before the caller reads it).
private final class SpawnOutcome<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

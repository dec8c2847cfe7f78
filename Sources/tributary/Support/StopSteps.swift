import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// One step of a stack's stop: logs "stopping NAME" when the group asks the service to stop
/// and "NAME stopped" (with the time it took) once it has; a service still running `bound`
/// after it was asked is cancelled, with a log line saying so.
struct StopStep<Base: Service>: Service {
    let name: String
    let bound: Duration
    let logger: Logger
    let base: Base

    private struct Overdue: Error {}

    func run() async throws {
        let asked = Mutex<ContinuousClock.Instant?>(nil)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await base.run() }
                group.addTask {
                    try await gracefulShutdown()
                    asked.withLock { $0 = .now }
                    logger.info("stopping \(name)")
                    try await Task.sleep(for: bound)
                    throw Overdue()
                }
                try await group.next()
                group.cancelAll()
            }
        } catch is Overdue {
            logger.warning("\(name) did not stop within \(bound); cancelled")
        }
        if let began = asked.withLock({ $0 }) {
            let seconds = ContinuousClock.now - began
            logger.info("\(name) stopped", metadata: ["seconds": "\(String(format: "%.2f", Double(seconds.components.seconds) + Double(seconds.components.attoseconds) / 1e18))"])
        }
    }
}

/// Ctrl-C and SIGTERM of a stack: the first stops it gracefully, step by step (the group
/// stops its services in reverse order of start); the second stops it at once: `atOnce`
/// runs (it kills the children) and the process exits.
enum StopSignals {
    static func handle(_ group: ServiceGroup, logger: Logger, atOnce: @escaping @Sendable () -> Void) -> Task<Void, Never> {
        Task {
            var count = 0
            for await signal in await UnixSignalsSequence(trapping: .sigint, .sigterm) {
                count += 1
                if count == 1 {
                    logger.notice("stopping (\(signal)); again to stop at once")
                    await group.triggerGracefulShutdown()
                } else {
                    logger.warning("stopping at once (\(signal) again)")
                    atOnce()
                    FileHandle.standardError.write(Data("tributary: stopped at once\n".utf8))
                    exit(130)
                }
            }
        }
    }
}

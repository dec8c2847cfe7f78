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

    /// When the group asked the service to stop.
    private final class AskedAt: Sendable {
        let instant = Mutex<ContinuousClock.Instant?>(nil)
    }

    func run() async throws {
        let asked = AskedAt()
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await base.run() }
                group.addTask {
                    try await gracefulShutdown()
                    asked.instant.withLock { $0 = .now }
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
        if let began = asked.instant.withLock({ $0 }) {
            let seconds = ContinuousClock.now - began
            logger.info("\(name) stopped", metadata: ["seconds": "\(String(format: "%.2f", Double(seconds.components.seconds) + Double(seconds.components.attoseconds) / 1e18))"])
        }
    }
}

/// Ctrl-C and SIGTERM of a stack, trapped from the start: the first stops it gracefully,
/// step by step (the group stops its services in reverse order of start; a signal during
/// start-up stops the group as soon as it exists); the second stops it at once: the
/// children are killed and the process exits (status 130).
final class StopSignals: Sendable {
    private struct State {
        var count = 0
        var group: ServiceGroup?
        var atOnce: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())
    private let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(logger: Logger) async {
        self.logger = logger
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        task.withLock { $0 = Task { [self] in
            for await signal in signals { await received(signal) }
        } }
    }

    /// The group to stop, and what kills the children at once.
    func attach(_ group: ServiceGroup, atOnce: @escaping @Sendable () -> Void) async {
        let pending = state.withLock { state -> Bool in
            state.group = group
            state.atOnce = atOnce
            return state.count > 0
        }
        if pending { await group.triggerGracefulShutdown() }
    }

    private func received(_ signal: UnixSignal) async {
        let (count, group, atOnce) = state.withLock { state in
            state.count += 1
            return (state.count, state.group, state.atOnce)
        }
        if count == 1 {
            logger.notice("stopping (\(signal)); again to stop at once")
            await group?.triggerGracefulShutdown()
        } else {
            logger.warning("stopping at once (\(signal) again)")
            atOnce?()
            FileHandle.standardError.write(Data("tributary: stopped at once\n".utf8))
            exit(130)
        }
    }

    func cancel() { task.withLock { $0?.cancel() } }
}

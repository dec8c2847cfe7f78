import Foundation
import Logging
import ObjectStore

/// The parts of one table that its writer and the writer's services (cleaner, rollback,
/// compactor, failed-write recovery, each commit transaction) work on: storage,
/// configuration and write options, the timeline and file-system view (with their caches,
/// shared with readers of the same ``HudiTable``), and the instant-time generator. Built
/// once by the ``HudiTable``, so every service sees the same caches and clock.
struct TableParts: Sendable {
    let store: any ObjectStore
    let config: TableConfig
    let options: WriteOptions
    let timeline: ActiveTimeline
    let fileSystemView: FileSystemView
    let instantTimes: InstantTimeGenerator
    let logger: Logger
}

extension TableParts {
    /// Writes a table service's instant file (its plan or its metadata), which must be new:
    /// when another writer wrote it first, this service lost the race (`commitConflict`).
    func putNewInstant(_ instant: Instant, _ content: Data, timeline: Timeline, conflict: @autoclosure () -> String) async throws {
        do {
            try await store.putIfAbsent(timeline.key(of: instant), content)
        } catch ObjectStoreError.alreadyExists {
            throw HudiError(.commitConflict, conflict())
        }
    }
}

import Foundation
import ObjectStore

/// An instant reserved for a write: its `<t>.commit.requested` file was created with
/// put-if-absent, so no other writer can use the time; optimistic writers also beat a
/// heartbeat for it, from before the requested file exists until the write ends, so others
/// can tell a live write from a crashed one.
struct InstantReservation: Sendable {
    var instant: String
    var heartbeat: InstantHeartbeat?

    /// Reserves `requested` (a time the caller had from ``TableWriter/nextInstantTime()``:
    /// it must be newer than every data commit of `tl` and not on it), or a generated time
    /// (another writer taking the same one: the next is tried, up to five times).
    static func reserve(_ requested: String?, action: String = "commit", timeline tl: Timeline, store: any ObjectStore,
                        instantTimes: InstantTimeGenerator, options: WriteOptions) async throws -> InstantReservation {
        let optimistic = options.concurrency == .optimistic
        for attempt in 0..<5 {
            let instant: String
            if let requested {
                guard Instant.isTimestamp(requested), requested.count == 17 else {
                    throw HudiError(.invalidArgument, "instant '\(requested)' is not yyyyMMddHHmmssSSS")
                }
                // Newer than every data commit (so commit order is time order); a rollback or
                // clean made since the time was reserved (by this write's own recovery, say)
                // may be newer, as in Hudi's multi-writer timelines.
                if let latest = tl.latestDataTimestamp, requested <= latest {
                    throw HudiError(.commitConflict, "instant \(requested) is not newer than the timeline's latest commit \(latest)")
                }
                if tl.instants.contains(where: { $0.timestamp == requested }) {
                    throw HudiError(.commitConflict, "instant \(requested) is already on the timeline")
                }
                instant = requested
                _ = instantTimes.next(after: requested)  // later generated instants stay above it
            } else {
                instant = instantTimes.next(after: tl.latestTimestamp)
            }
            var heartbeat: InstantHeartbeat?
            let file = Instant(timestamp: instant, action: action, state: .requested)
            do {
                if optimistic {
                    heartbeat = try await InstantHeartbeat.start(store: store, instant: instant, interval: options.heartbeatInterval ?? options.leaseDuration / 3)
                }
                try await store.putIfAbsent(tl.key(of: file), Data())
                return InstantReservation(instant: instant, heartbeat: heartbeat)
            } catch ObjectStoreError.alreadyExists {
                // Another writer generated the same time: take the next one (unless given).
                await heartbeat?.stop()
                if requested != nil || attempt == 4 {
                    throw HudiError(.commitConflict, "instant \(instant) already requested by another writer")
                }
            } catch {
                await heartbeat?.stop()
                throw error
            }
        }
        // Not reached: the last attempt returns or throws.
        throw HudiError(.commitConflict, "no instant could be reserved")
    }
}

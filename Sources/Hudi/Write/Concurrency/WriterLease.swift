import Foundation
import Logging
import ObjectStore
import TributaryCore

/// The stored content of a lease file (JSON).
struct LeaseRecord: Sendable, Equatable {
    var holder: LeaseHolder
    /// Epoch milliseconds.
    var acquiredMillis: Int64
    var expiresMillis: Int64
    /// The same times, readable (ISO-8601 UTC), for people looking at the file: derived,
    /// so they always agree with the milliseconds.
    var acquired: String { Self.iso(acquiredMillis) }
    var expires: String { Self.iso(expiresMillis) }

    /// Pretty JSON with sorted keys (the layout earlier versions wrote, for people reading the file).
    func encoded() -> Data {
        let document = JSONValue.object([
            ("acquired", .string(acquired)), ("acquiredMillis", .int(acquiredMillis)), ("expires", .string(expires)),
            ("expiresMillis", .int(expiresMillis)), ("holder", holder.json),
        ])
        return Data(document.pretty().utf8)
    }

    static func decode(_ data: Data) -> LeaseRecord? {
        guard let document = try? JSONValue.parse(data), let holder = document["holder"].flatMap(LeaseHolder.init(json:)),
              let acquiredMillis = document["acquiredMillis"]?.int, let expiresMillis = document["expiresMillis"]?.int
        else { return nil }
        return LeaseRecord(holder: holder, acquiredMillis: acquiredMillis, expiresMillis: expiresMillis)
    }

    static func iso(_ millis: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }
}

/// An exclusive, expiring lease on a table, kept in one object of the table's `.hoodie/`
/// folder (a dot-file: Hudi readers ignore it): created with put-if-absent, renewed by a
/// heartbeat, released on close. A lease whose expiry passed, or whose holder is a process
/// of this machine that no longer runs, can be taken over.
///
/// The single-writer mode holds ``defaultKey`` for as long as the table object writes; the
/// optimistic mode holds ``commitKey`` only around its conflict check and commit point.
public actor WriterLease {
    /// The single-writer lease.
    public static let defaultKey = ".hoodie/.tributary-writer.lock"
    /// The short lock optimistic writers take around their commit point.
    public static let commitKey = ".hoodie/.tributary-commit.lock"

    public nonisolated let key: String
    public nonisolated let holder: LeaseHolder
    let store: any ObjectStore
    /// Seconds a lease lasts without renewal, and between heartbeats.
    let duration: Double
    let renewInterval: Double
    let clock: @Sendable () -> Date
    private let logger = Logger(label: "tributary.hudi.lease")
    /// What we last stored, while we hold the lease.
    private var current: LeaseRecord?
    private var heartbeat: Task<Void, Never>?
    /// Why the lease was lost while held (taken over after a missed renewal).
    private var lostReason: String?

    public init(store: any ObjectStore, key: String = WriterLease.defaultKey, duration: Double = 60,
                renewInterval: Double? = nil, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.key = key
        self.duration = duration
        self.renewInterval = renewInterval ?? duration / 3
        self.clock = clock
        holder = LeaseHolder.current()
    }

    deinit {
        heartbeat?.cancel()
        LiveLeases.shared.remove(holder.instance)
    }

    /// Whether this object holds the lease (as far as it knows).
    public var isHeld: Bool { current != nil && lostReason == nil }

    private var now: Int64 { Int64(clock().timeIntervalSince1970 * 1000) }
    private var durationMillis: Int64 { Int64(duration * 1000) }

    /// Acquires the lease (a no-op while held) and starts the heartbeat. Throws
    /// ``HudiErrorKind/writerLocked`` naming the holder when another writer has it.
    public func acquire(heartbeat startHeartbeat: Bool = true) async throws {
        if lostReason != nil {
            // The write that noticed the loss failed; start over like a new writer.
            current = nil
            lostReason = nil
        }
        if current != nil { return }
        for _ in 0..<3 {
            let record = LeaseRecord(holder: holder, acquiredMillis: now, expiresMillis: now + durationMillis)
            do {
                try await store.putIfAbsent(key, record.encoded())
                return try await confirm(record, startHeartbeat: startHeartbeat)
            } catch ObjectStoreError.alreadyExists {
                if try await takeOver(startHeartbeat: startHeartbeat) { return }
                // The lease vanished between our attempts (released): try again.
            }
        }
        throw HudiError(.writerLocked, "\(key): could not acquire the lease (it keeps changing hands)")
    }

    /// Reads back what the store holds and, when it is ours, starts holding.
    private func confirm(_ record: LeaseRecord, startHeartbeat: Bool) async throws {
        let stored = LeaseRecord.decode(try await store.get(key))
        guard let stored, stored.holder.instance == holder.instance else {
            throw HudiError(.writerLocked, "\(key): lost the race for the lease to \(stored?.holder.description ?? "another writer")")
        }
        current = stored
        lostReason = nil
        LiveLeases.shared.insert(holder.instance)
        if startHeartbeat { startHeartbeatTask() }
    }

    /// Handles an existing lease: ours (adopt), expired or abandoned (take over: claim the
    /// takeover of exactly that record with a put-if-absent marker, check it is unchanged,
    /// delete it, create ours with put-if-absent, read back), or live (throw). Returns false
    /// when the lease disappeared meanwhile.
    private func takeOver(startHeartbeat: Bool) async throws -> Bool {
        let data: Data
        do {
            data = try await store.get(key)
        } catch ObjectStoreError.notFound {
            return false
        }
        let existing = LeaseRecord.decode(data)
        let t = now
        if let existing, existing.holder.instance == holder.instance, existing.expiresMillis > t {
            // Still ours and valid (e.g. a release that could not delete it): keep it.
            current = existing
            try await renew()
            LiveLeases.shared.insert(holder.instance)
            if startHeartbeat { startHeartbeatTask() }
            return true
        }
        if let existing, existing.expiresMillis > t, !existing.holder.isGone {
            let seconds = Double(existing.expiresMillis - t) / 1000
            throw HudiError(.writerLocked, 
                "\(key) is held by \(existing.holder) since \(existing.acquired); it expires at \(existing.expires) "
                + "(in \(String(format: "%.1f", seconds)) s) unless renewed")
        }
        // Expired, abandoned or unreadable: take it over, one contender per lease record.
        let version = existing.map { "\($0.holder.instance)-\($0.expiresMillis)" } ?? "unreadable-\(data.count)"
        let marker = "\(key).takeover-\(version)"
        let claim = LeaseRecord(holder: holder, acquiredMillis: t, expiresMillis: t + durationMillis)
        do {
            try await store.putIfAbsent(marker, claim.encoded())
        } catch ObjectStoreError.alreadyExists {
            // A contender claimed it; if that claim is itself stale (expired, or its contender's
            // process is gone — killed mid-takeover), clear it, as for the lease itself, and claim again.
            if let other = LeaseRecord.decode((try? await store.get(marker)) ?? Data()), other.expiresMillis > t, !other.holder.isGone {
                throw HudiError(.writerLocked, "\(key): the expired lease of \(existing?.holder.description ?? "an unknown writer") is being taken over by \(other.holder)")
            }
            try await store.delete(marker)
            do {
                try await store.putIfAbsent(marker, claim.encoded())
            } catch ObjectStoreError.alreadyExists {
                throw HudiError(.writerLocked, "\(key): the expired lease of \(existing?.holder.description ?? "an unknown writer") is being taken over; retry")
            }
        }
        do {
            if let again = try? await store.get(key), again != data {
                throw HudiError(.writerLocked, "\(key): the lease was renewed or replaced while taking it over")
            }
            try await store.delete(key)
            let record = LeaseRecord(holder: holder, acquiredMillis: now, expiresMillis: now + durationMillis)
            do {
                try await store.putIfAbsent(key, record.encoded())
            } catch ObjectStoreError.alreadyExists {
                throw HudiError(.writerLocked, "\(key): another writer took the expired lease first")
            }
            try await confirm(record, startHeartbeat: startHeartbeat)
        } catch {
            try? await store.delete(marker)
            throw error
        }
        // Our marker, and those of takeovers whose writer died before deleting its marker:
        // they name lease records that no longer exist, so nothing else would remove them.
        let markers = (try? await store.listAll(prefix: "\(key).takeover-").map(\.key)) ?? []
        try? await store.delete(Array(Set(markers + [marker])))
        return true
    }

    /// Extends the lease: checks the stored lease is still ours (and not expired by our
    /// clock), then rewrites it with a new expiry. Throws ``HudiErrorKind/writerLocked``
    /// when the lease was lost; the table must then stop writing.
    public func renew() async throws {
        if let lostReason { throw HudiError(.writerLocked, lostReason) }
        guard let held = current else { throw HudiError(.writerLocked, "\(key): the lease is not held") }
        let t = now
        let stored: LeaseRecord?
        do {
            stored = LeaseRecord.decode(try await store.get(key))
        } catch ObjectStoreError.notFound {
            stored = nil
        }
        guard let stored, stored.holder.instance == holder.instance else {
            throw lose("\(key): our lease was taken over by \(stored?.holder.description ?? "nobody (deleted)")")
        }
        if held.expiresMillis <= t {
            // A stalled heartbeat (a starved process): nobody took the lease meanwhile (it
            // still names us), so holding on is safe; a taker would have replaced it.
            logger.warning("writer lease renewed after it expired (stalled heartbeat)", metadata: ["lease": "\(key)", "expired": "\(held.expires)"])
        }
        var next = held
        next.expiresMillis = t + durationMillis
        try await store.put(key, next.encoded())
        current = next
    }

    private func lose(_ reason: String) -> HudiError {
        lostReason = reason
        heartbeat?.cancel()
        heartbeat = nil
        LiveLeases.shared.remove(holder.instance)
        return HudiError(.writerLocked, reason)
    }

    /// Releases the lease: stops the heartbeat and deletes the lease object if it is still ours.
    public func release() async {
        heartbeat?.cancel()
        heartbeat = nil
        LiveLeases.shared.remove(holder.instance)
        lostReason = nil
        guard current != nil else { return }
        current = nil
        if let data = try? await store.get(key), LeaseRecord.decode(data)?.holder.instance == holder.instance {
            try? await store.delete(key)
        }
    }

    private func startHeartbeatTask() {
        heartbeat?.cancel()
        let interval = renewInterval
        heartbeat = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(max(0.01, interval) * 1e9))
                guard let self, !Task.isCancelled else { return }
                if await !self.beat() { return }
            }
        }
    }

    /// One heartbeat; false once the lease is lost (transient store errors are retried).
    private func beat() async -> Bool {
        guard current != nil else { return false }
        do {
            try await renew()
        } catch {
            if lostReason != nil { return false }
        }
        return true
    }
}

extension ModuleError<HudiErrorKind> {
    /// Whether retrying later can succeed (a conflict or a lease held by another writer).
    public var isRetryable: Bool {
        switch kind {
        case .commitConflict, .writerLocked: return true
        default: return false
        }
    }
}

extension LeaseHolder {
    /// The holder as stored in lease and heartbeat files (sorted keys).
    var json: JSONValue {
        .object([("host", .string(host)), ("instance", .string(instance)), ("machine", .string(machine)),
                 ("pid", .int(Int64(pid))), ("processStart", .string(processStart))])
    }

    init?(json: JSONValue) {
        guard let host = json["host"]?.string, let pid = json["pid"]?.int.flatMap(Int32.init(exactly:)),
              let instance = json["instance"]?.string else { return nil }
        self.init(host: host, pid: pid, processStart: json["processStart"]?.string ?? "",
                  machine: json["machine"]?.string ?? "", instance: instance)
    }
}

import Foundation
import ObjectStore
import Parquet
import Testing
import TributaryTesting
#if canImport(Glibc)
import Glibc
#endif
@testable import Hudi

/// The store of one optimistic writer: its `.inflight` put waits at a gate, so a test can
/// hold several writers after planning and release them together.
actor Gate {
    private(set) var arrivals = 0
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    func arrive() async {
        arrivals += 1
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }
    func open() {
        isOpen = true
        for w in waiters { w.resume() }
        waiters.removeAll()
    }
}

struct GatedStore: ObjectStore {
    let base: any ObjectStore
    let gate: Gate
    var backendDescription: String { base.backendDescription }
    func get(_ key: String) async throws -> Data { try await base.get(key) }
    func get(_ key: String, range: Range<Int>) async throws -> Data { try await base.get(key, range: range) }
    func head(_ key: String) async throws -> ObjectInfo { try await base.head(key) }
    func put(_ key: String, _ data: Data) async throws {
        if key.hasSuffix(".inflight") { await gate.arrive() }
        try await base.put(key, data)
    }
    func putIfAbsent(_ key: String, _ data: Data) async throws { try await base.putIfAbsent(key, data) }
    func putStreaming(_ key: String, chunks: ObjectChunkSequence) async throws { try await base.putStreaming(key, chunks: chunks) }
    func list(prefix: String, delimiter: String?) -> ObjectListing { base.list(prefix: prefix, delimiter: delimiter) }
    func delete(_ keys: [String]) async throws { try await base.delete(keys) }
}

@Suite struct ConcurrencyTests {
    static let base: Int64 = 1_795_000_000_000_000

    func record(_ key: String, ts: Int64 = 0, country: String = "NL") -> EventRecord {
        EventRecord(eventId: key, userId: "u", eventType: "click", country: country, timestamp: Self.base + ts, kafkaOffset: ts)
    }

    func create(_ store: any ObjectStore, _ options: WriteOptions = WriteOptions()) async throws -> HudiTable {
        try await HudiTable.create(store: store, name: "user_events_table", recordKeyField: "event_id", precombineField: "timestamp",
                                   partitionField: "event_date", fields: Events.fields, options: options)
    }

    func ids(_ table: HudiTable) async throws -> [String] {
        try await ourRows(table).compactMap { $0["event_id"]?.string }.sorted()
    }

    // MARK: single-writer lease

    @Test func secondWriterIsLockedOutUntilTheFirstCloses() async throws {
        let store = MemoryObjectStore()
        let a = try await create(store)
        try await a.write(Events.batch([record("a")]))
        #expect(try await store.exists(WriterLease.defaultKey))
        let b = try await HudiTable.open(store: store)
        do {
            try await b.write(Events.batch([record("b")]))
            Issue.record("a second writer wrote while the first held the lease")
        } catch let error as HudiError where error.kind == .writerLocked {
            let message = error.message
            #expect(message.contains("pid \(getpid()) on \(ProcessInfo.processInfo.hostName)"), "\(message)")
            #expect(message.contains("expires at 20"), "\(message)")
            #expect(HudiError(.writerLocked, message).isRetryable)
        }
        await a.close()
        #expect(try await !store.exists(WriterLease.defaultKey))
        try await b.write(Events.batch([record("b")]))
        #expect(try await ids(b) == ["a", "b"])
        // And now the first is the one locked out.
        await #expect(throws: HudiError.self) { try await a.write(Events.batch([record("c")])) }
        await b.close()
    }

    /// A live lease of a writer on another machine blocks; once expired it is taken over.
    @Test func expiredLeaseIsTakenOver() async throws {
        let store = MemoryObjectStore()
        let table = try await create(store)
        let foreign = LeaseHolder(host: "elsewhere", pid: 4242, processStart: "17", machine: "another-boot/pid:[1]",
                                  instance: "feedbeef-0000-4000-8000-000000000000")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try await store.put(WriterLease.defaultKey,
                            LeaseRecord(holder: foreign, acquiredMillis: now - 5000, expiresMillis: now + 60_000).encoded())
        do {
            try await table.write(Events.batch([record("a")]))
            Issue.record("wrote over a live foreign lease")
        } catch let error as HudiError where error.kind == .writerLocked {
            let message = error.message
            #expect(message.contains("pid 4242 on elsewhere") && message.contains("expires at"), "\(message)")
        }
        try await store.put(WriterLease.defaultKey,
                            LeaseRecord(holder: foreign, acquiredMillis: now - 90_000, expiresMillis: now - 1).encoded())
        try await table.write(Events.batch([record("a")]))
        let stored = LeaseRecord.decode(try await store.get(WriterLease.defaultKey))
        let takenOver = stored.map { $0.holder.pid == getpid() && $0.holder.instance != foreign.instance } ?? false
        #expect(takenOver)
        #expect(try await store.listAll(prefix: ".hoodie/.tributary").map(\.key) == [WriterLease.defaultKey], "takeover marker removed")
        await table.close()
    }

    /// A holder naming a process of this machine that has exited (a shell that ran `echo $$`).
    func deadLocalHolder(instance: String) throws -> LeaseHolder {
        let p = try runProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", "echo $$"])
        let deadPid = Int32(p.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 999_999
        return LeaseHolder(host: LocalProcess.hostName, pid: deadPid, processStart: "1", machine: LocalProcess.machine, instance: instance)
    }

    /// The lease of a process of this machine that no longer runs (SIGKILLed) is taken over
    /// at once, without waiting for its expiry.
    @Test func leaseOfADeadLocalProcessIsTakenOverAtOnce() async throws {
        let store = MemoryObjectStore()
        let table = try await create(store)
        let dead = try deadLocalHolder(instance: "deadbeef-0000-4000-8000-000000000000")
        #expect(dead.isGone)
        let first = LeaseHolder(host: LocalProcess.hostName, pid: 1, processStart: LocalProcess.stat(1)?.start ?? "",
                                machine: LocalProcess.machine, instance: "x")
        let firstGone = first.isGone
        #expect(firstGone == false, "pid 1 runs")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try await store.put(WriterLease.defaultKey,
                            LeaseRecord(holder: dead, acquiredMillis: now, expiresMillis: now + 600_000).encoded())
        try await table.write(Events.batch([record("a")]))
        let holderPid = LeaseRecord.decode(try await store.get(WriterLease.defaultKey)).map { $0.holder.pid }
        #expect(holderPid == getpid())
        await table.close()
    }

    /// A takeover marker left by a contender killed in the middle of a takeover (its process
    /// is gone, its claim not yet expired) does not lock the table: the next writer clears it
    /// and takes the lease over (seen in the crash test: every later writer was refused).
    @Test func aTakeoverMarkerOfADeadProcessIsCleared() async throws {
        let store = MemoryObjectStore()
        let table = try await create(store)
        let dead = try deadLocalHolder(instance: "deadbeef-0000-4000-8000-000000000001")
        let foreign = LeaseHolder(host: "elsewhere", pid: 4242, processStart: "17", machine: "another-boot/pid:[1]",
                                  instance: "feedbeef-0000-4000-8000-000000000001")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let expired = LeaseRecord(holder: foreign, acquiredMillis: now - 90_000, expiresMillis: now - 1)
        try await store.put(WriterLease.defaultKey, expired.encoded())
        try await store.put("\(WriterLease.defaultKey).takeover-\(foreign.instance)-\(expired.expiresMillis)",
                            LeaseRecord(holder: dead, acquiredMillis: now, expiresMillis: now + 600_000).encoded())
        try await table.write(Events.batch([record("a")]))
        #expect(LeaseRecord.decode(try await store.get(WriterLease.defaultKey)).map { $0.holder.pid } == getpid())
        #expect(try await store.listAll(prefix: ".hoodie/.tributary").map(\.key) == [WriterLease.defaultKey], "takeover marker removed")
        await table.close()
    }

    /// A writer whose lease was taken over fails before its commit point (nothing of the
    /// write becomes visible); once the lease is free again its next write takes it back and
    /// rolls the failed write back.
    @Test func aWriterThatLostItsLeaseStopsAndCanReacquire() async throws {
        let store = MemoryObjectStore()
        let a = try await create(store)
        try await a.write(Events.batch([record("a")]))
        let foreign = LeaseHolder(host: "elsewhere", pid: 7, processStart: "1", machine: "another-boot/pid:[1]",
                                  instance: "0badcafe-0000-4000-8000-000000000000")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try await store.put(WriterLease.defaultKey, LeaseRecord(holder: foreign, acquiredMillis: now, expiresMillis: now + 60_000).encoded())
        do {
            try await a.write(Events.batch([record("b")]))
            Issue.record("committed without the lease")
        } catch let error as HudiError where error.kind == .writerLocked {
            let message = error.message
            #expect(message.contains("taken over by pid 7 on elsewhere"), "\(message)")
        }
        #expect(try await ids(a) == ["a"])
        #expect(try await a.timeline().pending.count == 1)
        try await store.put(WriterLease.defaultKey, LeaseRecord(holder: foreign, acquiredMillis: now - 120_000, expiresMillis: now - 1).encoded())
        try await a.write(Events.batch([record("c")]))
        #expect(try await ids(a) == ["a", "c"])
        #expect(try await a.timeline().pending.isEmpty)
        await a.close()
    }

    /// The heartbeat keeps extending the lease, so a short lease does not lapse while the
    /// writer lives.
    @Test func heartbeatRenewsTheLease() async throws {
        let store = MemoryObjectStore()
        var options = WriteOptions()
        options.leaseDuration = 30  // long enough for a loaded machine; beats far more often
        options.heartbeatInterval = 0.3
        let a = try await create(store, options)
        try await a.write(Events.batch([record("a")]))
        let first = LeaseRecord.decode(try await store.get(WriterLease.defaultKey))
        try await Task.sleep(nanoseconds: 2_500_000_000)
        let later = LeaseRecord.decode(try await store.get(WriterLease.defaultKey))
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        #expect((later?.expiresMillis ?? 0) > (first?.expiresMillis ?? 0) + 1000)
        #expect((later?.expiresMillis ?? 0) > now)
        let b = try await HudiTable.open(store: store)
        await #expect(throws: HudiError.self) { try await b.write(Events.batch([record("b")])) }
        await a.close()
    }

    /// hudi-rs ignores the lease dot-file in `.hoodie/` (and the heartbeat folder).
    @Test func hudiRsReadsATableWhileTheLeaseIsHeld() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-lease")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try LocalObjectStore(root: dir)
        let table = try await create(store)
        try await table.write(Events.batch([record("a"), record("b")]))
        try await store.put(".hoodie/.heartbeat/20200101000000000", Data("1".utf8))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(WriterLease.defaultKey).path))
        #expect(try HudiOracle.read(dir.path).compactMap { $0["event_id"]?.string }.sorted() == ["a", "b"])
        await table.close()
    }

    // MARK: optimistic concurrency

    func optimistic() -> WriteOptions {
        var o = WriteOptions()
        o.concurrency = .optimistic
        return o
    }

    /// Two writers (separate table objects, as separate processes) insert different keys
    /// at the same time (both planned before either commits), after a first commit left a
    /// small file: both commit.
    func concurrentInserts(_ store: any ObjectStore) async throws -> HudiTable {
        let a = try await create(store, optimistic())
        try await a.write(Events.batch([record("base1"), record("base2")]))
        let gate = Gate()
        let ga = try await HudiTable.open(store: GatedStore(base: store, gate: gate), options: optimistic())
        let gb = try await HudiTable.open(store: GatedStore(base: store, gate: gate), options: optimistic())
        async let ra = ga.write(Events.batch((0..<20).map { record("a\($0)", ts: 1) }))
        async let rb = gb.write(Events.batch((0..<20).map { record("b\($0)", ts: 1) }))
        while await gate.arrivals < 2 { try await Task.sleep(nanoseconds: 2_000_000) }
        await gate.open()
        let (x, y) = try await (ra, rb)
        #expect(x.instant != y.instant)
        #expect(Set(x.metadata.writeStats.map(\.fileId)).isDisjoint(with: y.metadata.writeStats.map(\.fileId)))
        #expect(try await store.listAll(prefix: ".hoodie/.").isEmpty, "no lease, lock or heartbeat left")
        let expected = (["base1", "base2"] + (0..<20).flatMap { ["a\($0)", "b\($0)"] }).sorted()
        #expect(try await ids(a) == expected)
        return a
    }

    @Test func concurrentInsertsBothCommitInMemory() async throws {
        _ = try await concurrentInserts(MemoryObjectStore())
    }

    @Test func concurrentInsertsBothCommitOnLocalFolder() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-occ")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await concurrentInserts(try LocalObjectStore(root: dir))
        #expect(sortedRows(try HudiOracle.read(dir.path)) == sortedRows(try await ourRows(table)))
    }

    /// Two writers update the same key after both planned: the older instant commits, the
    /// other gets a retryable commitConflict naming that commit and the file group, its
    /// files are gone, and the table equals the winner's model.
    func overlappingUpdates(_ store: any ObjectStore, dir: URL?) async throws {
        let setup = try await create(store, optimistic())
        try await setup.write(Events.batch([record("k1"), record("k2")]))
        let gate = Gate()
        let a = try await HudiTable.open(store: GatedStore(base: store, gate: gate), options: optimistic())
        let b = try await HudiTable.open(store: GatedStore(base: store, gate: gate), options: optimistic())
        async let ra = attempt { try await a.write(Events.batch([self.record("k1", ts: 5, country: "A")])) }
        async let rb = attempt { try await b.write(Events.batch([self.record("k1", ts: 6, country: "B")])) }
        while await gate.arrivals < 2 { try await Task.sleep(nanoseconds: 2_000_000) }
        await gate.open()
        let results = await [ra, rb]
        let wins = results.compactMap { try? $0.get() }
        let conflicts = results.compactMap { r -> String? in
            if case .failure(let error as HudiError) = r, error.kind == .commitConflict { return error.message }
            return nil
        }
        #expect(wins.count == 1 && conflicts.count == 1, "\(results)")
        guard let winner = wins.first, let message = conflicts.first else { return }
        #expect(message.contains("conflicts with commit \(winner.instant)"), "\(message)")
        #expect(message.contains(winner.metadata.writeStats[0].fileId), "\(message)")
        let winnerCountry = results[0].isSuccess ? "A" : "B"
        let rows = try await ourRows(setup)
        #expect(rows.count == 2)
        #expect(rows.first { $0["event_id"]?.string == "k1" }?["country"]?.string == winnerCountry)
        // The loser left nothing behind: no pending instant, no base file, no heartbeat.
        let tl = try await setup.timeline()
        #expect(tl.pending.isEmpty && tl.completedDataCommits.count == 2)
        let committed = Set(tl.completedDataCommits.map(\.timestamp))
        let strays = try await store.listAll().map(\.key).filter { key in
            guard let name = key.split(separator: "/").last, let f = BaseFileName(parsing: String(name)) else { return false }
            return !committed.contains(f.instant)
        }
        #expect(strays.isEmpty, "\(strays)")
        #expect(try await store.listAll(prefix: ".hoodie/.").isEmpty)
        if let dir {
            #expect(sortedRows(try HudiOracle.read(dir.path)) == sortedRows(rows))
        }
    }

    @Test func overlappingUpdatesOneWinsInMemory() async throws {
        try await overlappingUpdates(MemoryObjectStore(), dir: nil)
    }

    @Test func overlappingUpdatesOneWinsOnLocalFolder() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-occ-conflict")
        defer { try? FileManager.default.removeItem(at: dir) }
        try await overlappingUpdates(try LocalObjectStore(root: dir), dir: dir)
    }

    /// Three optimistic writers update random keys of one table concurrently, retrying on
    /// conflicts. No update is lost: every key holds the value of the committed write with
    /// the highest ordering value that touched it (a later-planned write with a lower one
    /// is stale), as our reader and hudi-rs read it; nothing is left pending.
    @Test func concurrentUpdatesLoseNothing() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-occ-stress")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try LocalObjectStore(root: dir)
        let keys = (0..<16).map { "k\($0)" }
        let setup = try await create(store, optimistic())
        try await setup.write(Events.batch(keys.map { record($0, ts: 0, country: "init") }))
        final class Counter: @unchecked Sendable {
            private let lock = NSLock()
            private var value: Int64 = 0
            func next() -> Int64 { lock.withLock { value += 1; return value } }
        }
        let counter = Counter()
        struct Outcome: Sendable { var committed: [(key: String, ts: Int64, country: String)] = []; var conflicts = 0 }
        let outcomes = try await withThrowingTaskGroup(of: Outcome.self) { group in
            for w in 0..<3 {
                group.addTask {
                    let table = try await HudiTable.open(store: store, options: self.optimistic())
                    var rng = SplitMix(seed: UInt64(w + 1))
                    var out = Outcome()
                    for _ in 0..<6 {
                        let picked = Array(Set((0..<3).map { _ in keys[Int(rng.next() % UInt64(keys.count))] })).sorted()
                        while true {
                            let ts = counter.next()
                            do {
                                try await table.write(Events.batch(picked.map { self.record($0, ts: ts, country: "w\(w)-\(ts)") }))
                                out.committed += picked.map { ($0, ts, "w\(w)-\(ts)") }
                                break
                            } catch let error as HudiError where error.kind == .commitConflict {
                                out.conflicts += 1
                            }
                        }
                    }
                    return out
                }
            }
            return try await group.reduce(into: [Outcome]()) { $0.append($1) }
        }
        var expected = Dictionary(uniqueKeysWithValues: keys.map { ($0, "init") })
        var best: [String: Int64] = [:]
        for o in outcomes {
            for (key, ts, country) in o.committed where ts > best[key, default: 0] {
                best[key] = ts
                expected[key] = country
            }
        }
        let conflicts = outcomes.reduce(0) { $0 + $1.conflicts }
        print("optimistic stress: 3 writers × 6 commits, \(conflicts) conflicts retried")
        let rows = try await ourRows(setup)
        let actual = Dictionary(uniqueKeysWithValues: rows.compactMap { r in r["event_id"]?.string.map { ($0, r["country"]?.string ?? "") } })
        #expect(rows.count == keys.count)
        #expect(actual == expected)
        #expect(sortedRows(try HudiOracle.read(dir.path)) == sortedRows(rows))
        let tl = try await setup.timeline()
        #expect(tl.pending.isEmpty && tl.completedDataCommits.count == 1 + 18)
        #expect(try await store.listAll(prefix: ".hoodie/.").isEmpty)
    }

    /// An optimistic writer does not complete its instant while an older instant of a live
    /// writer is pending (hudi-rs would then read that write's files); after the wait
    /// timeout it gives up with a retryable conflict and rolls its own write back.
    @Test func optimisticCommitWaitsForOlderLiveInstants() async throws {
        let store = MemoryObjectStore()
        var options = optimistic()
        options.commitWaitTimeout = 0.5
        let table = try await create(store, options)
        try await table.write(Events.batch([record("a")]))
        let older = InstantTimeGenerator.format(millis: Int64(Date().timeIntervalSince1970 * 1000) + 1)
        try await store.put(".hoodie/\(older).commit.requested", Data())
        try await store.put(InstantHeartbeat.key(older), Data(String(Int64(Date().timeIntervalSince1970 * 1000)).utf8))
        do {
            try await table.write(Events.batch([record("b")]))
            Issue.record("completed before an older live instant")
        } catch let error as HudiError where error.kind == .commitConflict {
            let message = error.message
            #expect(message.contains("waiting for the older instant \(older) of a live writer"), "\(message)")
        }
        let tl = try await table.timeline()
        #expect(tl.pending.map(\.timestamp) == [older], "our own instant rolled back, the live one kept")
        #expect(try await ids(table) == ["a"])
    }

    /// An optimistic writer rolls back a pending instant whose writer is gone (no
    /// heartbeat), and leaves one with a live heartbeat alone.
    @Test func optimisticWriterRollsBackOnlyDeadInstants() async throws {
        let store = MemoryObjectStore()
        let table = try await create(store, optimistic())
        try await table.write(Events.batch([record("a")]))
        let dead = "20300101000000000", live = "20300101000000001"
        for t in [dead, live] {
            try await store.put(".hoodie/\(t).commit.requested", Data())
            try await store.put(".hoodie/\(t).inflight", Data())
            try await store.put("event_date=2026-11-18/\(BaseFileName.newFileId())_0-0-0_\(t).parquet", Data("x".utf8))
        }
        try await store.put(InstantHeartbeat.key(live), Data(String(Int64(Date().timeIntervalSince1970 * 1000)).utf8))
        let tl = try await table.writer.recoverFailedWrites(try await table.timeline())
        #expect(tl.pending.map(\.timestamp) == [live])
        let files = try await store.listAll(prefix: "event_date=2026-11-18/").map(\.key)
        #expect(!files.contains { $0.hasSuffix("_\(dead).parquet") } && files.contains { $0.hasSuffix("_\(live).parquet") })
    }

    /// Two optimistic writers that generate the same instant time: the second fails to
    /// reserve it and must leave the first's heartbeat in place (deleting it would make the
    /// first's live write look dead, and another writer would roll it back — with its
    /// commit, if that landed meanwhile).
    @Test func aFailedReservationKeepsTheOtherWritersHeartbeat() async throws {
        let store = MemoryObjectStore()
        let table = try await create(store, optimistic())
        try await table.write(Events.batch([record("a")]))
        let tl = try await table.timeline()
        let instant = InstantTimeGenerator.format(millis: Int64(Date().timeIntervalSince1970 * 1000) + 10)
        let times = InstantTimeGenerator()
        let first = try await InstantReservation.reserve(instant, timeline: tl, store: store, instantTimes: times, options: optimistic())
        do {
            _ = try await InstantReservation.reserve(instant, timeline: tl, store: store, instantTimes: times, options: optimistic())
            Issue.record("the same instant was reserved twice")
        } catch let error as HudiError where error.kind == .commitConflict {}
        #expect(try await InstantHeartbeat.isAlive(store: store, instant: instant, expiry: 60), "the first writer's heartbeat was deleted")
        await first.heartbeat?.stop()
        #expect(try await !store.exists(InstantHeartbeat.key(instant)))
    }
}

func attempt(_ body: () async throws -> CommitResult) async -> Result<CommitResult, Error> {
    do {
        return .success(try await body())
    } catch {
        return .failure(error)
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}

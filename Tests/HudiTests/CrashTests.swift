import Foundation
import ObjectStore
import Testing
import TributaryTesting
#if canImport(Glibc)
import Glibc
#endif
@testable import Hudi

/// A writer process (`hudi-crash-writer`) commits deterministic batches in a loop and is
/// SIGKILLed at random moments and at injected pauses in every phase of the commit
/// protocol. After each kill the table, read by hudi-rs, must equal the model of exactly
/// the batches whose commits completed, and the next writer must recover (roll back the
/// crashed write, take over the dead writer's lease) before writing.
@Suite(.serialized) struct CrashTests {
    static let writer: URL = {
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        for dir in [bundleDir, TestEnvironment.packageRoot.appendingPathComponent(".build/debug")] {
            let candidate = dir.appendingPathComponent("hudi-crash-writer")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return TestEnvironment.packageRoot.appendingPathComponent(".build/debug/hudi-crash-writer")
    }()

    static let phases = ["requested", "inflight", "base-file", "rollback", "before-completed", "completed", "random"]
    /// Merge-on-read adds log appends and background compaction.
    static let mergeOnReadPhases = ["requested", "inflight", "base-file", "log-file", "rollback", "before-completed", "completed",
                                    "compaction", "random"]

    struct Run {
        var lines: [String]
        var status: Int32
        var killed: Bool
        var stderr: String
        /// The phase the writer was in when it died (paused there, or the last one printed).
        var lastPhase: String? {
            for line in lines.reversed() {
                let parts = line.split(separator: " ")
                if parts.first == "PAUSED" || parts.first == "PHASE", parts.count > 1 { return String(parts[1]) }
            }
            return nil
        }
    }

    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func append(_ d: Data) { lock.lock(); data.append(d); lock.unlock() }
        var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
    }

    /// Runs the writer; with `pause` waits until it pauses there, otherwise kills it after
    /// `killAfter` seconds (if still running); SIGKILL either way.
    /// (Waits with `Task.sleep`, never blocking a thread of the shared concurrency pool,
    /// so tests running in parallel — and their lease heartbeats — keep running.)
    func runWriter(_ table: URL, batches: Int, pause: String?, killAfter: Double, optimistic: Bool = false,
                   mergeOnRead: Bool = false) async throws -> Run {
        let p = Process()
        p.executableURL = Self.writer
        p.arguments = [table.path, String(batches)]
        var env = ProcessInfo.processInfo.environment
        env["HUDI_CRASH_PAUSE"] = pause
        // Optimistic: a killed writer's instant heartbeat expires after 1 s.
        env["HUDI_CRASH_LEASE"] = optimistic ? "1" : "30"
        env["HUDI_CRASH_MODE"] = optimistic ? "optimistic" : "single"
        env["HUDI_CRASH_TABLE_TYPE"] = mergeOnRead ? "merge_on_read" : "copy_on_write"
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        let lines = Lines()
        out.fileHandleForReading.readabilityHandler = { h in
            let d = h.availableData
            if !d.isEmpty { lines.append(d) }
        }
        try p.run()
        let deadline = Date().addingTimeInterval(pause == nil ? killAfter : 30)
        while p.isRunning && Date() < deadline {
            if pause != nil && lines.text.contains("PAUSED") { break }
            try await Task.sleep(nanoseconds: 1_000_000)
        }
        var killed = false
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            killed = true
        }
        while p.isRunning { try await Task.sleep(nanoseconds: 1_000_000) }
        p.waitUntilExit()
        out.fileHandleForReading.readabilityHandler = nil
        lines.append(out.fileHandleForReading.readDataToEndOfFile())
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return Run(lines: lines.text.split(separator: "\n").map(String.init), status: p.terminationStatus, killed: killed, stderr: errText)
    }

    struct TableState {
        var batches: [Int] = []
        var instantOfBatch: [Int: String] = [:]
        var pending: [Instant] = []
        /// Compactions (merge-on-read), pending or done: their base files are not strays.
        var compactions: Set<String> = []
    }

    func state(_ dir: URL) async throws -> TableState {
        let store = try LocalObjectStore(root: dir)
        guard try await store.exists(HudiTable.propertiesKey) else { return TableState() }
        let table = try await HudiTable.open(store: store)
        let tl = try await table.timeline()
        var s = TableState()
        for c in tl.completedDataCommits {
            let m = try await table.commitMetadata(c, in: tl)
            guard let b = m.extraMetadata["crash.batch"].flatMap({ Int($0) }) else { continue }
            s.batches.append(b)
            s.instantOfBatch[b] = c.timestamp
        }
        s.pending = tl.pending.filter(\.isDataCommit)
        s.compactions = Set(try await store.listAll(prefix: ".hoodie/").compactMap { o -> String? in
            o.key.hasSuffix(".compaction.requested") ? String(o.key.dropFirst(".hoodie/".count).prefix(17)) : nil
        })
        return s
    }

    /// Base files whose instant is not a completed commit.
    func strayFiles(_ dir: URL, _ s: TableState) async throws -> [String] {
        let committed = Set(s.instantOfBatch.values).union(s.compactions)
        return try await LocalObjectStore(root: dir).listAll().map(\.key).filter { key in
            guard !key.hasPrefix(".hoodie/"), let name = key.split(separator: "/").last,
                  let base = BaseFileName(parsing: String(name)) else { return false }
            return !committed.contains(base.instant)
        }
    }

    /// The table read by hudi-rs equals the model of the committed batches (values, batch
    /// numbers, partitions and commit times). Returns a description of the difference.
    func compareWithModel(_ dir: URL, _ s: TableState) throws -> String? {
        guard s.batches == (0..<s.batches.count).map({ $0 + 1 }) else {
            return "committed batches are not 1...n in commit order: \(s.batches)"
        }
        let model = CrashWorkload.model(through: s.batches.count)
        guard !s.batches.isEmpty else { return nil }
        let rows = try HudiOracle.read(dir.path)
        var seen: [String: String] = [:]
        for r in rows {
            guard let id = r["id"]?.string else { return "row without id: \(r.pretty())" }
            if seen[id] != nil { return "key \(id) read twice" }
            seen[id] = r.pretty()
            guard let m = model[id] else { return "key \(id) is in the table but not in the model (batch \(r["batch"]?.int ?? -1))" }
            let date = CrashWorkload.date(ofDay: m.day)
            if r["value"]?.int != m.value || r["batch"]?.int != Int64(m.batch) || r["day"]?.string != date
                || r["_hoodie_partition_path"]?.string != "day=\(date)" || r["_hoodie_commit_time"]?.string != s.instantOfBatch[m.batch] {
                return "key \(id): table \(r.pretty()) vs model \(m) committed at \(s.instantOfBatch[m.batch] ?? "?")"
            }
        }
        let missing = Set(model.keys).subtracting(seen.keys)
        if !missing.isEmpty { return "keys missing from the table: \(missing.sorted())" }
        return nil
    }

    /// Two writer processes on one table: while the first holds the lease (paused mid-
    /// commit), the second fails with an error naming it; after the first is SIGKILLed the
    /// second takes over its lease at once, rolls back its write and commits.
    @Test func secondWriterProcessIsLockedOut() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-two-writers")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try await runWriter(dir, batches: 1, pause: nil, killAfter: 60)
        let p = Process()
        p.executableURL = Self.writer
        p.arguments = [dir.path, "1"]
        var env = ProcessInfo.processInfo.environment
        env["HUDI_CRASH_PAUSE"] = "base-file:1"
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        let lines = Lines()
        out.fileHandleForReading.readabilityHandler = { h in
            let d = h.availableData
            if !d.isEmpty { lines.append(d) }
        }
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() } }
        let deadline = Date().addingTimeInterval(30)
        while !lines.text.contains("PAUSED") && p.isRunning && Date() < deadline { try await Task.sleep(nanoseconds: 2_000_000) }
        out.fileHandleForReading.readabilityHandler = nil
        #expect(lines.text.contains("PAUSED base-file 2"))
        let second = try await runWriter(dir, batches: 1, pause: nil, killAfter: 60)
        #expect(!second.killed && second.status == 1)
        #expect(second.stderr.contains("table locked by another writer") && second.stderr.contains("is held by pid \(p.processIdentifier) on"),
                "\(second.stderr)")
        kill(p.processIdentifier, SIGKILL)
        while p.isRunning { try await Task.sleep(nanoseconds: 1_000_000) }
        p.waitUntilExit()
        let third = try await runWriter(dir, batches: 1, pause: nil, killAfter: 60)
        #expect(!third.killed && third.status == 0, "\(third.stderr)")
        let s = try await state(dir)
        #expect(s.batches == [1, 2] && s.pending.isEmpty)
        #expect(try await strayFiles(dir, s).isEmpty)
        #expect(try compareWithModel(dir, s) == nil)
    }

    @Test func killedWritersNeverCorruptTheTable() async throws {
        let iterations = Int(ProcessInfo.processInfo.environment["TRIBUTARY_CRASH_ITERATIONS"] ?? "") ?? (TestEnvironment.soak ? 300 : 30)
        try await crashLoop(optimistic: false, minIterations: iterations, budget: TestEnvironment.soak ? 900 : 75)
    }

    /// The same with optimistic writers: a killed writer's pending instant is left alone
    /// while its heartbeat is fresh and rolled back once it expired (at the next writer's
    /// start, or while that writer waits to commit after it).
    @Test func killedOptimisticWritersNeverCorruptTheTable() async throws {
        let iterations = Int(ProcessInfo.processInfo.environment["TRIBUTARY_CRASH_ITERATIONS"] ?? "").map { $0 / 2 } ?? (TestEnvironment.soak ? 150 : 20)
        try await crashLoop(optimistic: true, minIterations: iterations, budget: TestEnvironment.soak ? 600 : 60)
    }

    /// Merge-on-read: kills during delta commits (log appends) and background compactions;
    /// hudi-rs reads exactly the model after each, and a failed delta commit is rolled back
    /// with rollback command blocks.
    @Test func killedMergeOnReadWritersNeverCorruptTheTable() async throws {
        let iterations = Int(ProcessInfo.processInfo.environment["TRIBUTARY_CRASH_ITERATIONS"] ?? "") ?? (TestEnvironment.soak ? 300 : 27)
        try await crashLoop(optimistic: false, mergeOnRead: true, minIterations: iterations, budget: TestEnvironment.soak ? 900 : 90)
    }

    func crashLoop(optimistic: Bool, mergeOnRead: Bool = false, minIterations: Int, budget: Double) async throws {
        let phases = mergeOnRead ? Self.mergeOnReadPhases : Self.phases
        let dir = try TestEnvironment.temporaryDirectory(optimistic ? "hudi-crash-occ" : mergeOnRead ? "hudi-crash-mor" : "hudi-crash")
        let soak = TestEnvironment.soak
        let seed = UInt64(ProcessInfo.processInfo.environment["TRIBUTARY_CRASH_SEED"] ?? "") ?? UInt64.random(in: 1...1_000_000)
        var rng = SplitMix(seed: seed)
        let started = Date()
        var iteration = 0
        var hits: [String: Int] = [:]
        var kills = 0, recoveries = 0
        var failed = false
        while !failed {
            let elapsed = Date().timeIntervalSince(started)
            let allHit = phases.allSatisfy { hits[$0, default: 0] > 0 }
            if iteration >= minIterations && (allHit || elapsed > budget * 2) { break }
            if iteration >= minIterations && soak && elapsed > budget { break }
            let before = try await state(dir)
            let pendingFiles = try await strayFiles(dir, before)
            var phase = phases[iteration % phases.count]
            // (Merge-on-read: a failed delta commit may have written log files only.)
            if phase == "rollback" && pendingFiles.isEmpty && (!mergeOnRead || before.pending.isEmpty) { phase = "random" }
            let occurrence = phase == "rollback" || phase == "compaction" ? 1 : Int.random(in: 1...3, using: &rng)
            // A compaction comes every third delta commit: enough batches to reach one.
            let batches = phase == "compaction" ? 7 : occurrence + 2
            let run = try await runWriter(dir, batches: batches, pause: phase == "random" ? nil : "\(phase):\(occurrence)",
                                    killAfter: Double.random(in: 0.05...0.8, using: &rng), optimistic: optimistic, mergeOnRead: mergeOnRead)
            iteration += 1
            if run.killed { kills += 1 }
            let died = run.killed ? (run.lastPhase ?? "startup") : "finished"
            hits[phase == "random" ? "random" : (run.lines.contains { $0.hasPrefix("PAUSED") } ? phase : "missed-\(phase)"), default: 0] += 1
            hits["died-in-\(died)", default: 0] += 1
            if !run.killed && run.status != 0 {
                Issue.record("iteration \(iteration): writer failed (status \(run.status)): \(run.stderr)")
                failed = true
            }
            if phase != "random" && !run.lines.contains(where: { $0.hasPrefix("PAUSED") }) {
                Issue.record("iteration \(iteration): the writer never paused at \(phase):\(occurrence): \(run.lines.suffix(5)) \(run.stderr)")
                failed = true
            }
            let after = try await state(dir)
            // Recovery: once the writer requested its own instant, the crashed write it found
            // was rolled back entirely (instant files and base files).
            // (Optimistic: once it completed a commit, since it settles older instants first.)
            let recovered = optimistic ? "PHASE completed" : "PHASE requested"
            if !before.pending.isEmpty && run.lines.contains(where: { $0.hasPrefix(recovered) }) {
                recoveries += 1
                let leftover = Set(before.pending.map(\.timestamp)).intersection(after.pending.map(\.timestamp))
                let files = try await strayFiles(dir, after).filter { key in before.pending.contains { key.contains("_\($0.timestamp).parquet") } }
                if !leftover.isEmpty || !files.isEmpty {
                    Issue.record("iteration \(iteration): crashed instants \(leftover.sorted()) / files \(files) survived the next writer")
                    failed = true
                }
            }
            if let diff = try compareWithModel(dir, after) {
                Issue.record("iteration \(iteration) (\(phase), died in \(died), seed \(seed)): \(diff); table kept at \(dir.path)")
                failed = true
            }
        }
        // A last writer runs to completion: it recovers, commits, releases its lease; nothing
        // pending or stray is left and both readers agree with the model.
        // (Optimistic: after the last killed writer's heartbeat expired, so its leftovers —
        // a heartbeat written before its requested file — count as a crashed writer's.)
        if optimistic { try await Task.sleep(nanoseconds: 1_200_000_000) }
        let final = try await runWriter(dir, batches: 2, pause: nil, killAfter: 60, optimistic: optimistic, mergeOnRead: mergeOnRead)
        #expect(!final.killed && final.status == 0, "final writer: \(final.stderr)")
        let end = try await state(dir)
        #expect(end.pending.isEmpty)
        #expect(try await strayFiles(dir, end).isEmpty)
        #expect(try compareWithModel(dir, end) == nil)
        // (`.hoodie/.aux/` keeps the remembered deletes: table data, not a writer's leftovers.)
        let leftovers = try await LocalObjectStore(root: dir).listAll(prefix: ".hoodie/.").map(\.key).filter { !$0.hasPrefix(".hoodie/.aux/") }
        #expect(leftovers.isEmpty, "lease, commit lock and heartbeats released: \(leftovers)")
        let table = try await HudiTable.open(store: try LocalObjectStore(root: dir))
        #expect(sortedRows(try await ourRows(table)) == sortedRows(try HudiOracle.read(dir.path)))
        let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
        print("crash test (\(optimistic ? "optimistic" : "single writer")\(mergeOnRead ? ", merge-on-read" : "")): \(iteration) iterations in \(seconds) s (seed \(seed)), \(kills) kills, \(recoveries) recoveries checked, "
              + "\(end.batches.count) batches committed; phases: \(hits.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        #expect(iteration >= minIterations)
        #expect(phases.allSatisfy { hits[$0, default: 0] > 0 }, "phases hit: \(hits)")
        if !failed { try? FileManager.default.removeItem(at: dir) }
    }
}

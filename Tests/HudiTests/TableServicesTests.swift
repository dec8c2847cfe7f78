import Foundation
import ObjectStore
import Parquet
import Testing
import TributaryCore
import TributaryTesting
@testable import Hudi

/// Rollback of failed writes, the cleaner, time travel and incremental reads — checked
/// against hudi-rs (tables) and fastavro (the Avro instant files).
@Suite(.serialized) struct TableServicesTests {
    static let day: Int64 = 86_400_000_000
    static let base: Int64 = 1_795_000_000_000_000  // 2026-11-18

    func newTable(_ dir: URL, retained: Int = 10, autoClean: Bool = true) async throws -> HudiTable {
        var options = WriteOptions()
        options.cleanerCommitsRetained = retained
        options.autoClean = autoClean
        return try await HudiTable.create(store: try LocalObjectStore(root: dir), name: "user_events_table", recordKeyField: "event_id",
                                          precombineField: "timestamp", partitionField: "event_date", fields: Events.fields,
                                          options: options)
    }

    /// Commits in a test: the writes and an in-memory model of the table after each.
    struct Model {
        var rng = SplitMix(seed: 7)
        var state: [String: (record: EventRecord, commit: String)] = [:]
        var snapshots: [String: [JSONValue]] = [:]
        /// Deleted keys' latest delete: an older upsert of an absent key stays deleted.
        var deleted: [String: Int64] = [:]
        var offset: Int64 = 0
        var commit = 0

        /// Up to 25 distinct keys of 40: upserts over three days (moving keys between
        /// partitions), every sixth a delete; timestamps grow with the commit.
        mutating func batch() -> [EventRecord] {
            commit += 1
            var keys = Array(0..<40).shuffled(using: &rng).prefix(Int.random(in: 5...25, using: &rng))
            if commit == 1 { keys = ArraySlice(0..<30) }
            return keys.map { k in
                offset += 1
                return EventRecord(eventId: "k\(k)", userId: "u\(k % 4)", eventType: "click", page: "/p\(offset)",
                                   country: k % 3 == 0 ? nil : "DE",
                                   timestamp: TableServicesTests.base + Int64.random(in: 0..<3, using: &rng) * TableServicesTests.day + Int64(commit) * 1_000_000,
                                   kafkaOffset: offset, delete: commit > 1 && Int.random(in: 0..<6, using: &rng) == 0)
            }
        }

        mutating func apply(_ records: [EventRecord], instant: String) {
            // Hudi's precombine: a record older than the stored version is ignored (deletes too).
            for r in records {
                if let stored = state[r.eventId], r.timestamp < stored.record.timestamp { continue }
                if state[r.eventId] == nil, let d = deleted[r.eventId], r.timestamp < d { continue }
                state[r.eventId] = r.delete ? nil : (r, instant)
                if r.delete { deleted[r.eventId] = max(deleted[r.eventId] ?? .min, r.timestamp) }
            }
            snapshots[instant] = rows
        }

        var rows: [JSONValue] { sortedRows(state.values.map { Events.expectedLine($0.record, commitTime: $0.commit) }) }

        mutating func write(_ table: HudiTable) async throws -> String {
            let records = batch()
            let result = try await table.write(Events.batch(records), operation: .upsert,
                                               extraMetadata: [Hudi.checkpointKey: "user_events,0:\(offset)"])
            apply(records, instant: result.instant)
            return result.instant
        }
    }

    func baseFiles(_ dir: URL) throws -> [String] {
        let e = FileManager.default.enumerator(atPath: dir.path)
        var out: [String] = []
        while let p = e?.nextObject() as? String {
            if !p.hasPrefix(".hoodie"), p.hasSuffix(".parquet") { out.append(p) }
        }
        return out.sorted()
    }

    func timelineFiles(_ dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(".hoodie").path)
            .filter { Instant.parse(fileName: $0) != nil }.sorted()
    }

    /// Turns the last commit into a crashed write: its completed file removed, its
    /// requested/inflight files and base files left behind.
    func uncomplete(_ dir: URL, _ instant: String) throws {
        try FileManager.default.removeItem(at: dir.appendingPathComponent(".hoodie/\(instant).commit"))
    }

    // MARK: Avro

    @Test func avroWriterRoundTripsAndFastavroReadsIt() async throws {
        let schema = #"""
            {"type":"record","name":"T","namespace":"x.y","fields":[
             {"name":"s","type":"string"},{"name":"l","type":"long"},{"name":"i","type":"int"},
             {"name":"b","type":"boolean"},{"name":"d","type":"double"},{"name":"f","type":"float"},
             {"name":"raw","type":"bytes"},{"name":"fx","type":{"type":"fixed","name":"F4","size":4}},
             {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}},
             {"name":"u","type":["null","string"],"default":null},{"name":"u2","type":["int","null"]},
             {"name":"a","type":{"type":"array","items":"long"}},
             {"name":"m","type":{"type":"map","values":{"type":"record","name":"Inner","fields":[{"name":"n","type":"string"}]}}},
             {"name":"again","type":["null","Inner"]}]}
            """#
        func record(_ n: Int) -> JSONValue {
            let long: Int64 = -(1 << 40) + Int64(n)
            let raw: String = Data([0, 1, 255]).base64EncodedString()
            let fixed: String = Data([1, 2, 3, 4]).base64EncodedString()
            let array: [JSONValue] = n == 0 ? [] : (0..<300).map { JSONValue.int(Int64($0) * 1_000_003) }
            let map: [(String, JSONValue)] = n == 0 ? [] : [("k", JSONValue.object([("n", .string("v"))]))]
            let again: JSONValue = n == 2 ? .object([("n", .string("w"))]) : .null
            var fields: [(String, JSONValue)] = [("s", .string("héllo \(n)")), ("l", .int(long)), ("i", .int(Int64(n) - 64))]
            fields += [("b", .bool(n % 2 == 0)), ("d", .double(2.5)), ("f", .double(-0.5)), ("raw", .string(raw)), ("fx", .string(fixed))]
            fields += [("e", .string(n == 0 ? "A" : "B")), ("u", n == 1 ? .null : .string("u\(n)")), ("u2", n == 2 ? .null : .int(7))]
            fields += [("a", .array(array)), ("m", .object(map)), ("again", again)]
            return .object(fields)
        }
        let records = (0..<3).map(record)
        let data = try AvroWriter.container(schemaJSON: schema, records: records)
        #expect(try AvroReader.records(data) == records)
        let dir = try TestEnvironment.temporaryDirectory("avro")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("t.avro")
        try data.write(to: file)
        let read = try fastavroRead([file.path])
        #expect(read.first?.schema == "x.y.T" || read.first?.schema == "T")
        #expect(read.first?.records.count == 3)
        #expect(read.first?.records[0]["s"] == .string("héllo 0"))
        #expect(read.first?.records[1]["a"]?.arrayValues?.count == 300)
        #expect(read.first?.records[2]["again"]?["n"] == .string("w"))
        #expect(read.first?.records[0]["l"] == .int(-(1 << 40)))
        // A value that does not fit the schema is refused with the field named.
        #expect(throws: AvroError.self) { try AvroWriter.container(schemaJSON: schema, records: [.object([("s", .int(1))])]) }
    }

    // MARK: Rollback

    @Test func failedWriteIsRolledBackWithARollbackInstant() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-rollback")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await newTable(dir)
        var model = Model()
        _ = try await model.write(table)
        let good = model.rows
        _ = try await model.write(table)
        let kept = model.rows
        let failedRecords = model.batch()
        let failed = try await table.write(Events.batch(failedRecords), operation: .upsert).instant
        try uncomplete(dir, failed)
        let failedFiles = try baseFiles(dir).filter { $0.contains(failed) }
        #expect(!failedFiles.isEmpty)
        // Readers skip the failed write before the rollback.
        #expect(!(try await table.planSnapshot().filePaths.contains { $0.contains(failed) }))
        #expect(sortedRows(try HudiOracle.read(dir.path)) == kept)
        #expect(kept != good)

        // The next writer (a new process) rolls it back first.
        await table.close()  // the next writer is another process: the lease is released
        let reopened = try await HudiTable.open(store: try LocalObjectStore(root: dir))
        let next = try await model.write(reopened)
        #expect(try baseFiles(dir).allSatisfy { !$0.contains(failed) })
        let names = try timelineFiles(dir)
        #expect(!names.contains { $0.hasPrefix(failed) })
        let rollbacks = names.filter { $0.hasSuffix(".rollback") }
        #expect(rollbacks.count == 1)
        #expect(names.contains { $0.hasSuffix(".rollback.requested") } && names.contains { $0.hasSuffix(".rollback.inflight") })
        let r = String(rollbacks[0].prefix(17))
        #expect(r > failed && r < next)
        // Metadata names the instant and the deleted files; fastavro reads both files.
        let meta = try await reopened.rollbackMetadata(Instant(timestamp: r, action: "rollback", state: .completed))
        #expect(meta.commitsRollback == [failed])
        #expect(meta.deletedByPartition.values.flatMap { $0 }.sorted() == failedFiles)
        let avro = try fastavroRead([".hoodie/\(r).rollback.requested", ".hoodie/\(r).rollback"].map { dir.appendingPathComponent($0).path })
        #expect(avro.map(\.schema).allSatisfy { $0.hasPrefix("org.apache.hudi.avro.model.HoodieRollback") })
        #expect(avro[0].records[0]["instantToRollback"]?["commitTime"] == .string(failed))
        #expect(avro[1].records[0]["commitsRollback"] == .array([.string(failed)]))
        #expect(avro[1].records[0]["totalFilesDeleted"] == .int(Int64(failedFiles.count)))
        // The table is the model of the committed writes, for hudi-rs and for us.
        #expect(sortedRows(try HudiOracle.read(dir.path)) == model.rows)
        #expect(sortedRows(try await ourRows(reopened)) == model.rows)
    }

    @Test func halfDoneRollbackIsResumed() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-rollback-resume")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await newTable(dir)
        var model = Model()
        _ = try await model.write(table)
        let failed = try await table.write(Events.batch(model.batch()), operation: .upsert).instant
        try uncomplete(dir, failed)
        let failedFiles = try baseFiles(dir).filter { $0.contains(failed) }
        // A rollback that crashed after deleting the inflight file and one base file.
        let r = InstantTimeGenerator.format(millis: (InstantTimeGenerator.millis(of: failed) ?? 0) + 5)
        let plan = RollbackPlan(instantToRollback: failed, action: "commit",
                                filesByPartition: Dictionary(grouping: failedFiles, by: { FileSystemView.splitKey($0).0 }))
        try plan.avro().write(to: dir.appendingPathComponent(".hoodie/\(r).rollback.requested"))
        try Data().write(to: dir.appendingPathComponent(".hoodie/\(r).rollback.inflight"))
        try FileManager.default.removeItem(at: dir.appendingPathComponent(".hoodie/\(failed).inflight"))
        try FileManager.default.removeItem(at: dir.appendingPathComponent(failedFiles[0]))

        // And a rollback that crashed before its plan was written (only an empty inflight).
        let stray = InstantTimeGenerator.format(millis: (InstantTimeGenerator.millis(of: failed) ?? 0) + 9)
        try Data().write(to: dir.appendingPathComponent(".hoodie/\(stray).rollback.inflight"))

        await table.close()  // the next writer is another process: the lease is released
        let reopened = try await HudiTable.open(store: try LocalObjectStore(root: dir))
        _ = try await model.write(reopened)
        let names = try timelineFiles(dir)
        #expect(!names.contains { $0.hasPrefix(stray) })
        #expect(names.filter { $0.hasSuffix(".rollback") } == ["\(r).rollback"])
        #expect(!names.contains { $0.hasPrefix(failed) })
        #expect(try baseFiles(dir).allSatisfy { !$0.contains(failed) })
        #expect(sortedRows(try HudiOracle.read(dir.path)) == model.rows)
    }

    /// Recovery handles exactly the pending instants of the timeline it is given (optimistic
    /// writers pass only the dead writers' instants).
    @Test func recoveryRollsBackOnlyTheGivenInstants() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-rollback-chosen")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await newTable(dir)
        var model = Model()
        _ = try await model.write(table)
        let first = try await table.write(Events.batch(model.batch())).instant
        let second = try await table.write(Events.batch(model.batch())).instant
        try uncomplete(dir, first)
        try uncomplete(dir, second)
        let tl = try await table.timeline()
        let chosen = try #require(tl.pending.first { $0.timestamp == first })
        try await table.writer.rollbacks.rollbackPending(Timeline(instants: [chosen], folder: tl.folder, layoutVersion: tl.layoutVersion))
        let pending = try await table.timeline().pending.map(\.timestamp)
        #expect(pending == [second])
        #expect(try baseFiles(dir).allSatisfy { !$0.contains(first) })
        #expect(try baseFiles(dir).contains { $0.contains(second) })
    }

    @Test func rollbackOfTheLatestCommitOnly() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-rollback-latest")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await newTable(dir)
        var model = Model()
        _ = try await model.write(table)
        let second = try await model.write(table)
        let afterSecond = model.rows
        let third = try await model.write(table)
        await #expect(throws: HudiError.self) { try await table.rollback(instant: second) }
        do {
            try await table.rollback(instant: second)
        } catch {
            #expect("\(error)".contains("not the latest commit (\(third))"))
        }
        await #expect(throws: HudiError.self) { try await table.rollback(instant: "20000101000000000") }
        let result = try await table.rollback(instant: third)
        #expect(result.metadata.commitsRollback == [third] && result.metadata.totalFilesDeleted > 0)
        #expect(sortedRows(try HudiOracle.read(dir.path)) == afterSecond)
        #expect(sortedRows(try await ourRows(table)) == afterSecond)
        #expect(try await table.timeline().latestCompletedCommit?.timestamp == second)
        // Writing goes on from the earlier state.
        let again = try await table.write(Events.batch([EventRecord(eventId: "k999", userId: "u", eventType: "view", timestamp: Self.base, kafkaOffset: 1)]))
        let rows = sortedRows(try HudiOracle.read(dir.path))
        #expect(rows.count == afterSecond.count + 1)
        #expect(rows.contains { $0["_hoodie_commit_time"] == .string(again.instant) })
    }

    // MARK: Cleaner, time travel, incremental

    /// 14 commits with upserts, deletes and partition moves, 6 retained: every instant in
    /// retention reads the same with hudi-rs and with us (as-of rows and files, incremental
    /// rows) and equals the model; older instants are refused naming the earliest one.
    @Test func timeTravelAndIncrementalMatchHudiRsWithinRetention() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-travel")
        defer { try? FileManager.default.removeItem(at: dir) }
        let retained = 6
        let table = try await newTable(dir, retained: retained)
        var model = Model()
        var instants: [String] = []
        var written = Set<String>()
        for _ in 0..<14 {
            instants.append(try await model.write(table))
            written.formUnion(try baseFiles(dir))
        }
        let tl = try await table.timeline()
        let cleans = tl.instants.filter { $0.action == "clean" && $0.state == .completed }
        #expect(cleans.count >= 1)
        let earliest = try await table.earliestQueryableInstant()
        #expect(earliest == instants[instants.count - retained])
        #expect(try baseFiles(dir).count < written.count, "the cleaner deleted nothing")
        // Latest slices are never cleaned: the latest snapshot is intact.
        #expect(sortedRows(try HudiOracle.read(dir.path)) == model.rows)

        // Every queryable instant: as-of (rows and files) and incremental ranges.
        let queryable = instants.filter { $0 >= (earliest ?? "") }
        var queries: [JSONValue] = []
        var ranges: [(String?, String)] = []
        for (n, t) in queryable.enumerated() {
            queries.append(.object([("as_of", .string(t))]))
            queries.append(.object([("as_of", .string(Self.rfc3339(t)))]))
            queries.append(.object([("as_of", .string(t)), ("files", .bool(true))]))
            // Every (b, t] with b a retained instant before t, the one before the window,
            // and the beginning of the table.
            let previous = instants[instants.firstIndex(of: t).map { $0 - 1 } ?? 0]
            ranges.append((previous, t))
            for b in queryable[0..<n].dropLast() { ranges.append((b, t)) }
            ranges.append((nil, t))
        }
        for (b, e) in ranges {
            queries.append(.object([("start", b.map(JSONValue.string) ?? .null), ("end", .string(e))]))
        }
        let theirs = try HudiOracle.queries(dir.path, queries)
        var q = 0
        for t in queryable {
            let expected = model.snapshots[t] ?? []
            #expect(sortedRows(theirs[q]) == expected, "hudi-rs as of \(t)")
            #expect(sortedRows(try await ourRows(table, asOf: t)) == expected, "ours as of \(t)")
            #expect(sortedRows(theirs[q + 1]) == expected, "hudi-rs as of \(Self.rfc3339(t))")
            #expect(sortedRows(try await ourRows(table, asOf: Self.rfc3339(t))) == expected, "ours as of \(Self.rfc3339(t))")
            #expect(theirs[q + 2].compactMap(\.string) == (try await table.planSnapshot(asOf: t).filePaths), "files as of \(t)")
            q += 3
        }
        var partial = 0
        for (b, e) in ranges {
            let rows = try await table.readIncremental(since: b, until: e)
            let ours = sortedRows(try rows.rows.map {
                canonical(try JSONValue.parse(Data(renderJSONLine(names: rows.names, row: $0).utf8)))
            })
            // The model: the records of the snapshot at `e` last written after `b`.
            let expected = (model.snapshots[e] ?? []).filter { r in b.map { (r["_hoodie_commit_time"]?.string ?? "") > $0 } ?? true }
            #expect(sortedRows(theirs[q]) == expected, "hudi-rs incremental (\(b ?? "-"), \(e)]")
            #expect(ours == expected, "ours incremental (\(b ?? "-"), \(e)]")
            if !expected.isEmpty && expected.count < (model.snapshots[e] ?? []).count { partial += 1 }
            q += 1
        }
        #expect(partial > ranges.count / 2, "incremental ranges should mostly be proper, non-empty parts of the snapshot")

        // Before the retention window: a clear error naming the earliest queryable instant.
        let old = instants[instants.count - retained - 1]
        do {
            _ = try await table.planSnapshot(asOf: old)
            Issue.record("as-of \(old) should be refused")
        } catch let error as HudiError {
            #expect("\(error)".contains("earliest queryable instant is \(earliest ?? "?")"))
        }
        await #expect(throws: HudiError.self) { try await table.planIncremental(since: nil, until: old) }

        // The clean instant files are Hudi's Avro records.
        let c = cleans[cleans.count - 1].timestamp
        let avro = try fastavroRead([".hoodie/\(c).clean.requested", ".hoodie/\(c).clean.inflight", ".hoodie/\(c).clean"]
            .map { dir.appendingPathComponent($0).path })
        #expect(avro.map(\.schema) == ["org.apache.hudi.avro.model.HoodieCleanerPlan", "org.apache.hudi.avro.model.HoodieCleanerPlan",
                                       "org.apache.hudi.avro.model.HoodieCleanMetadata"])
        #expect(avro[0].records[0]["policy"] == .string("KEEP_LATEST_COMMITS"))
        #expect(avro[2].records[0]["earliestCommitToRetain"] == .string(earliest ?? ""))
        let deleted = (avro[2].records[0]["partitionMetadata"]?.objectEntries ?? []).flatMap { $0.1["successDeleteFiles"]?.arrayValues ?? [] }
        #expect(!deleted.isEmpty)
        #expect(avro[2].records[0]["totalFilesDeleted"] == .int(Int64(deleted.count)))
    }

    /// `2026-11-26T13:42:24.519Z` for `20261126134224519` (hudi-rs takes RFC 3339 times).
    static func rfc3339(_ t: String) -> String {
        let c = Array(t)
        func s(_ r: Range<Int>) -> String { String(c[r]) }
        return "\(s(0..<4))-\(s(4..<6))-\(s(6..<8))T\(s(8..<10)):\(s(10..<12)):\(s(12..<14)).\(s(14..<17))Z"
    }

    @Test func crashedCleanIsFinishedByTheNextWriter() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-clean-resume")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await newTable(dir, retained: 2, autoClean: false)
        var model = Model()
        for _ in 0..<5 { _ = try await model.write(table) }
        let tl = try await table.timeline()
        let listing = try await table.fileSystemView.listFileGroups()
        let planned = Cleaner.plan(timeline: tl, listing: listing, replaced: try await table.activeTimeline.replacedFileGroups(tl, asOf: nil), retained: 2)
        let plan = try #require(planned)
        // Crashed after the plan and one deletion.
        let c = InstantTimeGenerator.format(millis: (InstantTimeGenerator.millis(of: tl.latestTimestamp ?? "") ?? 0) + 3)
        try plan.avro().write(to: dir.appendingPathComponent(".hoodie/\(c).clean.requested"))
        let doomed = plan.filesByPartition.values.flatMap { $0 }.sorted()
        try FileManager.default.removeItem(at: dir.appendingPathComponent(doomed[0]))
        #expect(sortedRows(try HudiOracle.read(dir.path)) == model.rows)

        await table.close()  // the next writer is another process: the lease is released
        let reopened = try await HudiTable.open(store: try LocalObjectStore(root: dir), options: { var o = WriteOptions(); o.autoClean = false; return o }())
        _ = try await model.write(reopened)
        let names = try timelineFiles(dir)
        #expect(names.filter { $0.contains(".clean") } == ["\(c).clean", "\(c).clean.inflight", "\(c).clean.requested"])
        #expect(try baseFiles(dir).allSatisfy { !doomed.contains($0) })
        let meta = try await reopened.cleanMetadata(Instant(timestamp: c, action: "clean", state: .completed))
        #expect(meta.deletedByPartition.values.flatMap { $0 }.sorted() == doomed.map { FileSystemView.splitKey($0).1 }.sorted())
        #expect(sortedRows(try HudiOracle.read(dir.path)) == model.rows)
        // Rolling back the latest commit is refused once the commit before it was cleaned away.
        var one = WriteOptions()
        one.cleanerCommitsRetained = 1
        await reopened.close()
        let strict = try await HudiTable.open(store: try LocalObjectStore(root: dir), options: one)
        #expect(try await strict.clean() != nil)
        let latest = try #require(try await strict.timeline().latestCompletedCommit?.timestamp)
        #expect(try await strict.earliestQueryableInstant() == latest)
        do {
            try await strict.rollback(instant: latest)
            Issue.record("rollback over cleaned files should be refused")
        } catch {
            #expect("\(error)".contains("the cleaner deleted files of the commit before it"))
        }
        #expect(sortedRows(try HudiOracle.read(dir.path)) == model.rows)
    }

    /// A replacecommit (as insert_overwrite writes it) removes the groups it replaces from
    /// snapshots and incremental reads after it, as hudi-rs does.
    @Test func replacedFileGroupsLeaveSnapshotAndIncrementalReads() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-replace")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = WriteOptions()
        options.smallFileLimit = 0  // new keys go to new file groups
        let table = try await HudiTable.create(store: try LocalObjectStore(root: dir), name: "user_events_table", recordKeyField: "event_id",
                                               precombineField: "timestamp", partitionField: "event_date", fields: Events.fields, options: options)
        func records(_ prefix: String) -> [EventRecord] {
            (0..<4).map { EventRecord(eventId: "\(prefix)\($0)", userId: "u", eventType: "x", timestamp: Self.base + Int64($0), kafkaOffset: Int64($0)) }
        }
        let first = try await table.write(Events.batch(records("a")))
        let second = try await table.write(Events.batch(records("b")))
        let third = try await table.write(Events.batch(records("c")))
        // Turn the second commit into an insert_overwrite of the first commit's group.
        let old = try #require(first.metadata.writeStats.first)
        var meta = second.metadata
        meta.partitionToReplaceFileIds = [old.partitionPath: [old.fileId]]
        meta.operationType = "INSERT_OVERWRITE"
        let hoodie = dir.appendingPathComponent(".hoodie")
        try FileManager.default.removeItem(at: hoodie.appendingPathComponent("\(second.instant).commit"))
        try meta.jsonData().write(to: hoodie.appendingPathComponent("\(second.instant).replacecommit"))
        await table.close()  // the next writer is another process: the lease is released
        let reopened = try await HudiTable.open(store: try LocalObjectStore(root: dir))
        let ranges: [(String?, String)] = [(nil, first.instant), (nil, second.instant), (first.instant, second.instant),
                                           (first.instant, third.instant), (nil, third.instant), (second.instant, third.instant)]
        let theirs = try HudiOracle.queries(dir.path, ranges.map { .object([("start", $0.0.map(JSONValue.string) ?? .null), ("end", .string($0.1))]) }
            + [.object([("as_of", .string(second.instant))]), .object([("as_of", .string(third.instant))])])
        for (i, (b, e)) in ranges.enumerated() {
            let rows = try await reopened.readIncremental(since: b, until: e)
            let ours = sortedRows(try rows.rows.map { canonical(try JSONValue.parse(Data(renderJSONLine(names: rows.names, row: $0).utf8))) })
            #expect(ours == sortedRows(theirs[i]), "incremental (\(b ?? "-"), \(e)]")
        }
        #expect(!theirs[4].contains { $0["_hoodie_record_key"]?.string?.hasPrefix("a") == true })
        #expect(sortedRows(try await ourRows(reopened, asOf: second.instant)) == sortedRows(theirs[6]))
        #expect(sortedRows(try await ourRows(reopened)) == sortedRows(theirs[7]))
        #expect(theirs[7].count == 8)
    }

    @Test func cleanCanBeTurnedOffAndRunByHand() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-clean-manual")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await newTable(dir, retained: 2, autoClean: false)
        var model = Model()
        for _ in 0..<5 { _ = try await model.write(table) }
        #expect(try await table.earliestQueryableInstant() == nil)
        let before = try baseFiles(dir).count
        let result = try await table.clean()
        #expect(result != nil)
        #expect(try baseFiles(dir).count == before - (result?.metadata.totalFilesDeleted ?? 0))
        #expect(try await table.clean() == nil)  // nothing left to delete
        #expect(sortedRows(try HudiOracle.read(dir.path)) == model.rows)
    }
}

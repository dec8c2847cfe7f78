import Foundation
import ObjectStore
import Parquet
import Testing
import TributaryCore
import TributaryTesting
@testable import Hudi

/// Tables we write, read back by hudi-rs (the oracle) and by our reader.
@Suite(.serialized) struct WriteOracleTests {
    static let day: Int64 = 86_400_000_000
    static let base: Int64 = 1_795_000_000_000_000  // 2026-11-18

    func newTable(_ dir: URL, options: WriteOptions = WriteOptions()) async throws -> HudiTable {
        let store = try LocalObjectStore(root: dir)
        return try await HudiTable.create(store: store, name: "user_events_table", recordKeyField: "event_id",
                                          precombineField: "timestamp", partitionField: "event_date", fields: Events.fields,
                                          options: options)
    }

    /// Insert batches: hudi-rs reads exactly what we wrote, the layout is Hudi's.
    @Test func insertBatchesReadByHudiRs() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-insert")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try await newTable(dir)
        var expected: [JSONValue] = []
        var instants: [String] = []
        for b in 0..<3 {
            let records = (0..<40).map { i in
                EventRecord(eventId: "e\(b)-\(i)", userId: "u\(i % 7)", eventType: "click", page: i % 3 == 0 ? nil : "/p/\(i)",
                            country: i % 5 == 0 ? nil : "DE", timestamp: Self.base + Int64(i % 3) * Self.day + Int64(i) * 1_000_003,
                            kafkaOffset: Int64(b * 100 + i))
            }
            let result = try await table.write(Events.batch(records), operation: .insert,
                                               extraMetadata: ["deltastreamer.checkpoint.key": "user_events,0:\(b * 100 + 40)"])
            instants.append(result.instant)
            expected += records.map { Events.expectedLine($0, commitTime: result.instant) }
            #expect(result.summary.inserts == 40)
        }
        #expect(instants == instants.sorted() && Set(instants).count == 3)
        let theirs = try HudiOracle.read(dir.path)
        #expect(sortedRows(theirs) == sortedRows(expected))
        let ours = try await ourRows(table)
        #expect(sortedRows(ours) == sortedRows(expected))
        // Files: small-file packing put later inserts into the first commit's groups.
        let plan = try await table.planSnapshot()
        #expect(plan.slices.count == 3)  // one group per date
        #expect(try HudiOracle.files(dir.path) == plan.filePaths)
        // Layout and metadata.
        let fm = FileManager.default
        #expect(fm.fileExists(atPath: dir.appendingPathComponent("event_date=2026-11-18/.hoodie_partition_metadata").path))
        #expect(fm.fileExists(atPath: dir.appendingPathComponent(".hoodie/\(instants[0]).commit.requested").path))
        #expect(fm.fileExists(atPath: dir.appendingPathComponent(".hoodie/\(instants[0]).inflight").path))
        #expect(try await table.latestCommitExtraMetadata()?["deltastreamer.checkpoint.key"] == "user_events,0:240")
        let tl = try await table.timeline()
        let meta = try await table.commitMetadata(tl.completedDataCommits[1])
        #expect(meta.operationType == "INSERT")
        #expect(meta.writeStats.allSatisfy { $0.prevCommit == instants[0] && $0.numInserts > 0 && $0.numUpdateWrites == 0 })
        #expect(meta.writeStats.reduce(0) { $0 + $1.numWrites } == 80)
        // The footer carries what Hudi writes.
        let file = dir.appendingPathComponent(plan.filePaths[0]).path
        let kv = try ParquetFileReader(path: file).keyValueMetadata
        #expect(kv[HudiBloomFilter.typeCodeKey] == "DYNAMIC_V0")
        #expect(kv[HudiBloomFilter.minKeyKey] != nil && kv[HudiBloomFilter.maxKeyKey] != nil)
        #expect(kv["parquet.avro.schema"]?.contains("_hoodie_commit_time") == true)
        let tableConfig = try String(contentsOf: dir.appendingPathComponent(".hoodie/hoodie.properties"), encoding: .utf8)
        #expect(tableConfig.contains("hoodie.table.name=user_events_table"))
        #expect(tableConfig.contains("hoodie.timeline.layout.version=1"))
    }

    /// Upserts, late data, deletes, date changes: a random sequence checked against an
    /// in-memory model after every commit, by hudi-rs and by our reader.
    @Test func randomOperationsMatchModel() async throws {
        let seeds: [UInt64] = TestEnvironment.soak ? Array(1...6) : [42]
        for seed in seeds { try await runModel(seed: seed, commits: TestEnvironment.soak ? 40 : 12) }
    }

    func runModel(seed: UInt64, commits: Int) async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-model")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = WriteOptions()
        // Small limits so inserts spill into several groups and small-file packing runs
        // (every base file carries a ~430 KiB bloom filter, so sizes start there).
        options.maxFileSize = 640 * 1024
        options.smallFileLimit = 600 * 1024
        options.recordSizeEstimate = 16 * 1024
        // Always the configured estimate: learned sizes are dominated by the bloom filter.
        options.recordSizeEstimationThreshold = 1e9
        let table = try await newTable(dir, options: options)
        var rng = SplitMix(seed: seed)
        var model: [String: (record: EventRecord, commit: String)] = [:]
        // Deleted keys' latest delete: an older upsert of an absent key stays deleted.
        var deleted: [String: Int64] = [:]
        var offset: Int64 = 0
        var totals = WritePlanSummary()
        var packedInserts = 0
        for c in 0..<commits {
            var records: [EventRecord] = []
            let n = Int.random(in: 1...60, using: &rng)
            for _ in 0..<n {
                let key = "k\(Int.random(in: 0..<90, using: &rng))"
                // Timestamps over 4 days; often older than the stored version (late data).
                let ts = Self.base + Int64.random(in: 0..<(4 * Self.day), using: &rng) / 1000 * 1000
                offset += 1
                records.append(EventRecord(
                    eventId: key, userId: "u\(Int.random(in: 0..<5, using: &rng))",
                    eventType: ["click", "login", "purchase"][Int.random(in: 0..<3, using: &rng)],
                    page: Bool.random(using: &rng) ? nil : "/p\(offset)", country: Bool.random(using: &rng) ? "FR" : nil,
                    timestamp: ts, kafkaOffset: offset, delete: Int.random(in: 0..<6, using: &rng) == 0))
                // Duplicates within the batch, some with equal timestamps.
                if Int.random(in: 0..<8, using: &rng) == 0 {
                    var dup = records[records.count - 1]
                    offset += 1
                    dup.kafkaOffset = offset
                    dup.page = "/dup\(offset)"
                    records.append(dup)
                }
            }
            let result = try await table.write(Events.batch(records), operation: .upsert,
                                               extraMetadata: ["deltastreamer.checkpoint.key": "user_events,0:\(offset)"])
            packedInserts += result.metadata.writeStats.filter { $0.prevCommit != "null" && $0.numInserts > 0 }.count
            totals.updates += result.summary.updates
            totals.deletes += result.summary.deletes
            totals.moves += result.summary.moves
            totals.stale += result.summary.stale
            totals.missingDeletes += result.summary.missingDeletes
            totals.deduplicated += result.summary.deduplicated
            // Model: per key the largest timestamp wins (ties: later in batch), then it
            // applies only if not older than the stored version (or the key's remembered delete).
            var winners: [String: EventRecord] = [:]
            for r in records {
                if let w = winners[r.eventId], w.timestamp > r.timestamp { continue }
                winners[r.eventId] = r
            }
            for (key, r) in winners {
                if let stored = model[key], r.timestamp < stored.record.timestamp { continue }
                if model[key] == nil, let d = deleted[key], r.timestamp < d { continue }
                if r.delete {
                    model[key] = nil
                    deleted[key] = max(deleted[key] ?? .min, r.timestamp)
                } else {
                    model[key] = (r, result.instant)
                }
            }
            let expected = sortedRows(model.values.map { Events.expectedLine($0.record, commitTime: $0.commit) })
            let ours = sortedRows(try await ourRows(table))
            #expect(ours == expected, "seed \(seed) commit \(c): our reader differs from the model")
            let theirs = sortedRows(try HudiOracle.read(dir.path))
            #expect(theirs == expected, "seed \(seed) commit \(c): hudi-rs differs from the model")
            if ours != expected || theirs != expected { return }
            // Keys are unique across partitions.
            let keys = ours.compactMap { $0["_hoodie_record_key"]?.string }
            #expect(Set(keys).count == keys.count)
        }
        // The sequence exercised every path.
        #expect(totals.updates > 0 && totals.deletes > 0 && totals.moves > 0 && totals.stale > 0)
        #expect(totals.missingDeletes > 0 && totals.deduplicated > 0)
        #expect(packedInserts > 0, "no insert went into an existing small file")
        let plan = try await table.planSnapshot()
        #expect(plan.slices.count > 4, "expected several file groups, got \(plan.slices.count)")
        #expect(try await table.latestExtraMetadataValue("deltastreamer.checkpoint.key") == "user_events,0:\(offset)")
    }
}

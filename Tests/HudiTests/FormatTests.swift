import Foundation
import ObjectStore
import Parquet
import Testing
import TributaryCore
import TributaryTesting
@testable import Hudi

@Suite struct FormatTests {
    @Test func checksumMatchesSparkFixtures() {
        #expect(TableConfig.checksum(database: "default", table: "v6_simplekeygen_nonhivestyle") == 616_688_896)
        #expect(TableConfig.checksum(database: "default", table: "v8_simplekeygen_nonhivestyle") == 1_511_679_565)
    }

    @Test func propertiesRoundTripAndEscaping() throws {
        var c = TableConfig.newTable(name: "user_events_table", recordKeyFields: ["event_id"], precombineField: "timestamp",
                                     partitionFields: ["event_date"], createSchema: #"{"type":"record","a":"b=c"}"#)
        c["hoodie.custom"] = " lead: trail=é"
        let text = String(decoding: c.serialized(), as: UTF8.self)
        #expect(text.contains(#"hoodie.table.create.schema={"type"\:"record","a"\:"b\=c"}"#))
        #expect(text.hasSuffix("hoodie.table.checksum=\(TableConfig.checksum(database: "default", table: "user_events_table"))\n"))
        let back = try TableConfig.parse(c.serialized())
        #expect(back["hoodie.custom"] == " lead: trail=é")
        #expect(back.createSchemaValue == #"{"type":"record","a":"b=c"}"#)
        #expect(back.recordKeyFields == ["event_id"])
        #expect(back.precombineField == "timestamp")
        #expect(back.partitionFields == ["event_date"])
        #expect(back.hiveStylePartitioning)
        #expect(back.tableVersion == 6)
        // A tampered name fails the checksum.
        let tampered = text.replacingOccurrences(of: "hoodie.table.name=user_events_table", with: "hoodie.table.name=other")
        #expect(throws: HudiError.self) { try TableConfig.parse(Data(tampered.utf8)) }
    }

    @Test func instantTimesStrictlyIncreaseUnderSkew() {
        final class Clock: @unchecked Sendable {
            var now = Date(timeIntervalSince1970: 1_795_000_000.123)
        }
        let clock = Clock()
        let gen = InstantTimeGenerator(clock: { clock.now })
        let a = gen.next()
        let b = gen.next()  // same millisecond
        clock.now = clock.now.addingTimeInterval(-5)  // clock steps back
        let c = gen.next()
        let d = gen.next(after: "29990101000000000")  // a timeline instant from the future
        #expect(a.count == 17)
        #expect(a < b && b < c && c < d)
        #expect(d == "29990101000000001")
        #expect(InstantTimeGenerator.format(millis: 0) == "19700101000000000")
        #expect(InstantTimeGenerator.millis(of: a) == 1_795_000_000_123)
    }

    @Test func asOfForms() throws {
        #expect(try SlicePlanner.resolveInstant("20240418172802262") == "20240418172802262")
        #expect(try SlicePlanner.resolveInstant("2024-04-18T17:28:03Z") == "20240418172803000")
        #expect(try SlicePlanner.resolveInstant("2024-04-18 17:28:03.5") == "20240418172803500")
        #expect(try SlicePlanner.resolveInstant("2024-04-18") == "20240418000000000")
        #expect(try SlicePlanner.resolveInstant("1713461283") == "20240418172803000")
        #expect(throws: HudiError.self) { try SlicePlanner.resolveInstant("2024-04-18T17:28:03+02:00") }
        #expect(throws: HudiError.self) { try SlicePlanner.resolveInstant("yesterday") }
    }

    @Test func instantFileNames() {
        #expect(Instant.parse(fileName: "20240418172804498.inflight") == Instant(timestamp: "20240418172804498", action: "commit", state: .inflight))
        #expect(Instant.parse(fileName: "20240418172804498.commit.requested")?.state == .requested)
        #expect(Instant.parse(fileName: "20240418172804498.replacecommit")?.action == "replacecommit")
        let v8 = Instant.parse(fileName: "20250713011316909_20250713011317225.commit")
        #expect(v8?.completionTime == "20250713011317225")
        #expect(Instant.parse(fileName: "hoodie.properties") == nil)
        #expect(Instant(timestamp: "20240418172804498", action: "commit", state: .inflight).fileName == "20240418172804498.inflight")
    }

    @Test func baseFileNames() {
        let n = BaseFileName(parsing: "97de74b1-2a8e-4bb7-874c-0a74e1f42a77-0_0-119-166_20240418172804498.parquet")
        #expect(n?.fileId == "97de74b1-2a8e-4bb7-874c-0a74e1f42a77-0")
        #expect(n?.writeToken == "0-119-166")
        #expect(n?.instant == "20240418172804498")
        #expect(BaseFileName(parsing: ".hoodie_partition_metadata") == nil)
        #expect(!BaseFileName.newFileId().contains("_"))
    }

    /// Our bloom filter, fed the keys of a Spark-written base file, serializes to exactly
    /// the string Hudi wrote in that file's footer.
    @Test func bloomFilterIsByteIdenticalToSpark() async throws {
        let (dir, table) = try unzipFixture("v6_simplekeygen_nonhivestyle")
        defer { try? FileManager.default.removeItem(at: dir) }
        var checked = 0
        for partition in ["10", "20", "30"] {
            let folder = table.appendingPathComponent(partition)
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".parquet") {
                let reader = try ParquetFileReader(path: folder.appendingPathComponent(name).path)
                let kv = reader.keyValueMetadata
                let keys = try reader.readColumns(["_hoodie_record_key"])["_hoodie_record_key"]
                guard case .byteArray(let b)? = keys?.values else { Issue.record("no key column"); continue }
                var ours = HudiBloomFilter()
                for i in 0..<b.count { ours.add(b.string(at: i)) }
                #expect(ours.serializedString() == kv[HudiBloomFilter.footerKey], "bloom of \(name)")
                let theirs = try HudiBloomFilter(serialized: kv[HudiBloomFilter.footerKey] ?? "", typeCode: kv[HudiBloomFilter.typeCodeKey])
                for i in 0..<b.count { #expect(theirs.mightContain(b.string(at: i))) }
                #expect(!theirs.mightContain("not-a-key-\(name)"))
                checked += 1
            }
        }
        #expect(checked == 4)
    }

    /// Rows are added to a DYNAMIC_V0 filter as keys pass the per-row capacity, and it
    /// round-trips through its serialized form.
    @Test func dynamicBloomGrowsAndRoundTrips() throws {
        var f = HudiBloomFilter(kind: .dynamicV0, numEntries: 100, falsePositiveRate: 0.001, maxEntries: 250)
        for i in 0..<400 { f.add("key-\(i)") }
        #expect(f.rows.count == 3)  // 100, 100, 100 then round-robin (3*100 >= 250)
        let back = try HudiBloomFilter(serialized: f.serializedString(), typeCode: "DYNAMIC_V0")
        for i in 0..<400 { #expect(back.mightContain("key-\(i)")) }
        #expect(back.rows == f.rows)
        var misses = 0
        for i in 0..<1000 where back.mightContain("other-\(i)") { misses += 1 }
        #expect(misses < 200)
    }

    /// The index's batch membership (hash-major positions, one pass per hash) answers as
    /// the key-by-key check does, on one-row and multi-row (DYNAMIC_V0) filters and on
    /// sub-ranges of the probes.
    @Test func batchMembershipEqualsKeyByKey() {
        for (entries, added) in [(1000, 600), (100, 400)] {
            var f = HudiBloomFilter(kind: .dynamicV0, numEntries: entries, falsePositiveRate: 0.01, maxEntries: 250)
            for i in 0..<added { f.add("key-\(i)") }
            // Half added keys, half others (some of which are false positives at 1 %).
            let probes = (0..<2000).map { $0 % 2 == 0 ? "key-\($0 / 2)" : "other-\($0)" }
            var bytes = ByteArrays()
            for p in probes { bytes.append(p) }
            let positions = f.hashMajorPositions(bytes)
            for range in [0..<probes.count, 17..<1234, 5..<5] {
                let batch = positions.withUnsafeBufferPointer { f.mayContain(range, hashMajor: $0, keyCount: probes.count) }
                #expect(batch == range.filter { f.mightContain(probes[$0]) }, "\(entries) entries, \(range)")
            }
        }
    }

    @Test func murmurTailQuirks() {
        // Reference values computed with Hadoop's MurmurHash (Java), via the notes' algorithm.
        func h(_ s: [UInt8], _ seed: Int32) -> Int32 { s.withUnsafeBufferPointer { HudiMurmurHash.hash($0, seed: seed) } }
        // Sign extension of tail bytes: a high byte in the tail differs from its unsigned use.
        #expect(h([0x80], 0) != h([0x7F], 0))
        #expect(h(Array("abcd".utf8), 0) == h(Array("abcd".utf8), 0))
    }

    /// The positions computed with the key's blocks mixed once equal Hadoop's chain of full
    /// hashes, for every tail length, high bytes (sign extension) and odd vector sizes.
    @Test func chainedPositionsEqualRepeatedHashes() {
        var rng = SeededRandom(seed: 20261205)
        for length in 0..<71 {
            for _ in 0..<20 {
                let key = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
                let nbHash = Int32.random(in: 1...40, using: &rng)
                let vectorSize = Int32.random(in: 1...3_000_000, using: &rng)
                var expected: [Int32] = []
                var seed: Int32 = 0
                key.withUnsafeBufferPointer { bytes in
                    for _ in 0..<nbHash {
                        seed = HudiMurmurHash.hash(bytes, seed: seed)
                        expected.append(abs(seed % vectorSize))
                    }
                }
                var got: [Int32] = []
                key.withUnsafeBufferPointer { HudiMurmurHash.forEachPosition($0, nbHash: nbHash, vectorSize: vectorSize) { got.append($0) } }
                #expect(got == expected, "key of \(length) bytes, \(nbHash) hashes, \(vectorSize) bits")
            }
        }
    }

    @Test func commitMetadataJSONRoundTrip() throws {
        var stat = WriteStat(fileId: "f-0", path: "event_date=2026-11-26/f-0_0-0-0_20261126110000000.parquet", prevCommit: "null",
                             numWrites: 3, numDeletes: 0, numUpdateWrites: 0, numInserts: 3, totalWriteBytes: 1234,
                             partitionPath: "event_date=2026-11-26", fileSizeInBytes: 1234)
        stat.totalCreateTime = 5
        let m = CommitMetadata(partitionToWriteStats: [("event_date=2026-11-26", [stat])],
                               extraMetadata: ["schema": "{\"a\":1}", "deltastreamer.checkpoint.key": "t,0:5"], operationType: "UPSERT")
        let data = m.jsonData()
        let back = try CommitMetadata.parse(json: data)
        #expect(back.writeStats.first?.numInserts == 3)
        #expect(back.extraMetadata == m.extraMetadata)
        #expect(back.operationType == "UPSERT")
        #expect(String(decoding: data, as: UTF8.self).contains("\"prevCommit\" : \"null\""))
    }

    /// v8 commit files are Avro containers; we decode them into the same model.
    @Test func readsV8AvroCommitMetadata() async throws {
        let (dir, table) = try unzipFixture("v8_simplekeygen_nonhivestyle")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try LocalObjectStore(root: table, create: false)
        let t = try await HudiTable.open(store: store)
        let tl = try await t.timeline()
        #expect(tl.layoutVersion == 2)
        #expect(tl.completedDataCommits.count >= 2)
        guard let last = tl.latestCompletedCommit else { return }
        let meta = try await t.commitMetadata(last)
        #expect(!meta.writeStats.isEmpty)
        #expect(meta.writeStats.allSatisfy { $0.path.hasSuffix(".parquet") && !$0.fileId.isEmpty })
        #expect(meta.schema?.contains("\"record\"") == true)
    }
}

extension TableConfig {
    var createSchemaValue: String? { self[Key.createSchema] }
}

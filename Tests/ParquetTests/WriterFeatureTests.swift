import Foundation
@testable import Parquet
import Testing
import TributaryCore
import TributaryTesting

/// Statistics, dictionary fallback, key/value metadata and page CRCs of our writer, as
/// pyarrow sees them; corrupted pages must be an error on our side.
@Suite struct WriterFeatureTests {
    static func footer(_ path: String) throws -> [String: Any] {
        let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/ParquetTests/oracle/stats.py").path
        let out = try runPython([script, path])
        return (try JSONSerialization.jsonObject(with: out.stdout)) as? [String: Any] ?? [:]
    }

    static func sampleFile(_ dir: URL, options: WriterOptions = WriterOptions()) throws -> String {
        let path = dir.appendingPathComponent("s.parquet").path
        let fields = [
            Field("key", .string, nullable: false, metadata: [KeyValue(key: "role", value: "record key")]),
            Field("n", .int64),
            Field("x", .double),
            Field("unique", .string, nullable: false),
        ]
        let n = 5000
        let keys = Column.strings((0..<n).map { "k\($0 % 100)" })
        let ints = Column.int64((0..<n).map { Int64($0) - 2500 }, validity: (0..<n).map { $0 % 10 != 0 })
        let doubles = Column.double((0..<n).map { $0 == 3 ? .nan : Double($0) * 0.5 - 7 })
        let unique = Column.strings((0..<n).map { "unique-value-\($0)-" + String(repeating: "x", count: 300) })
        let sink = try FileSink(path: path)
        let w = try ParquetWriter(sink: sink, fields: fields, options: options)
        w.keyValueMetadata = [KeyValue(key: "hoodie_min_record_key", value: "k0"), KeyValue(key: "hoodie_max_record_key", value: "k99")]
        try w.write([keys, ints, doubles, unique])
        try w.close()
        try sink.close()
        return path
    }

    @Test func statisticsEncodingsAndMetadataAsPyarrowSeesThem() throws {
        let dir = try TestEnvironment.temporaryDirectory("parquet-wf")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = WriterOptions()
        options.dictionaryPageSizeLimit = 64 << 10
        let path = try Self.sampleFile(dir, options: options)
        let f = try Self.footer(path)
        #expect((f["kv"] as? [String: String])?["hoodie_max_record_key"] == "k99")
        let groups = f["row_groups"] as? [[String: Any]] ?? []
        #expect(groups.count == 1)
        let cols = groups.first?["columns"] as? [String: [String: Any]] ?? [:]
        #expect(cols["key"]?["min"] as? String == "k0")
        #expect(cols["key"]?["max"] as? String == "k99")
        #expect(cols["key"]?["null_count"] as? Int == 0)
        #expect((cols["key"]?["kv"] as? [String: String])?["role"] == "record key")
        #expect((cols["key"]?["encodings"] as? [String])?.contains("RLE_DICTIONARY") == true)
        #expect(cols["key"]?["codec"] as? String == "SNAPPY")
        #expect(cols["n"]?["min"] as? Int == -2499)
        #expect(cols["n"]?["max"] as? Int == 2499)
        #expect(cols["n"]?["null_count"] as? Int == 500)
        #expect(cols["x"]?["min"] as? Double == -7)   // NaN is left out of min/max
        #expect(cols["x"]?["max"] as? Double == 2492.5)
        // 5000 distinct 300-byte strings pass the 64 KiB dictionary limit: PLAIN fallback.
        let uniqueEnc = cols["unique"]?["encodings"] as? [String] ?? []
        #expect(!uniqueEnc.contains("RLE_DICTIONARY") && uniqueEnc.contains("PLAIN"), "\(uniqueEnc)")

        // Our reader sees the same footer and prunes by statistics.
        let reader = try ParquetFileReader(path: path)
        #expect(reader.keyValueMetadata["hoodie_min_record_key"] == "k0")
        #expect(reader.metadata.rowGroups[0].columns[0].metaData?.keyValueMetadata == [KeyValue(key: "role", value: "record key")])
    }

    @Test func signedDecimalAndFloatStatistics() throws {
        let dir = try TestEnvironment.temporaryDirectory("parquet-st")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("d.parquet").path
        // decimal(30,2) lives in 13-byte FIXED_LEN_BYTE_ARRAY: min/max use signed order.
        func fixed(_ v: Int64) -> [UInt8] { (0..<13).reversed().map { UInt8(truncatingIfNeeded: Int128(v) >> (8 * $0)) } }
        let values: [Int64] = [12345, -99, 0, -12345, 500]
        for dictionary in [true, false] {
            var o = WriterOptions()
            o.dictionary = dictionary
            let bytes = try ParquetWriter.write(
                fields: [Field("d", .decimal(precision: 30, scale: 2)), Field("f", .float), Field("z", .double)],
                columns: [Column(.fixedLenByteArray(ByteArrays(byteArrays: values.map(fixed)))),
                          .float([1.5, -2.25, .nan, 3, 0]), .double([0, -0.0, 0, 0, 0])],
                options: o)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let cols = (try Self.footer(path)["row_groups"] as? [[String: Any]])?.first?["columns"] as? [String: [String: Any]] ?? [:]
            #expect(cols["d"]?["min"] as? String == "-123.45", "dictionary \(dictionary)")
            #expect(cols["d"]?["max"] as? String == "123.45", "dictionary \(dictionary)")
            #expect(cols["f"]?["min"] as? Double == -2.25)
            #expect(cols["f"]?["max"] as? Double == 3)
            // Zero bounds are written as -0.0 (min) and +0.0 (max), as the format asks.
            #expect((cols["z"]?["min"] as? Double).map { $0 == 0 && $0.sign == .minus } == true)
            #expect((cols["z"]?["max"] as? Double).map { $0 == 0 && $0.sign == .plus } == true)
            // DuckDB filters with these statistics: a wrong min/max would drop rows here.
            let duck = try runProcess(TestEnvironment.nativeTool("duckdb"), ["-no-init", "-csv", "-noheader", "-c",
                "SELECT count(*) FROM read_parquet('\(path)') WHERE d < -100 OR d > 100"]).stdoutText
            #expect(duck.trimmingCharacters(in: .whitespacesAndNewlines) == "2")
        }
    }

    @Test(arguments: [CompressionCodec.uncompressed, .snappy, .gzip, .zstd])
    func corruptedPageIsAnErrorNotWrongData(_ codec: CompressionCodec) throws {
        let dir = try TestEnvironment.temporaryDirectory("parquet-crc")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = WriterOptions()
        options.compression = codec
        options.dictionary = false
        let path = try Self.sampleFile(dir, options: options)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let reader = try ParquetFileReader(source: MemorySource(bytes))
        guard let md = reader.metadata.rowGroups[0].columns[1].metaData else { Issue.record("no metadata"); return }
        // Flip a bit near the end of the first data page of column n (inside the page body).
        let target = Int(md.dataPageOffset + md.totalCompressedSize) - 3
        bytes[target] ^= 0x10
        let corrupted = try ParquetFileReader(source: MemorySource(bytes))
        #expect(throws: ParquetError.self) { _ = try corrupted.readColumns(["n"]) }
        // Other columns are still readable.
        #expect(try corrupted.readColumns(["x"])["x"]?.count == 5000)
        // pyarrow also verifies the CRC we wrote.
        let p = dir.appendingPathComponent("c.parquet").path
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        let out = try runPython(["-c", "import pyarrow.parquet as pq, sys; pq.read_table(sys.argv[1], columns=['n'], page_checksum_verification=True)", p], check: false)
        #expect(out.status != 0)
    }
}

@Suite struct PruningTests {
    @Test func rowGroupsArePrunedByStatistics() throws {
        var options = WriterOptions()
        options.rowGroupRows = 1000
        let n = 5000
        let bytes = try ParquetWriter.write(
            fields: [Field("id", .int64, nullable: false), Field("key", .string, nullable: false)],
            columns: [Column.int64((0..<n).map(Int64.init)), Column.strings((0..<n).map { String(format: "key-%05d", $0) })],
            options: options)
        let reader = try ParquetFileReader(source: MemorySource(bytes))
        #expect(reader.rowGroupCount == 5)
        #expect(try reader.rowGroups(column: "id", overlapping: .int(1500), .int(2100)) == [1, 2])
        #expect(try reader.rowGroups(column: "id", overlapping: .int(4999), nil) == [4])
        #expect(try reader.rowGroups(column: "key", overlapping: .string("key-03000"), .string("key-03000")) == [3])
        #expect(try reader.rowGroups(column: "key", overlapping: .string("zzz"), nil) == [])
        let stats = try reader.statistics(column: "id")
        #expect(stats[2]?.min == .int(2000) && stats[2]?.max == .int(2999) && stats[2]?.nullCount == 0)
        // Reading only the selected row groups returns only their rows.
        let cols = try reader.readColumns(["id"], rowGroups: [3])
        #expect(cols["id"]?.values == .int64((3000..<4000).map(Int64.init)))
    }
}

/// The reader only asks its source for the footer and the projected chunks (object storage).
@Suite struct RangedReadTests {
    final class CountingSource: ParquetSource, @unchecked Sendable {
        let inner: MemorySource
        private let lock = NSLock()
        private var _bytesRead = 0
        init(_ bytes: [UInt8]) { inner = MemorySource(bytes) }
        var size: Int { inner.size }
        var bytesRead: Int { lock.withLock { _bytesRead } }
        func read(offset: Int, length: Int) throws -> [UInt8] {
            lock.withLock { _bytesRead += length }
            return try inner.read(offset: offset, length: length)
        }
    }

    @Test func projectionReadsOnlyFooterAndChosenChunks() throws {
        let n = 20_000
        var options = WriterOptions()
        options.dictionary = false
        options.compression = .uncompressed
        let bytes = try ParquetWriter.write(
            fields: [Field("small", .int32, nullable: false), Field("big", .string, nullable: false)],
            columns: [Column.int32((0..<n).map(Int32.init)), Column.strings((0..<n).map { "value \($0) " + String(repeating: "p", count: 100) })],
            options: options)
        let source = CountingSource(bytes)
        let reader = try ParquetFileReader(source: source)
        let footerBytes = source.bytesRead
        #expect(footerBytes < 2_000)
        let cols = try reader.readColumns(["small"])
        #expect(cols["small"]?.values == .int32((0..<n).map(Int32.init)))
        // 20k INT32 = 80 KB; the string column (~2 MB) was never fetched.
        #expect(source.bytesRead - footerBytes < 100_000)
        #expect(bytes.count > 2_000_000)
    }
}

@Suite struct WriterValidationTests {
    @Test func inconsistentInputIsRejectedWithAReason() throws {
        let sink = MemorySink()
        let w = try ParquetWriter(sink: sink, fields: [Field("a", .int64, nullable: false), Field("s", .string)])
        #expect(throws: ParquetError(.invalidArgument, "column a is int64 (INT64) but got INT32 values")) {
            try w.write([.int32([1]), .strings(["x"])])
        }
        #expect(throws: ParquetError.self) { try w.write([.int64([1, 2]), .strings(["x"])]) }
        #expect(throws: ParquetError.self) { try w.write([.int64([1], validity: [false]), .strings(["x"])]) }
        #expect(throws: ParquetError.self) { try w.write([.int64([1])]) }
        try w.write([.int64([7]), .strings([nil])])
        try w.close()
        let r = try ParquetFileReader(source: MemorySource(sink.data))
        #expect(r.numRows == 1)
        #expect(throws: ParquetError.self) { _ = try ParquetWriter(sink: MemorySink(), fields: [Field("a", .int64), Field("a", .int64)]) }
        #expect(throws: ParquetError.self) { _ = try ParquetWriter(sink: MemorySink(), fields: [Field("d", .decimal(precision: 5, scale: 7))]) }
    }
}

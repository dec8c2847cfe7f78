import Foundation
@testable import Parquet
import Testing
import TributaryCore
import TributaryTesting

/// What other writers produce and JSON output must show: gzip pages of several members,
/// FLOAT16 as numbers, MAP as JSON objects.
@Suite struct ReaderCompatibilityTests {
    /// A one-page gzip file rebuilt with its page body as `members` gzip members back to back.
    static func multiMemberFile(rows: Int, members: Int) throws -> (file: [UInt8], strings: [String]) {
        var options = WriterOptions()
        options.compression = .gzip
        options.dictionary = false
        options.pageChecksums = false
        let strings = (0..<rows).map { "value-\($0)-" + String(repeating: "x", count: $0 % 7) }
        let original = try ParquetWriter.write(fields: [Field("s", .string, nullable: false)], columns: [Column.strings(strings)], options: options)
        var meta = try ParquetFileReader(source: MemorySource(original)).metadata
        guard var chunk = meta.rowGroups.first?.columns.first?.metaData else { throw ParquetError(.corrupt, "no chunk") }
        var position = Int(chunk.dataPageOffset)
        var header = try decodePageHeader(original, position: &position, end: original.count)
        let body = Array(original[position..<position + Int(header.compressedPageSize)])
        #expect(position + body.count == Int(chunk.dataPageOffset + chunk.totalCompressedSize), "one page")
        let codec = PageCodec()
        let plain = try body.withUnsafeBytes { try codec.decompress($0, codec: .gzip, uncompressedSize: Int(header.uncompressedPageSize)) }
        var gzipped: [UInt8] = []
        for i in 0..<members {
            gzipped += try codec.compress(Array(plain[plain.count * i / members..<plain.count * (i + 1) / members]), codec: .gzip)
        }
        header.compressedPageSize = Int32(gzipped.count)
        var h = CompactWriter()
        h.pageHeader(header)
        var file = Array("PAR1".utf8) + h.bytes + gzipped
        chunk.dataPageOffset = 4
        chunk.totalCompressedSize = Int64(h.bytes.count + gzipped.count)
        meta.rowGroups[0].columns[0] = ColumnChunk(filePath: nil, fileOffset: 4, metaData: chunk)
        meta.rowGroups[0].fileOffset = 4
        meta.rowGroups[0].totalCompressedSize = chunk.totalCompressedSize
        var f = CompactWriter()
        f.fileMetaData(meta)
        file += f.bytes
        file.appendLE(UInt32(f.bytes.count))
        file += Array("PAR1".utf8)
        return (file, strings)
    }

    @Test(arguments: [1, 2, 3, 9])
    func gzipPagesOfSeveralMembersDecode(members: Int) throws {
        let (file, strings) = try Self.multiMemberFile(rows: 2000, members: members)
        let column = try ParquetFileReader(source: MemorySource(file)).readColumns()["s"]
        guard case .byteArray(let values)? = column?.values else {
            Issue.record("no strings read")
            return
        }
        #expect(values.strings == strings)
    }

    @Test func aTruncatedGzipMemberIsAnError() throws {
        let (file, _) = try Self.multiMemberFile(rows: 500, members: 2)
        // Drop the last member's 8-byte trailer by shortening the page: header sizes no longer add up.
        let reader = try ParquetFileReader(source: MemorySource(file))
        var chunk = try #require(reader.metadata.rowGroups[0].columns[0].metaData)
        var position = Int(chunk.dataPageOffset)
        var header = try decodePageHeader(file, position: &position, end: file.count)
        let body = Array(file[position..<position + Int(header.compressedPageSize) - 8])
        header.compressedPageSize -= 8
        var h = CompactWriter()
        h.pageHeader(header)
        let source = MemorySource(Array("PAR1".utf8) + h.bytes + body + [UInt8](repeating: 0, count: 64))
        chunk.totalCompressedSize = Int64(h.bytes.count + body.count)
        let r = ColumnChunkReader(descriptor: reader.schema.columns[0], codec: PageCodec())
        #expect(throws: ParquetError.self) {
            _ = try r.read(ColumnChunk(filePath: nil, fileOffset: 4, metaData: chunk), source: source, rowGroupRows: 500)
        }
    }

    @Test func float16IsANumberAndMapsAreObjects() throws {
        let dir = try TestEnvironment.temporaryDirectory("parquet-compat")
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/ParquetTests/oracle/make_pyarrow_files.py").path
        try runPython([script, dir.path])
        let path = dir.appendingPathComponent("float16_map.parquet").path
        let lines = try Oracle.ourLines(ParquetFileReader(path: path))
        #expect(Array(lines.prefix(4)) == [
            #"{"h":0.0,"m":{"5":"a","-1":null}}"#,
            #"{"h":-0.0,"m":{}}"#,
            #"{"h":1.5,"m":null}"#,
            #"{"h":65504.0,"m":{"7":"x"}}"#,
        ])
        #expect(lines[6] == #"{"h":"Infinity","m":{"2":"v2"}}"#)
        #expect(lines[8] == #"{"h":"NaN","m":{"4":"v4"}}"#)
        #expect(lines[11] == #"{"h":null,"m":{"7":"v7"}}"#)
        let pa = try Oracle.compare(file: path, expected: lines)
        #expect(pa.ok, "\(pa.problems)")
    }

    #if !(os(macOS) && arch(x86_64))
    @Test func everyHalfPrecisionBitPatternWidensExactly() {
        for bits in 0...UInt16.max {
            let ours = floatFromHalf(bits), swift = Float(Float16(bitPattern: bits))
            if ours.isNaN != swift.isNaN || (!ours.isNaN && ours.bitPattern != swift.bitPattern) {
                Issue.record("half \(bits): \(ours) vs \(swift)")
                return
            }
        }
    }
    #endif
}

import Foundation
@testable import Parquet
import Testing
import TributaryTesting

/// Files written by pyarrow (codecs, dictionary on/off, page v1/v2, DELTA_*, BYTE_STREAM_SPLIT,
/// nested LIST/MAP/STRUCT, INT96): our reader must return what pyarrow returns.
@Suite struct PyarrowFileTests {
    @Test func pyarrowWrittenFilesReadLikePyarrow() throws {
        let dir = try TestEnvironment.temporaryDirectory("parquet-pa")
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/ParquetTests/oracle/make_pyarrow_files.py").path
        let names = try runPython([script, dir.path]).stdoutText.split(separator: "\n").map(String.init)
        #expect(names.count >= 20)
        var encodingsSeen = Set<String>()
        var codecsSeen = Set<String>()
        for name in names {
            let path = dir.appendingPathComponent(name).path
            let reader = try ParquetFileReader(path: path)
            for g in reader.metadata.rowGroups {
                for c in g.columns {
                    c.metaData?.encodings.forEach { encodingsSeen.insert($0.description) }
                    c.metaData.map { _ = codecsSeen.insert($0.codec.description) }
                }
            }
            let lines = try Oracle.ourLines(reader)
            let result = try Oracle.compare(file: path, expected: lines)
            #expect(result.ok, "\(name): \(result.problems)")
            #expect(result.rows == reader.numRows, "\(name)")
        }
        // The files really exercise what they claim to.
        for e in ["DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY", "BYTE_STREAM_SPLIT", "RLE_DICTIONARY", "PLAIN"] {
            #expect(encodingsSeen.contains(e), "no file used \(e)")
        }
        #expect(codecsSeen == ["UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD"])
    }

    @Test func projectionAndFlatColumnsMatchRows() throws {
        let dir = try TestEnvironment.temporaryDirectory("parquet-pa")
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/ParquetTests/oracle/make_pyarrow_files.py").path
        try runPython([script, dir.path])
        let path = dir.appendingPathComponent("multi_rowgroup.parquet").path
        let reader = try ParquetFileReader(path: path)
        #expect(reader.rowGroupCount > 1)
        let lines = try Oracle.ourLines(reader, columns: ["name", "id"])
        let result = try Oracle.compare(file: path, expected: lines, columns: ["name", "id"])
        #expect(result.ok, "\(result.problems)")
        let cols = try reader.readColumns(["id", "name"])
        guard case .int64(let ids)? = cols["id"]?.values, case .byteArray(let names)? = cols["name"]?.values else {
            Issue.record("unexpected column types")
            return
        }
        #expect(ids == Array(0..<Int64(reader.numRows)))
        #expect(cols["name"]?.validity?[7] == false)
        #expect(names.string(at: 1) == "user-1-ü")
    }
}

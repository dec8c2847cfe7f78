import Foundation
import Parquet
import Testing
import TributaryTesting

/// The base files of the Spark-written Hudi fixtures (nested LIST/MAP/STRUCT, legacy
/// two-level lists, decimals in FIXED_LEN_BYTE_ARRAY): our reader equals pyarrow.
@Suite struct HudiFixtureTests {
    static let zips: [String] = {
        let dir = URL(fileURLWithPath: FixtureTests.dir).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("hudi/fixtures").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { $0.hasSuffix(".zip") }.sorted().map { "\(dir)/\($0)" }
    }()

    @Test(.enabled(if: !zips.isEmpty), arguments: zips)
    func baseFilesReadLikePyarrow(_ zip: String) throws {
        let dir = try TestEnvironment.temporaryDirectory("parquet-hudi")
        defer { try? FileManager.default.removeItem(at: dir) }
        try runPython(["-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])", zip, dir.path])
        let files = (FileManager.default.enumerator(atPath: dir.path)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".parquet") && !$0.contains("__MACOSX") }
        for file in files {
            let path = dir.appendingPathComponent(file).path
            let reader = try ParquetFileReader(path: path)
            if !zip.contains("no_metafields") {
                #expect(reader.schema.fields.first?.name == "_hoodie_commit_time", "\(file)")
            }
            let result = try Oracle.compare(file: path, expected: try Oracle.ourLines(reader))
            #expect(result.ok, "\(file): \(result.problems)")
            #expect(result.rows == reader.numRows)
        }
    }
}

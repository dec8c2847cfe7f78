import Foundation
import Parquet
import Testing
import TributaryTesting

/// parquet-testing files: our reader must equal pyarrow; corrupt ones must throw.
@Suite struct FixtureTests {
    /// `../shared/parquet/fixtures` next to the checkout (or /work/shared for worktrees).
    static let dir: String = {
        let sibling = TestEnvironment.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/parquet/fixtures").path
        return FileManager.default.fileExists(atPath: sibling) ? sibling : "/work/shared/parquet/fixtures"
    }()

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".parquet") }.sorted()
    }

    static func isBroken(_ name: String) -> Bool { name.contains("corrupt") || name.contains("malformed") }

    @Test("fixture equals pyarrow", arguments: files.filter { !isBroken($0) })
    func readsLikePyarrow(_ name: String) throws {
        let path = "\(Self.dir)/\(name)"
        let reader = try ParquetFileReader(path: path)
        let lines = try Oracle.ourLines(reader)
        #expect(lines.count == reader.numRows)
        let result = try Oracle.compare(file: path, expected: lines)
        #expect(result.ok, "\(name): \(result.problems)")
        #expect(result.rows == reader.numRows)
    }

    @Test("corrupt fixture throws", arguments: files.filter(isBroken))
    func corruptThrows(_ name: String) throws {
        #expect(throws: ParquetError.self) {
            let reader = try ParquetFileReader(path: "\(Self.dir)/\(name)")
            _ = try reader.readRows()
        }
    }
}

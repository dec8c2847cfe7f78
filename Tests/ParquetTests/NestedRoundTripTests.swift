import Foundation
@testable import Parquet
import Testing
import TributaryCore
import TributaryTesting

/// `oracle/nested.py compare`: pyarrow reads many files in one process.
enum NestedOracle {
    static let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/ParquetTests/oracle/nested.py").path

    struct Verdict {
        var ok: Bool
        var rows: Int
        var schema: String
        var problems: String
    }

    /// Per file: pyarrow's rows equal `expected` (and its schema `schema`, when given).
    static func compare(_ cases: [(file: String, expected: [String], schema: String?)], in dir: URL) throws -> [String: Verdict] {
        var manifest: [[String: Any]] = []
        for (i, c) in cases.enumerated() {
            let expected = dir.appendingPathComponent("expected-\(i).jsonl")
            try Data((c.expected.joined(separator: "\n") + "\n").utf8).write(to: expected)
            manifest.append(["file": c.file, "expected": expected.path, "schema": c.schema ?? NSNull()])
        }
        let path = dir.appendingPathComponent("manifest.json")
        try JSONSerialization.data(withJSONObject: manifest).write(to: path)
        let out = try runPython([script, "compare", path.path])
        var verdicts: [String: Verdict] = [:]
        for line in out.stdoutText.split(separator: "\n") {
            guard let o = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any], let file = o["file"] as? String else { continue }
            verdicts[file] = Verdict(ok: o["ok"] as? Bool ?? false, rows: o["rows"] as? Int ?? -1,
                                     schema: o["schema"] as? String ?? "", problems: o["problems"] as? String ?? "")
        }
        return verdicts
    }
}

/// Random nested schemas and data (nulls at every level, empty lists and maps, 2-4 levels
/// deep, group fields appended in any order) through our writer: pyarrow reads the same
/// rows and schema, our reader the same rows, fields and levels. And random nested files
/// pyarrow writes: our reader reads what pyarrow reads, and our rewrite of them too.
@Suite struct NestedRoundTripTests {
    static let caseCount = TestEnvironment.soak ? 400 : 60
    static let pyarrowFileCount = TestEnvironment.soak ? 200 : 30

    @Test func randomNestedTablesWrittenByUsReadEquallyByPyarrowAndUs() throws {
        let dir = try TestEnvironment.temporaryDirectory("parquet-nested")
        defer { try? FileManager.default.removeItem(at: dir) }
        var cases: [(file: String, expected: [String], schema: String?)] = []
        var contexts: [String: String] = [:]
        var nestedLeaves = 0, rows = 0
        for seed in 0..<Self.caseCount {
            let table = try NestedData.generate(seed: UInt64(seed) &* 104_729 &+ 3)
            var options = RoundTripTests.randomOptions(UInt64(seed) &+ 77)
            if seed % 5 == 0 { options.pageRowLimit = 3 }  // many pages, each of whole rows
            let path = dir.appendingPathComponent("n\(seed).parquet").path
            let sink = try FileSink(path: path)
            let writer = try ParquetWriter(sink: sink, fields: table.fields, options: options)
            // Two batches, so buffering nested columns across write calls is exercised.
            let count = table.columns.first?.rowCount ?? 0
            try writer.write(table.columns.map { $0.slice(0..<count / 3) })
            try writer.write(table.columns.map { $0.slice(count / 3..<count) })
            try writer.close()
            try sink.close()
            let context = "seed \(seed): \(table.signature), \(count) rows, \(options.compression) dict=\(options.dictionary) v\(options.dataPageVersion) rowGroup=\(options.rowGroupRows) pageRows=\(options.pageRowLimit)"
            contexts[path] = context
            cases.append((path, table.expectedLines, table.signature))
            rows += count

            let reader = try ParquetFileReader(path: path)
            #expect(try Oracle.ourLines(reader) == table.expectedLines, "our reader: \(context)")
            #expect(try reader.modelFields() == table.fields, "fields back: \(context)")
            let back = try reader.readFieldColumns()
            for (field, column) in zip(table.fields, table.columns) {
                guard case .nested(let written) = column else { continue }
                guard case .nested(let read)? = back[field.name] else {
                    Issue.record("\(field.name) not read as nested: \(context)")
                    continue
                }
                nestedLeaves += written.leaves.count
                #expect(read.rowCount == written.rowCount)
                #expect(zip(read.leaves, written.leaves).allSatisfy { $0.sameData($1) }, "levels of \(field.name): \(context)")
            }
            // Projection by top-level field.
            if table.fields.count > 1, let last = table.fields.last {
                let projected = try reader.readRows(columns: [last.name])
                let expected = table.expected.map { renderJSONLine(names: [last.name], row: [$0[table.fields.count - 1]]) }
                #expect(projected.rows.map { renderJSONLine(names: [last.name], row: $0) } == expected, "projection: \(context)")
            }
        }
        let verdicts = try NestedOracle.compare(cases, in: dir)
        for c in cases {
            let v = verdicts[c.file]
            #expect(v?.ok == true, "pyarrow: \(contexts[c.file] ?? c.file): \(v?.problems ?? "no verdict")")
        }
        print("nested matrix: \(cases.count) files, \(rows) rows, \(nestedLeaves) nested leaf columns checked")
    }

    @Test func randomNestedFilesWrittenByPyarrowReadLikePyarrowAndRewriteEqually() throws {
        let dir = try TestEnvironment.temporaryDirectory("parquet-nested-pa")
        defer { try? FileManager.default.removeItem(at: dir) }
        let names = try runPython([NestedOracle.script, "write", dir.path, "7", "\(Self.pyarrowFileCount)"])
            .stdoutText.split(separator: "\n").map(String.init)
        #expect(names.count == Self.pyarrowFileCount)
        var cases: [(file: String, expected: [String], schema: String?)] = []
        var rewritten = 0
        for name in names {
            let path = dir.appendingPathComponent(name).path
            let reader = try ParquetFileReader(path: path)
            let lines = try Oracle.ourLines(reader)
            cases.append((path, lines, nil))
            // A rewrite through shredded leaves (what a copy-on-write merge does), when
            // the model has a type for every column.
            guard let fields = try? reader.modelFields() else { continue }
            let columns = try reader.readFieldColumns()
            var options = WriterOptions()
            options.rowGroupRows = 100
            options.pageRowLimit = 7
            let copy = dir.appendingPathComponent("rewritten-" + name).path
            let bytes = try ParquetWriter.write(fields: fields, columns: fields.compactMap { columns[$0.name] }, options: options)
            try Data(bytes).write(to: URL(fileURLWithPath: copy))
            #expect(try Oracle.ourLines(ParquetFileReader(path: copy)) == lines, "our rewrite of \(name)")
            cases.append((copy, lines, nil))
            rewritten += 1
        }
        #expect(rewritten >= Self.pyarrowFileCount / 5, "too few files to rewrite: \(rewritten)")
        let verdicts = try NestedOracle.compare(cases, in: dir)
        for c in cases {
            let v = verdicts[c.file]
            #expect(v?.ok == true, "\(c.file): \(v?.problems ?? "no verdict")")
        }
        print("pyarrow nested files: \(names.count) read, \(rewritten) rewritten")
    }
}

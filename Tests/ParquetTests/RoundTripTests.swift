import Foundation
@testable import Parquet
import Testing
import TributaryCore
import TributaryTesting

/// Random schemas and columns → our writer → pyarrow and the DuckDB CLI read exactly the
/// same values and types → our reader reads them back the same.
@Suite struct RoundTripTests {
    static let caseCount = TestEnvironment.soak ? 300 : 24

    /// The arrow type pyarrow must report for a field.
    static func arrowType(_ t: FieldType) -> String {
        switch t {
        case .boolean: "bool"
        case .int32: "int32"
        case .int64: "int64"
        case .float: "float"
        case .double: "double"
        case .string: "string"
        case .json: "extension<arrow.json>"
        case .binary: "binary"
        case .fixedLenByteArray(let n): "fixed_size_binary[\(n)]"
        case .decimal(let p, let s): "decimal128(\(p), \(s))"
        case .date: "date32[day]"
        case .timestamp(let u, let utc):
            "timestamp[\(u == .millis ? "ms" : u == .micros ? "us" : "ns")\(utc ? ", tz=UTC" : "")]"
        case .group, .list, .map: NestedData.signature(t)
        }
    }

    /// The type the DuckDB CLI must report for a field.
    static func duckdbType(_ t: FieldType) -> String {
        switch t {
        case .boolean: "BOOLEAN"
        case .int32: "INTEGER"
        case .int64: "BIGINT"
        case .float: "FLOAT"
        case .double: "DOUBLE"
        case .string: "VARCHAR"
        case .json: "JSON"
        case .binary, .fixedLenByteArray: "BLOB"
        case .decimal(let p, let s): p <= 38 ? "DECIMAL(\(p),\(s))" : "DOUBLE"
        case .date: "DATE"
        case .timestamp(let u, let utc): utc ? "TIMESTAMP WITH TIME ZONE" : (u == .nanos ? "TIMESTAMP_NS" : "TIMESTAMP")
        case .group, .list, .map: "nested"
        }
    }

    static func randomOptions(_ seed: UInt64) -> WriterOptions {
        var r = SeededRandom(seed: seed ^ 0xABCDEF)
        var o = WriterOptions()
        o.compression = [.uncompressed, .snappy, .gzip, .zstd][Int.random(in: 0..<4, using: &r)]
        o.dictionary = Bool.random(using: &r)
        o.rowGroupRows = [100, 1000, 1 << 20][Int.random(in: 0..<3, using: &r)]
        o.pageRowLimit = [7, 500, 20_000][Int.random(in: 0..<3, using: &r)]
        o.pageSize = [300, 1 << 20][Int.random(in: 0..<2, using: &r)]
        o.dictionaryPageSizeLimit = [200, 1 << 20][Int.random(in: 0..<2, using: &r)]
        o.pageChecksums = Bool.random(using: &r)
        o.dataPageVersion = Int.random(in: 1...2, using: &r)
        return o
    }

    @Test("random tables round trip through pyarrow, DuckDB and our reader", arguments: 0..<caseCount)
    func roundTrip(_ seed: Int) throws {
        let table = RandomTable.generate(seed: UInt64(seed) &* 7919 &+ 17)
        let options = Self.randomOptions(UInt64(seed))
        let dir = try TestEnvironment.temporaryDirectory("parquet-rt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.parquet").path
        let sink = try FileSink(path: path)
        let writer = try ParquetWriter(sink: sink, fields: table.fields, options: options)
        writer.keyValueMetadata = [KeyValue(key: "seed", value: "\(seed)")]
        // Two batches, so buffering across write calls is exercised.
        let half = table.columns.first.map { $0.count / 2 } ?? 0
        try writer.write(table.columns.map { $0.slice(0..<half) })
        try writer.write(table.columns.map { $0.slice(half..<$0.count) })
        try writer.close()
        try sink.close()
        let lines = table.expectedLines
        let context = "seed \(seed), fields \(table.fields.map { "\($0.name)\($0.nullable ? "?" : "")" }), options \(options.compression) dict=\(options.dictionary) page v\(options.dataPageVersion)"

        let pa = try Oracle.compare(file: path, expected: lines)
        #expect(pa.ok, "pyarrow: \(context): \(pa.problems)")
        #expect(pa.rows == lines.count)
        for f in table.fields {
            #expect(pa.types[f.name] == Self.arrowType(f.type), "pyarrow type of \(f.name): \(context)")
        }

        let duck = try Oracle.compare(file: path, expected: lines, engine: "duckdb")
        #expect(duck.ok, "duckdb: \(context): \(duck.problems)")
        for f in table.fields {
            #expect(duck.types[f.name] == Self.duckdbType(f.type), "duckdb type of \(f.name): \(context)")
        }

        let reader = try ParquetFileReader(path: path)
        #expect(reader.keyValueMetadata["seed"] == "\(seed)")
        #expect(try Oracle.ourLines(reader) == lines, "our reader: \(context)")
        let columns = try reader.readColumns()
        for (f, c) in zip(table.fields, table.columns) {
            let back = columns[f.name]
            #expect(back?.validity.map { $0.contains(false) } ?? false == (c.validity?.contains(false) ?? false), "nulls of \(f.name)")
            if c.validity == nil || !(c.validity?.contains(false) ?? false), case .float = c.values {} else if c.validity == nil, let back {
                #expect(back.values.bitwiseEqual(c.values), "values of \(f.name): \(context)")
            }
        }
    }
}

extension ColumnValues {
    /// Equality that treats NaN payloads bitwise (== would fail on NaN).
    func bitwiseEqual(_ o: ColumnValues) -> Bool {
        switch (self, o) {
        case (.float(let a), .float(let b)): return a.map(\.bitPattern) == b.map(\.bitPattern)
        case (.double(let a), .double(let b)): return a.map(\.bitPattern) == b.map(\.bitPattern)
        default: return self == o
        }
    }
}

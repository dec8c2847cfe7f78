import Foundation
@testable import Parquet
import Testing
import TributaryCore
import TributaryTesting

/// Fixed nested files from our writer, queried with the DuckDB CLI (struct paths, list and
/// map functions, the types DuckDB derives) and their per-leaf statistics as pyarrow sees them.
@Suite struct NestedFixedFileTests {
    static let fields = [
        Field("id", .int64, nullable: false),
        Field("s", .group([Field("a", .group([Field("b", .string)])), Field("n", .int32)])),
        Field("l", .list(of: .int64)),
        Field("m", .map(.string, .int32)),
        Field("ls", .list(of: .group([Field("x", .int64), Field("y", .string)]))),
        Field("sl", .group([Field("tags", .list(of: .string))])),
    ]

    static func rec(_ fields: [(String, ParquetValue)]) -> ParquetValue {
        .record(fields.map { ParquetValue.NamedValue(name: $0.0, value: $0.1) })
    }

    static func map(_ entries: [(String, ParquetValue)]) -> ParquetValue {
        .map(entries.map { ParquetValue.MapEntry(key: .string($0.0), value: $0.1) })
    }

    static func file(_ dir: URL, options: WriterOptions) throws -> String {
        let s: [ParquetValue] = [rec([("a", rec([("b", .string("x"))])), ("n", .int(1))]), .null,
                                 rec([("a", .null), ("n", .null)]), rec([("a", rec([("b", .null)])), ("n", .int(3))])]
        let l: [ParquetValue] = [.list([.int(1), .int(2), .int(3)]), .list([]), .null, .list([.null, .int(5)])]
        let m: [ParquetValue] = [map([("k", .int(1))]), map([]), .null, map([("a", .null), ("b", .int(2))])]
        let ls: [ParquetValue] = [.list([rec([("x", .int(1)), ("y", .string("a"))])]), .list([]), .null,
                                  .list([rec([("x", .null), ("y", .null)]), rec([("x", .int(2)), ("y", .string("b"))])])]
        let sl: [ParquetValue] = [rec([("tags", .list([.string("t1"), .string("t2")]))]), rec([("tags", .null)]), .null,
                                  rec([("tags", .list([]))])]
        let columns: [FieldColumn] = [.flat(.int64([0, 1, 2, 3]))] + (try zip(fields.dropFirst(), [s, l, m, ls, sl]).map {
            try NestedData.column($0, $1)
        })
        let path = dir.appendingPathComponent("nested-\(options.dataPageVersion)-\(options.compression).parquet").path
        try Data(try ParquetWriter.write(fields: fields, columns: columns, options: options)).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func duckdb(_ sql: String) throws -> [[String: Any]] {
        let out = try runProcess(TestEnvironment.nativeTool("duckdb"), ["-no-init", "-json", "-c", sql])
        return (try JSONSerialization.jsonObject(with: out.stdout)) as? [[String: Any]] ?? []
    }

    static func json(_ any: Any) -> String {
        (try? JSONSerialization.data(withJSONObject: any, options: [.sortedKeys, .fragmentsAllowed])).map { String(decoding: $0, as: UTF8.self) } ?? "?"
    }

    @Test(arguments: [(1, CompressionCodec.snappy), (2, .zstd), (1, .gzip)])
    func duckdbReadsStructPathsListsAndMaps(version: Int, codec: CompressionCodec) throws {
        let dir = try TestEnvironment.temporaryDirectory("parquet-nested-duck")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = WriterOptions()
        options.dataPageVersion = version
        options.compression = codec
        options.pageRowLimit = 1
        let path = try Self.file(dir, options: options)
        let src = "read_parquet('\(path)')"

        let types = try Self.duckdb("DESCRIBE SELECT * FROM \(src)").map { "\($0["column_name"] ?? ""): \($0["column_type"] ?? "")" }
        #expect(types == [
            "id: BIGINT", "s: STRUCT(a STRUCT(b VARCHAR), n INTEGER)", "l: BIGINT[]", "m: MAP(VARCHAR, INTEGER)",
            "ls: STRUCT(x BIGINT, y VARCHAR)[]", "sl: STRUCT(tags VARCHAR[])",
        ])
        let rows = try Self.duckdb("""
            SELECT id, s.a.b AS b, s.n AS n, list_count(l) AS lc, len(l) AS ll, m['b'] AS mb, cardinality(m)::INTEGER AS nm,
                   ls[2].y AS y2, len(sl.tags) AS nt FROM \(src) ORDER BY id
            """)
        #expect(Self.json(rows) == Self.json([
            ["id": 0, "b": "x", "n": 1, "lc": 3, "ll": 3, "mb": NSNull(), "nm": 1, "y2": NSNull(), "nt": 2],
            ["id": 1, "b": NSNull(), "n": NSNull(), "lc": 0, "ll": 0, "mb": NSNull(), "nm": 0, "y2": NSNull(), "nt": NSNull()],
            ["id": 2, "b": NSNull(), "n": NSNull(), "lc": NSNull(), "ll": NSNull(), "mb": NSNull(), "nm": NSNull(), "y2": NSNull(), "nt": NSNull()],
            ["id": 3, "b": NSNull(), "n": 3, "lc": 1, "ll": 2, "mb": 2, "nm": 2, "y2": "b", "nt": 0],
        ] as [[String: Any]]))
        // Whole values: what DuckDB assembles equals what our reader renders.
        let whole = try Self.duckdb("SELECT * FROM \(src) ORDER BY id")
        let ours = try Oracle.ourLines(ParquetFileReader(path: path)).map {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) ?? NSNull()
        }
        #expect(Self.json(whole) == Self.json(ours))
        // Unnesting a list of structs.
        let unnested = try Self.duckdb("SELECT id, u.x AS x FROM (SELECT id, unnest(ls) AS u FROM \(src)) ORDER BY id, x NULLS FIRST")
        #expect(Self.json(unnested) == Self.json([["id": 0, "x": 1], ["id": 3, "x": NSNull()], ["id": 3, "x": 2]] as [[String: Any]]))
    }

    @Test func everyLeafHasStatisticsAsPyarrowSeesThem() throws {
        let dir = try TestEnvironment.temporaryDirectory("parquet-nested-stats")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = WriterOptions()
        options.dictionary = false
        let footer = try WriterFeatureTests.footer(try Self.file(dir, options: options))
        let columns = ((footer["row_groups"] as? [[String: Any]])?.first?["columns"] as? [String: [String: Any]]) ?? [:]
        func stats(_ path: String) -> String {
            let c = columns[path] ?? [:]
            return "\(c["min"].map { "\($0)" } ?? "nil")..\(c["max"].map { "\($0)" } ?? "nil") nulls \(c["null_count"].map { "\($0)" } ?? "nil")"
        }
        // Null counts are entries without a value: null or empty at any level.
        #expect(stats("id") == "0..3 nulls 0")
        #expect(stats("s.a.b") == "x..x nulls 3")
        #expect(stats("s.n") == "1..3 nulls 2")
        #expect(stats("l.list.element") == "1..5 nulls 3")
        #expect(stats("m.key_value.key") == "a..k nulls 2")
        #expect(stats("m.key_value.value") == "1..2 nulls 3")
        #expect(stats("ls.list.element.x") == "1..2 nulls 3")
        #expect(stats("ls.list.element.y") == "a..b nulls 3")
        #expect(stats("sl.tags.list.element") == "t1..t2 nulls 3")
        #expect(columns.count == 9)
    }
}

import Foundation
import Parquet
import Testing
import TributaryCore
import TributaryTesting

/// `tributary parquet schema|meta|cat` on real files; corrupt files exit non-zero with a reason.
@Suite struct CLITests {
    static let binary = TestEnvironment.packageRoot.appendingPathComponent(".build/debug/tributary")

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary.path)))
    func schemaMetaCat() throws {
        let dir = try TestEnvironment.temporaryDirectory("parquet-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("c.parquet").path
        let bytes = try ParquetWriter.write(
            fields: [Field("id", .int64, nullable: false), Field("name", .string), Field("amount", .decimal(precision: 18, scale: 2)),
                     Field("ts", .timestamp(.micros, isAdjustedToUTC: true)), Field("raw", .binary)],
            columns: [.int64([1, 2, 3]), .strings(["a,b", nil, "ü"]), .int64([12345, -5, 0]),
                      .int64([0, 1_764_151_530_123_456, -1]), Column(.byteArray(ByteArrays(byteArrays: [[1, 2], [], [255]])))],
            keyValueMetadata: [KeyValue(key: "owner", value: "tributary")])
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let schema = try runProcess(Self.binary, ["parquet", "schema", path]).stdoutText
        #expect(schema.contains("required INT64 id;"))
        #expect(schema.contains("optional BYTE_ARRAY name (STRING);"))
        #expect(schema.contains("optional INT64 amount (DECIMAL(18,2));"))

        let meta = try runProcess(Self.binary, ["parquet", "meta", path]).stdoutText
        #expect(meta.contains("rows: 3"))
        #expect(meta.contains("owner = tributary"))
        #expect(meta.contains("SNAPPY"))
        #expect(meta.contains("min=1 max=3"))

        let cat = try runProcess(Self.binary, ["parquet", "cat", path, "--limit", "2"]).stdoutText
        #expect(cat == """
            {"id":1,"name":"a,b","amount":"123.45","ts":"1970-01-01T00:00:00.000000Z","raw":"AQI="}
            {"id":2,"name":null,"amount":"-0.05","ts":"2025-11-26T10:05:30.123456Z","raw":""}

            """)
        let csv = try runProcess(Self.binary, ["parquet", "cat", path, "--columns", "name,id", "--format", "csv"]).stdoutText
        #expect(csv == "name,id\n\"a,b\",1\n,2\nü,3\n")

        let broken = dir.appendingPathComponent("broken.parquet").path
        try Data(bytes.prefix(bytes.count - 3)).write(to: URL(fileURLWithPath: broken))
        let out = try runProcess(Self.binary, ["parquet", "cat", broken], check: false)
        #expect(out.status != 0)
        #expect(out.stderrText.contains("magic"))
    }
}

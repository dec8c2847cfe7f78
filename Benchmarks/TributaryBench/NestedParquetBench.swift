import Foundation
import Parquet
import TributaryCore
import TributaryTesting

/// `tributary-bench parquet-nested [--rows N] [--repeats R]`: records of a 3-field object
/// and a 5-element list (issue 18's nested case) shredded with `NestedColumnBuilder`, then
/// written, ours vs pyarrow.parquet.write_table on the same table (read from our file; snappy
/// + dictionary), and read back (ours: shredded leaves; pyarrow: Arrow arrays).
enum NestedParquetBench {
    static let fields = [
        Field("id", .int64, nullable: false),
        Field("customer", .group([Field("id", .int64, nullable: false), Field("name", .string), Field("score", .double)])),
        Field("items", .list(of: .int64)),
    ]

    static func run(_ args: [String]) async throws {
        var rows = 1_000_000
        var repeats = 3
        var i = 0
        while i < args.count {
            if args[i] == "--rows", i + 1 < args.count { rows = Int(args[i + 1]) ?? rows; i += 1 }
            if args[i] == "--repeats", i + 1 < args.count { repeats = Int(args[i + 1]) ?? repeats; i += 1 }
            i += 1
        }
        let dir = try TestEnvironment.temporaryDirectory("parquet-nested-bench")
        defer { try? FileManager.default.removeItem(at: dir) }
        var shredCPU: [Double] = []
        var columns: [FieldColumn] = []
        for _ in 0..<repeats {
            let c0 = ParquetBench.threadCPU()
            columns = try shred(rows: rows)
            shredCPU.append(ParquetBench.threadCPU() - c0)
        }
        var options = WriterOptions()
        options.compression = .snappy
        options.dictionary = true
        let path = dir.appendingPathComponent("ours.parquet").path
        var writeCPU: [Double] = [], writeWall: [Double] = []
        for _ in 0..<repeats {
            try? FileManager.default.removeItem(atPath: path)
            let t0 = DispatchTime.now(), c0 = ParquetBench.threadCPU()
            let sink = try FileSink(path: path)
            let w = try ParquetWriter(sink: sink, fields: fields, options: options)
            try w.write(columns)
            try w.close()
            try sink.close()
            writeCPU.append(ParquetBench.threadCPU() - c0)
            writeWall.append(ParquetBench.seconds(since: t0))
        }
        var readCPU: [Double] = []
        for _ in 0..<repeats {
            let c0 = ParquetBench.threadCPU()
            _ = try ParquetFileReader(path: path).readFieldColumns()
            readCPU.append(ParquetBench.threadCPU() - c0)
        }
        let peer = try runPython([TestEnvironment.packageRoot.appendingPathComponent("Benchmarks/peers/parquet_peer.py").path,
                                  path, dir.path, String(repeats)])
        guard let json = try JSONSerialization.jsonObject(with: peer.stdout) as? [String: Any],
              let paWrite = json["write_cpu"] as? Double, let paRead = json["read_cpu"] as? Double else {
            throw ParquetError(.io, "pyarrow peer printed no result: \(peer.stderrText)")
        }
        func line(_ name: String, _ cpu: Double) -> String {
            name.padding(toLength: 34, withPad: " ", startingAt: 0) + String(format: "%8.3f s cpu %11.0f records/s", cpu, Double(rows) / cpu)
        }
        let shred = shredCPU.min() ?? 0, write = writeCPU.min() ?? 1, read = readCPU.min() ?? 1
        print("nested records: \(rows) rows of {id, customer {id, name, score}, items [5 x int64]}; snappy + dictionary, best of \(repeats)")
        print(line("shred  ours (NestedColumnBuilder)", shred))
        print(line("write  ours", write))
        print(line("write  pyarrow \(json["pyarrow"] as? String ?? "")", paWrite))
        print(line("read   ours (leaves with levels)", read))
        print(line("read   pyarrow (Arrow arrays)", paRead))
        print(String(format: "RATIO nested write ours/pyarrow speed = %.2fx cpu (target >= 1.0)", paWrite / write))
        print(String(format: "RATIO nested read  ours/pyarrow speed = %.2fx cpu", paRead / read))
    }

    /// The columns of `rows` records, appended value by value as a JSON decoder would.
    static func shred(rows: Int) throws -> [FieldColumn] {
        var ids = [Int64]()
        ids.reserveCapacity(rows)
        var customer = try NestedColumnBuilder(fields[1])
        var items = try NestedColumnBuilder(fields[2])
        customer.reserve(rows: rows)
        items.reserve(rows: rows * 5)
        let names = (0..<1000).map { "customer-\($0)" }
        for i in 0..<rows {
            ids.append(Int64(i))
            try customer.beginGroup()
            try customer.field(0); try customer.append(Int64(i % 50_000))
            if i % 10 != 0 { try customer.field(1); try customer.append(names[i % 1000]) }
            try customer.field(2); try customer.append(Double(i % 997) * 0.25)
            try customer.endGroup()
            try items.beginList()
            for k in 0..<5 { try items.append(Int64((i &* 31 &+ k) % 100_000)) }
            try items.endList()
        }
        return [.flat(Column.int64(ids)), .nested(try customer.finish()), .nested(try items.finish())]
    }
}

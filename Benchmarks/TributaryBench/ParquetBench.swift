import Foundation
import Parquet
import TributaryCore
import TributaryTesting

/// `tributary-bench parquet [--rows N] [--repeats R]`: writes `user_events`-shaped rows
/// with snappy + dictionary, ours vs pyarrow.parquet.write_table (same data and settings,
/// same machine, same run), reads them back, and prints rows/s, MB/s and ratios.
enum ParquetBench {
    static func run(_ args: [String]) async throws {
        var rows = 1_000_000
        var repeats = 3
        var oursOnly = false
        var i = 0
        while i < args.count {
            if args[i] == "--rows", i + 1 < args.count { rows = Int(args[i + 1]) ?? rows; i += 1 }
            if args[i] == "--repeats", i + 1 < args.count { repeats = Int(args[i + 1]) ?? repeats; i += 1 }
            if args[i] == "--ours-only" { oursOnly = true }
            i += 1
        }
        let dir = try TestEnvironment.temporaryDirectory("parquet-bench")
        // PARQUET_BENCH_KEEP=1 leaves the files for inspection.
        defer { if ProcessInfo.processInfo.environment["PARQUET_BENCH_KEEP"] != "1" { try? FileManager.default.removeItem(at: dir) } }
        print("files in \(dir.path)")
        let (fields, columns) = userEvents(rows: rows)
        let rawBytes = columns.reduce(0) { $0 + rawSize($1) }
        let path = dir.appendingPathComponent("ours.parquet").path

        var options = WriterOptions()
        options.compression = .snappy
        options.dictionary = true
        var writeTimes: [Double] = [], writeCPU: [Double] = []
        for _ in 0..<repeats {
            let t0 = DispatchTime.now(), c0 = threadCPU()
            try writeOnce(path, fields, columns, options)
            writeCPU.append(threadCPU() - c0)
            writeTimes.append(seconds(since: t0))
        }
        // Memory in a separate pass: the sampler thread would disturb the timings.
        let writeSampler = RSSSampler()
        try writeOnce(path, fields, columns, options)
        let writePeakExtra = writeSampler.stop()
        let ourSize = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0

        var readTimes: [Double] = [], readCPU: [Double] = []
        var checksum = 0
        for _ in 0..<repeats {
            let t0 = DispatchTime.now(), c0 = threadCPU()
            let r = try ParquetFileReader(path: path)
            let cols = try r.readColumns()
            readCPU.append(threadCPU() - c0)
            readTimes.append(seconds(since: t0))
            checksum &+= cols.count
        }
        let readSampler = RSSSampler()
        checksum &+= try ParquetFileReader(path: path).readColumns().count
        let readPeakExtra = readSampler.stop()
        if oursOnly {
            print(String(format: "ours only: write %.3f s (cpu %.3f), read %.3f s (cpu %.3f)", writeTimes.min() ?? 0,
                         writeCPU.min() ?? 0, readTimes.min() ?? 0, readCPU.min() ?? 0))
            return
        }
        let peer = try runPython([TestEnvironment.packageRoot.appendingPathComponent("Benchmarks/peers/parquet_peer.py").path,
                                  path, dir.path, String(repeats)])
        guard let json = try JSONSerialization.jsonObject(with: peer.stdout) as? [String: Any],
              let pw = json["write"] as? Double, let pr = json["read"] as? Double else {
            throw ParquetError(.io, "pyarrow peer printed no result: \(peer.stderrText)")
        }
        // Our reader on pyarrow's file, for reference.
        let paPath = dir.appendingPathComponent("pyarrow.parquet").path
        var readPA: [Double] = [], readPACPU: [Double] = []
        for _ in 0..<repeats {
            let t0 = DispatchTime.now(), c0 = threadCPU()
            _ = try ParquetFileReader(path: paPath).readColumns()
            readPACPU.append(threadCPU() - c0)
            readPA.append(seconds(since: t0))
        }
        let mb = Double(rawBytes) / 1_000_000
        func line(_ name: String, _ wall: [Double], _ cpu: [Double]) -> String {
            let t = wall.min() ?? 0, c = cpu.min() ?? 0
            return name.padding(toLength: 30, withPad: " ", startingAt: 0)
                + String(format: "%8.3f s wall %8.3f s cpu %11.0f rows/s %8.1f MB/s", t, c, Double(rows) / c, mb / c)
        }
        func num(_ k: String) -> [Double] { [json[k] as? Double ?? 0] }
        print("user_events: \(rows) rows, \(fields.count) columns, \(String(format: "%.1f", mb)) MB raw; snappy + dictionary, one thread, best of \(repeats)")
        print("(rows/s and MB/s from process CPU time: the machine is shared, wall time is noisy)")
        print(line("write  ours", writeTimes, writeCPU))
        print(line("write  pyarrow \(json["pyarrow"] as? String ?? "")", num("write"), num("write_cpu")))
        print(line("read   ours (our file)", readTimes, readCPU))
        print(line("read   pyarrow (its file)", num("read"), num("read_cpu")))
        print(line("read   ours (pyarrow's file)", readPA, readPACPU))
        print(line("read   pyarrow (our file)", num("read_ours"), num("read_ours_cpu")))
        print(String(format: "file size: ours %.1f MB, pyarrow %.1f MB", Double(ourSize) / 1e6, Double(json["file_bytes"] as? Int ?? 0) / 1e6))
        print(String(format: "peak memory added while writing (RSS above the input): ours %.1f MB, pyarrow %.1f MB (row group = %.1f MB raw)",
                     Double(writePeakExtra) / 1e6, Double(json["write_peak_extra"] as? Int ?? 0) / 1e6, mb))
        print(String(format: "peak memory added while reading (RSS, incl. the result): ours %.1f MB, pyarrow %.1f MB",
                     Double(readPeakExtra) / 1e6, Double(json["read_peak_extra"] as? Int ?? 0) / 1e6))
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print(String(format: "peak RSS of this process (input columns + all of the above): %.1f MB", Double(usage.ru_maxrss) / 1024))
        let wc = writeCPU.min() ?? 1, rc = readCPU.min() ?? 1
        print(String(format: "RATIO write ours/pyarrow speed = %.2fx cpu, %.2fx wall (target >= 1.0)",
                     (json["write_cpu"] as? Double ?? 0) / wc, pw / (writeTimes.min() ?? 1)))
        print(String(format: "RATIO read  ours/pyarrow speed = %.2fx cpu, %.2fx wall (target >= 0.7)",
                     (json["read_cpu"] as? Double ?? 0) / rc, pr / (readTimes.min() ?? 1)))
        _ = checksum
    }

    static func seconds(since t0: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - t0.uptimeNanoseconds) / 1e9
    }

    /// CPU time of the process (all threads): unlike wall time it does not count time the
    /// scheduler gives to other processes on this shared machine.
    static func threadCPU() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func writeOnce(_ path: String, _ fields: [Field], _ columns: [Column], _ options: WriterOptions) throws {
        // A fresh file each time: truncating a just-written file makes ext4 flush it on close.
        try? FileManager.default.removeItem(atPath: path)
        let sink = try FileSink(path: path)
        let w = try ParquetWriter(sink: sink, fields: fields, options: options)
        try w.write(columns)
        try w.close()
        try sink.close()
    }

    /// Samples the resident set size every millisecond on a thread; `stop()` returns the
    /// peak above the RSS at start (maxrss cannot: it remembers older peaks).
    final class RSSSampler: @unchecked Sendable {
        private let lock = NSLock()
        private var running = true
        private var peak = 0
        private let base: Int

        init() {
            base = Self.current()
            let t = Thread { [self] in
                while true {
                    let r = Self.current()
                    lock.lock()
                    peak = max(peak, r)
                    let go = running
                    lock.unlock()
                    if !go { break }
                    usleep(1000)
                }
            }
            t.start()
        }

        func stop() -> Int {
            lock.lock()
            running = false
            let p = peak
            lock.unlock()
            return max(0, p - base)
        }

        static func current() -> Int {
            guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
            let parts = s.split(separator: " ")
            return parts.count > 1 ? (Int(parts[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
        }
    }

    static func rawSize(_ c: Column) -> Int {
        switch c.values {
        case .boolean(let v): return v.count
        case .int32(let v): return v.count * 4
        case .float(let v): return v.count * 4
        case .int64(let v): return v.count * 8
        case .double(let v): return v.count * 8
        case .int96(let v): return v.count * 12
        case .byteArray(let b), .fixedLenByteArray(let b): return b.data.count + b.count * 4
        }
    }

    /// Deterministic rows shaped like the `user_events` table (topic fields + processing metadata).
    static func userEvents(rows: Int) -> ([Field], [Column]) {
        var rng = UInt64(0x5EED)
        func next() -> UInt64 {
            rng &+= 0x9E37_79B9_7F4A_7C15
            var z = rng
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let eventTypes = ["page_view", "click", "signup", "login", "logout", "purchase", "add_to_cart", "search"]
        let devices = ["desktop", "mobile", "tablet", "other"]
        let countries = ["US", "DE", "FR", "GB", "JP", "BR", "IN", "CA", "AU", "ES", "IT", "NL", "SE", "PL", "MX"]
        let hex = Array("0123456789abcdef".utf8)
        var eventId = ByteArrays(), userId = ByteArrays(), eventType = ByteArrays(), page = ByteArrays()
        var session = ByteArrays(), device = ByteArrays(), country = ByteArrays(), props = ByteArrays()
        var eventDate = ByteArrays(), batch = ByteArrays(), extra = ByteArrays()
        eventId.reserve(values: rows, bytes: rows * 36)
        props.reserve(values: rows, bytes: rows * 40)
        var pageValid = [Bool](), sessionValid = [Bool](), deviceValid = [Bool](), countryValid = [Bool](), propsValid = [Bool]()
        var ts = [Int64](), ingested = [Int64](), partition = [Int32](), offset = [Int64]()
        let base: Int64 = 1_764_151_200_000_000
        var uuid = [UInt8](repeating: 0, count: 36)
        for i in 0..<rows {
            let r = next(), r2 = next()
            for k in 0..<36 { uuid[k] = [8, 13, 18, 23].contains(k) ? UInt8(ascii: "-") : hex[Int((k < 16 ? r : r2) >> UInt64((k % 16) * 4) & 15)] }
            eventId.append(uuid)
            userId.append("user-\(r % 100_000)")
            eventType.append(eventTypes[Int(r2 % 8)])
            let hasPage = r % 10 != 0
            if hasPage { page.append("/products/\(r2 % 5000)?ref=home") } else { page.appendEmpty() }
            pageValid.append(hasPage)
            let hasSession = r % 7 != 0
            if hasSession { session.append("sess-\(r2 % 200_000)") } else { session.appendEmpty() }
            sessionValid.append(hasSession)
            let hasDevice = r % 13 != 0
            if hasDevice { device.append(devices[Int(r >> 8 % 4) % 4]) } else { device.appendEmpty() }
            deviceValid.append(hasDevice)
            let hasCountry = r % 17 != 0
            if hasCountry { country.append(countries[Int(r >> 16) % countries.count]) } else { country.appendEmpty() }
            countryValid.append(hasCountry)
            let hasProps = r % 3 != 0
            if hasProps { props.append("{\"ref\":\"campaign-\(r2 % 50)\",\"value\":\(r % 1000)}") } else { props.appendEmpty() }
            propsValid.append(hasProps)
            let t = base + Int64(i) * 1000 + Int64(r % 1000)
            ts.append(t)
            eventDate.append("2025-11-26")
            ingested.append(base + Int64(i / 10_000) * 1_000_000)
            partition.append(Int32(r % 4))
            offset.append(Int64(i / 4))
            batch.append("20251126101500\(String(format: "%03d", i / 100_000))")
            extra.appendEmpty()
        }
        let fields = [
            Field("event_id", .string, nullable: false), Field("user_id", .string, nullable: false),
            Field("event_type", .string, nullable: false), Field("page", .string), Field("session_id", .string),
            Field("device", .string), Field("country", .string), Field("properties", .json),
            Field("timestamp", .timestamp(.micros, isAdjustedToUTC: true), nullable: false),
            Field("event_date", .string, nullable: false),
            Field("_ingested_at", .timestamp(.micros, isAdjustedToUTC: true), nullable: false),
            Field("_kafka_partition", .int32, nullable: false), Field("_kafka_offset", .int64, nullable: false),
            Field("_batch_id", .string, nullable: false), Field("extra", .json),
        ]
        let columns: [Column] = [
            Column(.byteArray(eventId)), Column(.byteArray(userId)), Column(.byteArray(eventType)),
            Column(.byteArray(page), validity: pageValid), Column(.byteArray(session), validity: sessionValid),
            Column(.byteArray(device), validity: deviceValid), Column(.byteArray(country), validity: countryValid),
            Column(.byteArray(props), validity: propsValid), Column(.int64(ts)), Column(.byteArray(eventDate)),
            Column(.int64(ingested)), Column(.int32(partition)), Column(.int64(offset)), Column(.byteArray(batch)),
            Column(.byteArray(extra), validity: [Bool](repeating: false, count: rows)),
        ]
        return (fields, columns)
    }
}

import Foundation
@testable import Parquet
import Testing
import TributaryCore
import TributaryTesting

/// Truncated, bit-flipped and length-corrupted files: an error or a clean read, never a
/// crash (the test process would die), hang or huge allocation.
@Suite struct RobustnessTests {
    static let mutationsPerFile = TestEnvironment.soak ? 20_000 : 800

    /// Valid inputs to mutate: our own files (several codecs/encodings) and fixtures.
    static func seeds() throws -> [(String, [UInt8])] {
        var out: [(String, [UInt8])] = []
        for (i, codec) in [CompressionCodec.uncompressed, .snappy, .zstd, .gzip].enumerated() {
            let table = RandomTable.generate(seed: UInt64(1000 + i), rows: 200)
            var o = WriterOptions()
            o.compression = codec
            o.dictionary = i % 2 == 0
            o.pageRowLimit = 50
            o.pageChecksums = i != 1
            out.append(("ours-\(codec)", try ParquetWriter.write(fields: table.fields, columns: table.columns, options: o)))
        }
        for name in ["nested_fixture": "nulls.snappy.parquet", "v2": "datapage_v2.snappy.parquet",
                     "delta": "delta_byte_array.parquet", "dict": "alltypes_dictionary.parquet"].values.sorted() {
            if let d = FileManager.default.contents(atPath: "\(FixtureTests.dir)/\(name)") { out.append((name, [UInt8](d))) }
        }
        return out
    }

    /// Reads everything; returns true when it threw a ParquetError.
    static func readAll(_ bytes: [UInt8]) -> Bool {
        do {
            let r = try ParquetFileReader(source: MemorySource(bytes))
            _ = try r.readRows()
            return false
        } catch is ParquetError {
            return true
        } catch {
            Issue.record("unexpected error type: \(error)")
            return true
        }
    }

    @Test func mutatedFilesNeverCrash() throws {
        var rng = SeededRandom(seed: 42)
        var errors = 0, total = 0, truncations = 0, truncationErrors = 0
        var slowest = 0.0
        for (name, original) in try Self.seeds() {
            #expect(!Self.readAll(original), "\(name) must read cleanly before mutation")
            for m in 0..<Self.mutationsPerFile {
                var bytes = original
                switch m % 4 {
                case 0:
                    bytes.removeLast(Int.random(in: 1..<bytes.count, using: &rng))
                case 1:
                    for _ in 0..<Int.random(in: 1...4, using: &rng) {
                        bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
                    }
                case 2:
                    // Corrupt a byte of the footer region (lengths, counts, offsets live there).
                    let footerLen = Int(bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt32.self) })
                    let start = max(4, bytes.count - 8 - footerLen)
                    let i = Int.random(in: start..<(bytes.count - 8), using: &rng)
                    bytes[i] = [0x00, 0xFF, 0x7F, 0x80, UInt8.random(in: 0...255, using: &rng)][Int.random(in: 0..<5, using: &rng)]
                default:
                    // Overwrite 4 bytes with a huge little-endian length.
                    let i = Int.random(in: 0..<(bytes.count - 4), using: &rng)
                    let v = [UInt32.max, 0x7FFF_FFFF, 0x1000_0000, UInt32.random(in: 0...UInt32.max, using: &rng)][Int.random(in: 0..<4, using: &rng)]
                    for k in 0..<4 { bytes[i + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
                }
                let t0 = Date()
                let failed = Self.readAll(bytes)
                if failed { errors += 1 }
                if m % 4 == 0 { truncations += 1; truncationErrors += failed ? 1 : 0 }
                slowest = max(slowest, Date().timeIntervalSince(t0))
                total += 1
            }
        }
        // Every truncation is detected; flips inside pages without CRC or in statistics may
        // legitimately read as other values, so only most of the rest must be detected.
        #expect(truncationErrors == truncations)
        #expect(Double(errors) / Double(total) > 0.5, "\(errors) of \(total) mutations detected")
        #expect(slowest < 5, "slowest read took \(slowest) s")
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #expect(usage.ru_maxrss < 2_000_000, "peak RSS \(usage.ru_maxrss) KiB")
    }
}

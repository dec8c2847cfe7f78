import ArgumentParser
import Foundation
import Hudi

/// `tributary tables compact TABLE`: merge-on-read compaction by hand.
extension TablesCommand {
    struct Compact: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compact a merge-on-read table: fold the log files of every file slice into new base files.",
            discussion: """
                Schedules a compaction of every file slice with log files (Hudi's compaction.requested plan) and \
                runs it, and any pending one a crash left (compaction.inflight), to its commit. A processor may \
                keep writing the table meanwhile: its delta commits go to the new slices.
                """)
        @OptionGroup var target: TableOptions

        func run() async throws {
            let (name, hudi) = try await target.open()
            let results = try await naming(name) { try await hudi.compact(force: true) }
            await hudi.close()
            if target.json {
                print(try TablesOutput.json([
                    "table": name,
                    "compactions": results.map { r in
                        ["instant": r.instant, "fileGroups": r.fileGroups, "records": r.records, "bytesWritten": r.bytesWritten,
                         "logFilesCompacted": r.logFilesCompacted, "logBytesCompacted": r.logBytesCompacted, "seconds": r.seconds] as [String: Any]
                    },
                ] as [String: Any]))
                return
            }
            if results.isEmpty { print("\(name): nothing to compact (no log files)") }
            for r in results {
                print("\(name): compaction \(r.instant): \(r.fileGroups) file groups, \(r.logFilesCompacted) log files (\(TablesOutput.bytes(Int64(r.logBytesCompacted)))) folded into \(TablesOutput.bytes(r.bytesWritten)) of base files in \(String(format: "%.2f", r.seconds)) s")
            }
        }
    }
}

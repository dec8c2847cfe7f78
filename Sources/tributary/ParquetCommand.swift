import ArgumentParser
import Foundation
import Parquet

/// `tributary parquet schema|meta|cat FILE`: inspect Parquet files (like parquet-tools).
struct ParquetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parquet",
        abstract: "Inspect Parquet files: schema, footer metadata, rows.",
        subcommands: [Schema.self, Meta.self, Cat.self]
    )

    /// Opens a file, turning errors into a message on stderr and a non-zero exit.
    static func open(_ path: String) throws -> ParquetFileReader {
        do {
            return try ParquetFileReader(path: path)
        } catch {
            throw fail(path, error)
        }
    }

    static func fail(_ path: String, _ error: Error) -> ExitCode {
        FileHandle.standardError.write(Data("tributary parquet: \(path): \(error)\n".utf8))
        return ExitCode(1)
    }

    struct Schema: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the schema tree.")
        @Argument(help: "Parquet file") var file: String
        func run() throws {
            print(try ParquetCommand.open(file).schema.description, terminator: "")
        }
    }

    struct Meta: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print row groups, column chunks (encodings, codecs, sizes, statistics) and key/value metadata.")
        @Argument(help: "Parquet file") var file: String

        func run() throws {
            let r = try ParquetCommand.open(file)
            let m = r.metadata
            print("file: \(file)")
            print("created_by: \(m.createdBy ?? "-")")
            print("format version: \(m.version)")
            print("rows: \(m.numRows)")
            print("row groups: \(m.rowGroups.count)")
            print("columns: \(r.schema.columns.count)")
            if let kv = m.keyValueMetadata, !kv.isEmpty {
                print("key/value metadata:")
                for e in kv { print("  \(e.key) = \(abbreviate(e.value ?? "(null)"))") }
            }
            for (gi, g) in m.rowGroups.enumerated() {
                print("row group \(gi): rows=\(g.numRows) total_byte_size=\(g.totalByteSize) compressed=\(g.totalCompressedSize.map(String.init) ?? "-")")
                for (ci, c) in g.columns.enumerated() {
                    let d = r.schema.columns[ci]
                    guard let md = c.metaData else { print("  \(d.dottedPath): (no metadata)"); continue }
                    var line = "  \(d.dottedPath): \(md.type) \(md.codec) values=\(md.numValues)"
                    line += " encodings=\(md.encodings.map(\.description).joined(separator: ","))"
                    line += " compressed=\(md.totalCompressedSize) uncompressed=\(md.totalUncompressedSize)"
                    line += " data_page_offset=\(md.dataPageOffset)"
                    if let o = md.dictionaryPageOffset { line += " dictionary_page_offset=\(o)" }
                    print(line)
                    if let s = md.statistics {
                        var st = "    statistics: nulls=\(s.nullCount.map(String.init) ?? "-")"
                        if let stats = try? r.statistics(column: d.path[0]), d.path.count == 1, let cs = stats[gi] {
                            st += " min=\(cs.min.map { abbreviate($0.json) } ?? "-") max=\(cs.max.map { abbreviate($0.json) } ?? "-")"
                        }
                        print(st)
                    }
                    for kv in md.keyValueMetadata ?? [] { print("    \(kv.key) = \(abbreviate(kv.value ?? "(null)"))") }
                }
            }
        }

        private func abbreviate(_ s: String) -> String { s.count > 200 ? String(s.prefix(200)) + "… (\(s.utf8.count) bytes)" : s }
    }

    struct Cat: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print rows as JSON lines or CSV.")
        @Argument(help: "Parquet file") var file: String
        @Option(help: "Comma-separated top-level columns to print (default: all).") var columns: String?
        @Option(help: "Print at most N rows.") var limit: Int?
        @Option(help: "json (one object per line) or csv.") var format: String = "json"

        func validate() throws {
            guard format == "json" || format == "csv" else { throw ValidationError("--format must be json or csv") }
            if let limit, limit < 0 { throw ValidationError("--limit must be non-negative") }
        }

        func run() throws {
            let r = try ParquetCommand.open(file)
            let names = columns?.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            var out = ""
            do {
                var remaining = limit ?? Int.max
                var header = false
                for g in 0..<r.rowGroupCount where remaining > 0 {
                    let (cols, rows) = try r.readRows(columns: names, rowGroups: [g], limit: remaining)
                    remaining -= rows.count
                    if format == "csv" && !header {
                        out += csvLine(cols) + "\n"
                        header = true
                    }
                    for row in rows {
                        out += format == "json" ? renderJSONLine(names: cols, row: row) : csvLine(row.map(\.text))
                        out += "\n"
                    }
                    FileHandle.standardOutput.write(Data(out.utf8))
                    out = ""
                }
            } catch {
                throw ParquetCommand.fail(file, error)
            }
        }
    }
}

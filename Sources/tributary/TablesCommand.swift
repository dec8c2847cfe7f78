import ArgumentParser
import Foundation
import Hudi
import ObjectStore
import Parquet

/// `tributary tables …`: Hudi tables on the lake — `list`, `show`, `timeline`, `rollback`
/// and `clean` work on the configured lake (`storage.uri`, see TablesInspectCommands.swift);
/// `read` takes any table path.
struct TablesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tables",
        abstract: "Inspect and read Hudi copy-on-write tables.",
        subcommands: [List.self, Show.self, Timeline.self, Read.self, Rollback.self, Clean.self, Compact.self]
    )

    struct Read: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a table's snapshot rows (any Hudi COW table of version 6 or 8).",
            discussion: "Values are formatted like `tributary parquet cat`: timestamps as ISO-8601, decimals as strings, binary as base64."
        )

        @Argument(help: "Table root: a local path, file://PATH or s3://bucket/prefix.") var table: String
        @Option(name: .customLong("as-of"), help: "Read as of an instant (yyyyMMddHHmmssSSS) or a UTC time (yyyy-MM-dd HH:mm:ss).")
        var asOf: String?
        @Option(help: "Print at most N rows.") var limit: Int?
        @Option(help: "Output format: json (one object per line) or csv.") var format: OutputFormat = .json

        enum OutputFormat: String, ExpressibleByArgument { case json, csv }

        func validate() throws {
            if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
        }

        func run() async throws {
            if let path = try LakeTables.missingLocalFolder(table) { throw ValidationError("no table folder at \(path)") }
            let store = try await ObjectStores.open(table)
            let hudi = try await HudiTable.open(store: store)
            let rows = try await hudi.readSnapshot(asOf: asOf, limit: limit)
            var out = ""
            switch format {
            case .json:
                for row in rows.rows {
                    out += renderJSONLine(names: rows.names, row: row)
                    out += "\n"
                    if out.utf8.count > 1 << 16 { print(out, terminator: ""); out = "" }
                }
            case .csv:
                out += csvLine(rows.names) + "\n"
                for row in rows.rows {
                    out += csvLine(row.map(\.text)) + "\n"
                    if out.utf8.count > 1 << 16 { print(out, terminator: ""); out = "" }
                }
            }
            print(out, terminator: "")
        }
    }
}

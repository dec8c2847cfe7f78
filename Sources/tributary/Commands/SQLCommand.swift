import ArgumentParser
import Foundation
import ObjectStore
import Query

/// `tributary sql "SELECT …"`: SQL over the lake of the configuration (`storage.uri`),
/// each table a view named after its topic, in a locked-down DuckDB.
struct SQLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Run a read-only SQL query over the lake's Hudi tables (DuckDB).",
        discussion: """
            Tables appear under their topic names (user_events, transactions, …) as of their \
            latest commit. --as-of reads them as of an instant or time; --since/--until read \
            only the records committed in that range. Only a single SELECT-like query is \
            accepted; other files, settings and writes are refused.
            """,
        aliases: ["query"]
    )

    @OptionGroup var config: ConfigOptions
    @Argument(help: "The query, e.g. \"SELECT event_type, count(*) FROM user_events GROUP BY ALL\".") var sql: String
    @Option(name: .customLong("as-of"), help: "Time travel: an instant (yyyyMMddHHmmssSSS) or UTC time (yyyy-MM-dd HH:mm:ss).")
    var asOf: String?
    @Option(help: "Incremental read: records committed after this instant…") var since: String?
    @Option(help: "…up to this instant (default: the latest commit).") var until: String?
    @Option(help: "Output format: table, json or csv.") var format: OutputFormat = .table
    @Flag(name: .customLong("with-meta"), help: "Include Hudi's _hoodie_* columns.") var withMeta = false
    @Option(help: "Return at most N rows.") var limit: Int = 10_000
    @Option(help: "Cancel the query after this many seconds.") var timeout: Double = 60

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

    func validate() throws {
        if limit < 0 { throw ValidationError("--limit must not be negative") }
        if timeout <= 0 { throw ValidationError("--timeout must be positive") }
        if asOf != nil, since != nil || until != nil { throw ValidationError("use either --as-of or --since/--until") }
        if until != nil, since == nil { throw ValidationError("--until needs --since") }
    }

    func run() async throws {
        let settings = try config.load()
        let lake = try await Lake.open(settings)
        var configuration = QueryService.Configuration()
        configuration.processes = 1
        configuration.maxRowLimit = max(limit, 1)
        configuration.timeout = .milliseconds(Int64(timeout * 1000))
        let service = try QueryService(lake: lake, configuration: configuration)
        let result: QueryResult
        do {
            result = try await service.query(sql, options: QueryOptions(
                asOf: asOf, since: since, until: until, includeMetaColumns: withMeta, limit: limit))
        } catch let error as QueryError {
            await service.pool.shutdown()
            // The query's own error, without the usage text a ValidationError would add.
            FileHandle.standardError.write(Data("Error: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
        await service.pool.shutdown()
        switch format {
        case .json:
            print(result.json)
        case .csv:
            var out = csvLine(result.columns.map(\.name)) + "\n"
            for row in result.rows { out += csvLine(row.map { $0 == .null ? "" : $0.text }) + "\n" }
            print(out, terminator: "")
        case .table:
            print(Self.table(result), terminator: "")
        }
        if result.truncated {
            FileHandle.standardError.write(Data("(result cut at \(limit) rows; use --limit)\n".utf8))
        }
    }

    /// A boxed text table with the column types under the names.
    static func table(_ r: QueryResult) -> String {
        let cells = r.rows.map { $0.map { $0 == .null ? "NULL" : $0.text.replacingOccurrences(of: "\n", with: "\\n") } }
        let widths = TablesOutput.columnWidths([r.columns.map(\.name), r.columns.map(\.type)] + cells)
        func line(_ values: [String]) -> String {
            "│ " + zip(values, widths).map { $0 + String(repeating: " ", count: max(0, $1 - $0.count)) }.joined(separator: " │ ") + " │\n"
        }
        let rule = { (l: String, m: String, r: String) in l + widths.map { String(repeating: "─", count: $0 + 2) }.joined(separator: m) + r + "\n" }
        var out = rule("┌", "┬", "┐") + line(r.columns.map(\.name)) + line(r.columns.map(\.type)) + rule("├", "┼", "┤")
        for row in cells { out += line(row) }
        out += rule("└", "┴", "┘")
        out += "\(r.rows.count) row\(r.rows.count == 1 ? "" : "s")\(r.truncated ? " (truncated)" : "")\n"
        return out
    }
}

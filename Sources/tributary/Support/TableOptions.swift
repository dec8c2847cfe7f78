import ArgumentParser
import Hudi
import TributaryConfig

/// The arguments of a command on one table of the lake (`tables show|timeline|rollback|clean`):
/// the configuration (for `storage.uri`), the table, `--json`.
struct TableOptions: ParsableArguments {
    @OptionGroup var config: ConfigOptions
    @Argument(help: "The table: topic name or Hudi table name in the lake, or a table path/URI.") var table: String
    @Flag(help: "Print JSON instead of text.") var json = false

    /// Opens the table (see `LakeTables.open`); `settings` when the command read them already.
    func open(settings: TributaryConfig? = nil, options: WriteOptions = WriteOptions()) async throws -> (name: String, table: HudiTable) {
        try await LakeTables.open(table, settings: try settings ?? config.load(), options: options)
    }
}

/// Runs a table service, naming the table in its refusal (`user_events: cannot roll back …`).
func naming<T>(_ table: String, _ work: () async throws -> T) async throws -> T {
    do {
        return try await work()
    } catch let error as HudiError {
        throw TablesError("\(table): \(error)")
    }
}

/// Prints `rows` as pretty JSON (`--json`), else `text()` or, without rows, `empty`.
func printRows(_ rows: [[String: Any]], json: Bool, empty: String, text: () async throws -> String) async throws {
    if json { print(try TablesOutput.json(rows)); return }
    if rows.isEmpty { print(empty); return }
    print(try await text(), terminator: "")
}

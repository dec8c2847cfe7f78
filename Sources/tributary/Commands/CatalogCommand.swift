import ArgumentParser
import Catalog
import Foundation
import ObjectStore
import TributaryConfig
import TributaryCore

/// `tributary catalog sync|status`: the lake's tables in the Iceberg REST catalog
/// (`catalog.*`). Each table is `<catalog.namespace>.<folder>`, one Iceberg snapshot per
/// Hudi commit, pointing at the same Parquet files.
struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "Publish the lake's tables to an Iceberg REST catalog (catalog.uri) and show how far behind it is.",
        subcommands: [Sync.self, Status.self])

    /// Short retries: a command answers within seconds when the catalog is down.
    static let retry = RetryPolicy(maxAttempts: 3, baseDelay: 0.2, maxDelay: 1)

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish the Hudi commits the catalog lacks (every table of the lake, or one).",
            discussion: "Idempotent: snapshots the catalog has are skipped. Exits non-zero when a table could not be published.")
        @OptionGroup var target: Target

        func run() async throws {
            let (sync, names) = try await target.open()
            var rows: [[String: Any]] = []
            var failed = 0
            for name in names {
                do {
                    let r = try await sync.sync(name)
                    rows.append([
                        "table": r.table, "identifier": r.identifier, "published": r.published,
                        "catalogInstant": r.catalogInstant ?? NSNull(), "hudiLatest": r.hudiLatest ?? NSNull(),
                        "skipped": r.skipped, "conflicts": r.conflicts,
                    ])
                } catch {
                    failed += 1
                    rows.append(["table": name, "identifier": (sync.namespace + [name]).joined(separator: "."), "error": "\(error)"])
                }
            }
            try await printRows(rows, json: target.json, empty: "no tables in \(sync.lake.backendDescription)") {
                TablesOutput.columns(["TABLE", "IDENTIFIER", "PUBLISHED", "CATALOG AT", "HUDI LATEST"], rows.map { r in
                    if let error = r["error"] as? String { return ["\(r["table"] ?? "")", "\(r["identifier"] ?? "")", "-", "-", "failed: \(error)"] }
                    let published = r["published"] as? [String] ?? []
                    return ["\(r["table"] ?? "")", "\(r["identifier"] ?? "")", published.isEmpty ? "0 (up to date)" : "\(published.count)",
                            (r["catalogInstant"] as? String) ?? "-", (r["hudiLatest"] as? String) ?? "-"]
                })
            }
            if failed > 0 {
                throw TablesError("\(failed) of \(names.count) table(s) could not be published to the catalog at \(await sync.catalog.configuration.uri)")
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per table: the latest Hudi commit, the latest instant in the catalog, and how many commits it is behind.")
        @OptionGroup var target: Target

        func run() async throws {
            let (sync, names) = try await target.open()
            var rows: [[String: Any]] = []
            for name in names {
                let s = try await sync.status(name)
                rows.append([
                    "table": s.table, "identifier": s.identifier, "hudiLatest": s.hudiLatest ?? NSNull(),
                    "catalogInstant": s.catalogInstant ?? NSNull(), "inCatalog": s.catalogHasTable, "commitsBehind": s.commitsBehind,
                ])
            }
            try await printRows(rows, json: target.json, empty: "no tables in \(sync.lake.backendDescription)") {
                "catalog \(await sync.catalog.configuration.uri)\n"
                    + TablesOutput.columns(["TABLE", "IDENTIFIER", "HUDI LATEST", "CATALOG AT", "BEHIND"], rows.map { r in
                        ["\(r["table"] ?? "")", "\(r["identifier"] ?? "")", (r["hudiLatest"] as? String) ?? "-",
                         (r["catalogInstant"] as? String) ?? ((r["inCatalog"] as? Bool) == true ? "(no snapshot)" : "(not in catalog)"),
                         "\(r["commitsBehind"] ?? 0)"]
                    })
            }
        }
    }

    /// What `sync` and `status` work on: the configuration, every table or the one named, `--json`.
    struct Target: ParsableArguments {
        @OptionGroup var config: ConfigOptions
        @Argument(help: "The table: topic name or Hudi table name (default: every table of the lake).") var table: String?
        @Flag(help: "Print JSON instead of text.") var json = false

        /// The sync and the tables to work on.
        func open() async throws -> (LakeCatalogSync, [String]) {
            let config = try self.config.load()
            guard config.catalogURI != nil else { throw TablesError(CatalogSetup.notConfigured) }
            let lake = try await Lake.open(config)
            guard let sync = try await CatalogSetup.sync(config, lake: lake, retry: CatalogCommand.retry) else { throw TablesError(CatalogSetup.notConfigured) }
            try await sync.catalog.connect()
            if let table { return (sync, [try await LakeTables.open(table, lake: lake).name]) }
            return (sync, try await sync.tableNames())
        }
    }
}

import ArgumentParser
import Foundation
import Hudi
import ObjectStore

/// `tributary tables list|show|timeline|rollback|clean`: the lake's tables (`storage.uri`)
/// and their table services.
extension TablesCommand {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the lake's Hudi tables: commits, and files and bytes of the latest snapshot.",
            discussion: "The lake is storage.uri of the configuration (default file://./lake); each table is a folder named after its topic.")
        @OptionGroup var config: ConfigOptions
        @Flag(help: "Print JSON instead of text.") var json = false

        func run() async throws {
            let lake = try await Lake.open(try config.load())
            var rows: [[String: Any]] = []
            for name in try await HudiTable.tableFolders(in: lake) {
                do {
                    let (_, table) = try await LakeTables.open(name, lake: lake)
                    let tl = try await table.timeline()
                    let plan = try await table.planSnapshot()
                    rows.append([
                        "name": name, "tableName": table.config.tableName, "commits": tl.completedDataCommits.count,
                        "latestCommit": plan.asOf ?? NSNull(), "files": plan.slices.count,
                        "bytes": plan.slices.reduce(0) { $0 + $1.size }, "pending": tl.pending.count,
                    ])
                } catch {
                    // One unreadable table (e.g. merge-on-read) does not hide the others.
                    rows.append(["name": name, "error": "\(error)"])
                }
            }
            try await printRows(rows, json: json, empty: "no tables in \(lake.backendDescription)") {
                TablesOutput.columns(["NAME", "COMMITS", "FILES", "BYTES", "LATEST COMMIT"], rows.map { r in
                    if let error = r["error"] as? String { return ["\(r["name"] ?? "")", "-", "-", "-", "unreadable: \(error)"] }
                    return ["\(r["name"] ?? "")", "\(r["commits"] ?? 0)", "\(r["files"] ?? 0)", TablesOutput.bytes(Int64(r["bytes"] as? Int ?? 0)),
                            (r["latestCommit"] as? String) ?? "-"]
                })
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a table: configuration, schema, partitions and file groups with their sizes.",
            discussion: "TABLE is the table's folder (topic) name, e.g. user_events, or its Hudi name, e.g. user_events_table.")
        @OptionGroup var target: TableOptions

        func run() async throws {
            let (name, hudi) = try await target.open()
            let cfg = hudi.config
            let plan = try await hudi.planSnapshot()
            let latest = Dictionary(uniqueKeysWithValues: plan.slices.map { (FileGroupID(partitionPath: $0.partitionPath, fileId: $0.fileId), $0) })
            let groups = try await hudi.fileGroups()
            let schema = TablesOutput.fields(ofAvroSchema: try await hudi.currentSchema() ?? "")
            let earliest = try await hudi.earliestQueryableInstant()
            let pendingCompactions = cfg.isMergeOnRead ? try await hudi.pendingCompactions() : []
            var partitions: [String: (groups: Int, bytes: Int)] = [:]
            var groupRows: [[String: Any]] = []
            for g in groups {
                let current = latest[g.id]
                let storedBytes = g.slices.values.reduce(0) { $0 + $1.size }
                if let current {
                    partitions[g.id.partitionPath, default: (0, 0)].groups += 1
                    partitions[g.id.partitionPath, default: (0, 0)].bytes += current.size
                }
                groupRows.append([
                    "partition": g.id.partitionPath, "fileId": g.id.fileId, "latestInstant": current?.instant ?? NSNull(),
                    "latestFile": current?.path ?? NSNull(), "bytes": current?.size ?? 0, "versions": g.slices.count,
                    "storedBytes": storedBytes, "live": current != nil,
                ])
            }
            let info: [String: Any] = [
                "name": name, "tableName": cfg.tableName, "tableType": cfg.tableType, "tableVersion": cfg.tableVersion,
                "recordKeyFields": cfg.recordKeyFields, "precombineField": cfg.precombineField ?? NSNull(),
                "partitionFields": cfg.partitionFields, "latestCommit": plan.asOf ?? NSNull(),
                "earliestQueryableInstant": earliest ?? NSNull(),
                "schema": schema.map { ["name": $0.name, "type": $0.type] },
                "partitions": partitions.keys.sorted().map { ["partition": $0, "fileGroups": partitions[$0]?.groups ?? 0, "bytes": partitions[$0]?.bytes ?? 0] },
                "fileGroups": groupRows, "files": plan.slices.count, "bytes": plan.slices.reduce(0) { $0 + $1.size },
                "logFiles": plan.slices.reduce(0) { $0 + $1.logFiles.count },
                "logBytes": plan.slices.reduce(0) { $0 + $1.logFiles.reduce(0) { $0 + $1.size } },
                "pendingCompactions": pendingCompactions.map { ["instant": $0.instant, "fileGroups": $0.plan.operations.count] as [String: Any] },
            ]
            if target.json { print(try TablesOutput.json(info)); return }
            var out = "table \(name) (\(cfg.tableName), \(cfg.tableType), version \(cfg.tableVersion))\n"
            out += "record key: \(cfg.recordKeyFields.joined(separator: ",")); precombine: \(cfg.precombineField ?? "-"); "
            out += "partitioned by: \(cfg.partitionFields.isEmpty ? "-" : cfg.partitionFields.joined(separator: ","))\n"
            out += "time travel from: \(earliest ?? "the first commit") (cleaner)\n"
            if cfg.isMergeOnRead {
                let logs = plan.slices.flatMap(\.logFiles)
                out += "log files: \(logs.count), \(TablesOutput.bytes(Int64(logs.reduce(0) { $0 + $1.size }))); pending compactions: "
                out += pendingCompactions.isEmpty ? "none\n"
                    : pendingCompactions.map { "\($0.instant) (\($0.plan.operations.count) file groups)" }.joined(separator: ", ") + "\n"
            }
            out += "latest commit: \(plan.asOf ?? "none"); \(plan.slices.count) files, \(TablesOutput.bytes(Int64(plan.slices.reduce(0) { $0 + $1.size })))\n\n"
            out += "schema:\n" + TablesOutput.columns(["  COLUMN", "TYPE"], schema.map { ["  " + $0.name, $0.type] }) + "\n"
            out += "partitions:\n" + TablesOutput.columns(["  PARTITION", "FILE GROUPS", "BYTES"], partitions.keys.sorted().map {
                ["  " + ($0.isEmpty ? "(none)" : $0), "\(partitions[$0]?.groups ?? 0)", TablesOutput.bytes(Int64(partitions[$0]?.bytes ?? 0))]
            }) + "\n"
            out += "file groups:\n" + TablesOutput.columns(["  PARTITION", "FILE ID", "LATEST", "BYTES", "VERSIONS"], groupRows.map { r in
                ["  " + ((r["partition"] as? String).map { $0.isEmpty ? "(none)" : $0 } ?? ""), "\(r["fileId"] ?? "")",
                 (r["latestInstant"] as? String) ?? "(not live)", TablesOutput.bytes(Int64(r["bytes"] as? Int ?? 0)), "\(r["versions"] ?? 0)"]
            })
            print(out, terminator: "")
        }
    }

    struct Timeline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a table's instants: action, state, operation, rows inserted/updated/deleted, Kafka checkpoint.",
            discussion: "Also shows rollbacks (the instant undone) and cleans (files deleted, earliest commit kept).")
        @OptionGroup var target: TableOptions
        @Option(help: "Show only the last N instants.") var last: Int?

        func validate() throws {
            try requireAtLeastOne(last, option: "--last")
        }

        func run() async throws {
            let (_, hudi) = try await target.open()
            var entries = try await hudi.timelineSummary()
            if let last { entries = Array(entries.suffix(last)) }
            let rows: [[String: Any]] = entries.map { s in
                var r: [String: Any] = [
                    "instant": s.instant.timestamp, "action": s.instant.action, "state": s.instant.state.rawValue,
                ]
                if s.instant.isDataCommit && s.instant.state == .completed {
                    r["operation"] = s.operation ?? NSNull()
                    r["inserts"] = s.inserts
                    r["updates"] = s.updates
                    r["deletes"] = s.deletes
                    r["filesWritten"] = s.filesWritten
                    r["bytesWritten"] = s.bytesWritten
                    r["checkpoint"] = s.checkpoint ?? NSNull()
                }
                if s.instant.action == "rollback" && s.instant.state == .completed { r["rolledBack"] = s.rolledBack; r["filesDeleted"] = s.filesDeleted }
                if s.instant.action == "clean" && s.instant.state == .completed {
                    r["filesDeleted"] = s.filesDeleted
                    r["earliestCommitToRetain"] = s.earliestCommitToRetain ?? NSNull()
                }
                return r
            }
            if target.json { print(try TablesOutput.json(rows)); return }
            print(TablesOutput.columns(["INSTANT", "ACTION", "STATE", "OPERATION", "INSERTED", "UPDATED", "DELETED", "DETAILS"], entries.map { s in
                let data = s.instant.isDataCommit && s.instant.state == .completed
                var details = ""
                if data { details = s.checkpoint.map { "checkpoint \($0)" } ?? "" }
                if s.instant.action == "rollback", s.instant.state == .completed {
                    details = "rolled back \(s.rolledBack.joined(separator: ",")), \(s.filesDeleted) files deleted"
                }
                if s.instant.action == "clean", s.instant.state == .completed {
                    details = "\(s.filesDeleted) files deleted, keeps commits from \(s.earliestCommitToRetain ?? "-")"
                }
                return [s.instant.timestamp, s.instant.action, s.instant.state.rawValue, data ? (s.operation ?? "-") : "",
                        data ? "\(s.inserts)" : "", data ? "\(s.updates)" : "", data ? "\(s.deletes)" : "", details]
            }), terminator: "")
        }
    }

    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Roll back the latest commit (or a failed, pending one) of a table.",
            discussion: """
                Writes a rollback instant (Hudi's protocol): the commit's files are deleted and the table \
                reads as of the commit before. Older commits are refused. Do not run it while a processor \
                writes the table.
                """)
        @OptionGroup var target: TableOptions
        @Argument(help: "The instant to roll back (yyyyMMddHHmmssSSS), see `tables timeline`.") var instant: String

        func run() async throws {
            let (name, hudi) = try await target.open()
            let result = try await naming(name) { try await hudi.rollback(instant: instant) }
            let latest = try await hudi.timeline().latestCompletedCommit?.timestamp
            if target.json {
                print(try TablesOutput.json([
                    "table": name, "rolledBack": result.metadata.commitsRollback, "rollbackInstant": result.instant,
                    "filesDeleted": result.metadata.totalFilesDeleted, "latestCommit": latest ?? NSNull(),
                ] as [String: Any]))
                return
            }
            print("\(name): rolled back \(instant) (rollback instant \(result.instant), \(result.metadata.totalFilesDeleted) files deleted); latest commit now \(latest ?? "none")")
        }
    }

    struct Clean: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the cleaner on a table (KEEP_LATEST_COMMITS): delete files no retained commit reads.",
            discussion: "Keeps every file a snapshot as of one of the last N commits needs (hudi.cleaner.commits_retained, default 10), and always the latest version of each file group.")
        @OptionGroup var target: TableOptions
        @Option(help: "Commits to retain (default: hudi.cleaner.commits_retained).") var retain: Int?

        func validate() throws {
            try requireAtLeastOne(retain, option: "--retain")
        }

        func run() async throws {
            let settings = try target.config.load()
            var options = WriteOptions()
            options.cleanerCommitsRetained = retain ?? settings.int("hudi.cleaner.commits_retained")
            let (name, hudi) = try await target.open(settings: settings, options: options)
            let result = try await naming(name) { try await hudi.clean() }
            let earliest = try await hudi.earliestQueryableInstant()
            if target.json {
                print(try TablesOutput.json([
                    "table": name, "cleanInstant": result?.instant ?? NSNull(), "filesDeleted": result?.metadata.totalFilesDeleted ?? 0,
                    "commitsRetained": options.cleanerCommitsRetained, "earliestQueryableInstant": earliest ?? NSNull(),
                ] as [String: Any]))
                return
            }
            if let result {
                print("\(name): clean \(result.instant) deleted \(result.metadata.totalFilesDeleted) files; commits from \(result.metadata.earliestCommitToRetain) stay queryable")
            } else {
                print("\(name): nothing to clean (keeping \(options.cleanerCommitsRetained) commits)")
            }
        }
    }
}

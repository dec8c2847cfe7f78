import ArgumentParser
import Foundation
import Pipeline
import TributaryConfig
import TributaryCore

/// `tributary streams list | check | show NAME`: the stream definitions of the configuration
/// file (`[streams.*]`), or the five seed streams when it declares none.
struct StreamsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streams",
        abstract: "List, check and show the stream definitions ([streams.NAME] in tributary.toml, else the seed streams).",
        subcommands: [List.self, Check.self, Show.self])

    /// The definitions in play and the file they come from.
    static func definitions(_ options: ConfigOptions) throws -> (file: String, definitions: [StreamDefinition]) {
        let config = try options.load()
        do {
            if let file = config.file {
                let declared = try StreamCatalog.definitions(inFile: file)
                if !declared.isEmpty { return (file, declared) }
            }
            return (StreamCatalog.seedFile, try StreamCatalog.definitions(inFile: StreamCatalog.seedFile))
        } catch let error as StreamDefinitionError {
            throw ValidationError(error.description)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line per stream: topic → table folder, key, ordering, partitioning.")
        @OptionGroup var config: ConfigOptions
        func run() async throws {
            let (file, definitions) = try StreamsCommand.definitions(config)
            print("streams of \(file)")
            for d in definitions {
                let partition = d.partition.field.map { "\($0) by \(d.partition.granularity.rawValue)" } ?? "none"
                print("\(d.name)\t\(d.format.rawValue)\ttopic \(d.topic) → table \(d.table)/ (\(d.name)_table)\tkey \(d.recordKey.joined(separator: ","))\tprecombine \(d.precombine ?? "-")\tpartition \(partition)")
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compile every definition and its JSON Schemas, and check it against its table when the lake has one; print each problem (file, key, JSON pointer or field path, what is expected).")
        @OptionGroup var config: ConfigOptions
        func run() async throws {
            let (file, definitions) = try StreamsCommand.definitions(config)
            // The lake, when it exists and is reachable: each definition is also checked
            // against its table (a check creates no lake folder).
            let settings = try config.load()
            let uri = settings.string("storage.uri")
            let absent = uri.hasPrefix("file://") && !FileManager.default.fileExists(atPath: String(uri.dropFirst("file://".count)))
            let lake = absent ? nil : try? await Lake.open(settings)
            var failures = 0
            for d in definitions {
                do {
                    let schema = try StreamCatalog.compile(d)
                    var table = false
                    if let lake { table = try await DefinitionCompatibility.checkIfPresent(schema, lake: lake) }
                    print("ok\t\(d.name)\t\(schema.format.rawValue)\t\(schema.fields.count) fields\(table ? "\tmatches its table \(schema.table)/" : "")")
                } catch {
                    failures += 1
                    print("error\t\(d.name)\t\(error)")
                }
            }
            if failures > 0 {
                throw ValidationError("\(failures) of \(definitions.count) stream definition(s) in \(file) are invalid")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one stream: where its records go and the table schema derived from it.")
        @OptionGroup var config: ConfigOptions
        @Argument(help: "The stream name.") var name: String
        func run() async throws {
            let (file, definitions) = try StreamsCommand.definitions(config)
            guard let d = definitions.first(where: { $0.name == name }) else {
                throw ValidationError("no stream '\(name)' in \(file); one of \(definitions.map(\.name).joined(separator: ", "))")
            }
            let s: TopicSchema
            do { s = try StreamCatalog.compile(d) } catch { throw ValidationError("\(error)") }
            print(StreamDescription.text(s, definition: d))
        }
    }
}

/// The text of `streams show`.
enum StreamDescription {
    static func formatText(_ s: TopicSchema) -> String {
        switch s.format {
        case .json: "json (one record per message; \"_op\": \"delete\" deletes)"
        case .debezium:
            "debezium (change events: c, r, u upsert 'after', d deletes 'before', tombstones skipped; ordering "
                + (s.ordersByChangeEvent ? "source.lsn, else source.ts_ms, else ts_ms, in \(TopicSchema.changeOrderingField))" : "\(s.precombineField ?? "-"))")
        }
    }

    static func text(_ s: TopicSchema, definition d: StreamDefinition) -> String {
        var out = """
            stream \(s.name) (\(d.source))
              topic \(s.topic) → table folder \(s.table)/, Hudi table \(s.tableName), SQL view \(s.table)
              format \(StreamDescription.formatText(s))
              invalid records → \(s.deadLetterTopic) (\(s.format == .debezium ? "stage envelope: not a change event; " : "")stage schema: \(d.schemaPath); stage quality: \(d.qualityPath ?? "-"))
              record key \(s.recordKey)\(s.recordKeyFields.count > 1 ? " (complex key f1:v1,f2:v2)" : ""); precombine \(s.precombineField ?? "- (the later offset wins)")
              partition \(s.partition.column.map { "\($0) (\(s.partition.granularity.rawValue) of \(s.partition.field ?? "-"), Hive style)" } ?? "none")
              unknown top-level fields: \(s.closed ? "refused (additionalProperties false)" : "kept in extra")
            columns:

            """
        for field in s.storedFields {
            let topic = s.field(field.name)
            let rules = (topic?.rules ?? []).map(\.summary) + (topic?.quality ?? []).map { "quality: " + $0.summary }
            out += "  \(field.name)\t\(typeName(field.type))\(field.nullable ? "" : " not null")\(rules.isEmpty ? "" : "\t" + rules.joined(separator: "; "))\n"
        }
        for rule in s.dependentRanges {
            out += "  quality: \(rule.field) by \(rule.dependsOn): " + rule.ranges.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.lowerBound)…\($0.value.upperBound)" }.joined(separator: ", ") + "\n"
        }
        return out
    }

    static func typeName(_ type: FieldType) -> String {
        switch type {
        case .boolean: "boolean"
        case .int32: "int32"
        case .int64: "int64"
        case .float: "float"
        case .double: "double"
        case .string: "string"
        case .json: "json"
        case .binary: "binary"
        case .fixedLenByteArray(let n): "fixed(\(n))"
        case .decimal(let p, let s): "decimal(\(p),\(s))"
        case .date: "date"
        case .timestamp: "timestamp(us, UTC)"
        case .group(let fields): "struct<" + fields.map { "\($0.name): \(typeName($0.type))" }.joined(separator: ", ") + ">"
        case .list(let element): "list<\(typeName(element.type))>"
        case .map(let k, let v): "map<\(typeName(k.type)), \(typeName(v.type))>"
        }
    }
}

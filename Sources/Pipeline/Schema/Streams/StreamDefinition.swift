import Foundation
import TributaryConfig
import TributaryCore

/// How a stream's table is partitioned: by a time field cut to a granularity (a derived
/// column, `event_date` for days), by a field's value, or not at all.
public struct StreamPartition: Sendable, Equatable {
    public enum Granularity: String, Sendable, CaseIterable {
        case year, month, day, hour, value, none
    }

    public var field: String?
    public var granularity: Granularity

    public init(field: String?, granularity: Granularity) {
        self.field = field
        self.granularity = granularity
    }

    public static let none = StreamPartition(field: nil, granularity: .none)

    /// The partition column: derived for time granularities, the field itself for `value`.
    public var column: String? {
        switch granularity {
        case .year: "event_year"
        case .month: "event_month"
        case .day: "event_date"
        case .hour: "event_hour"
        case .value: field
        case .none: nil
        }
    }

    /// True when the partition column is added to the table (not one of the record's fields).
    public var isDerived: Bool { [.year, .month, .day, .hour].contains(granularity) }
}

/// One `[streams.NAME]` section of `tributary.toml`, as written (paths resolved against the
/// folder of the file that declared it).
public struct StreamDefinition: Sendable, Equatable {
    public enum Format: String, Sendable { case json, debezium }

    public var name: String
    public var topic: String
    public var table: String
    public var format: Format
    public var schemaPath: String
    public var qualityPath: String?
    public var recordKey: [String]
    public var precombine: String?
    public var partition: StreamPartition
    /// `copy_on_write` or `merge_on_read`; nil: the configuration's `hudi.table_type`.
    public var tableType: String?
    /// Merge-on-read: compact a file group once its log files exceed this many bytes (0:
    /// off); nil: the configuration's `hudi.compaction.max_log_bytes`.
    public var compactionMaxLogBytes: Int?
    /// Where the section was declared, for messages (`tributary.toml`, the seed file).
    public var source: String

    public static let keys = ["topic", "table", "format", "schema", "quality", "record_key", "precombine", "partition", "table_type",
                              "compaction_max_log_bytes"]
    public static let tableTypes = ["copy_on_write", "merge_on_read"]

    /// Parses one section (`section` is the TOML table as a JSON value).
    public init(name: String, section: JSONValue, folder: String, source: String) throws {
        func fail(_ key: String, _ expected: String) -> StreamDefinitionError {
            StreamDefinitionError("\(source): streams.\(name)\(key.isEmpty ? "" : ".\(key)"): \(expected)")
        }
        guard Self.isValidName(name) else {
            throw fail("", "a stream name is letters, digits and _ (it names the table and its SQL view)")
        }
        guard case .object(let members) = section else { throw fail("", "expected a table of \(Self.keys.joined(separator: ", "))") }
        for (key, _) in members where !Self.keys.contains(key) {
            throw fail(key, "unknown key; one of \(Self.keys.joined(separator: ", "))")
        }
        func text(_ key: String) throws -> String? {
            guard let value = section[key] else { return nil }
            guard let s = value.string, !s.isEmpty else { throw fail(key, "expected a non-empty string") }
            return s
        }
        func path(_ relative: String) -> String {
            relative.hasPrefix("/") ? relative : URL(fileURLWithPath: folder).appendingPathComponent(relative).standardizedFileURL.path
        }
        self.name = name
        self.source = source
        topic = try text("topic") ?? name
        let table = try text("table") ?? name
        guard Self.isValidName(table) else { throw fail("table", "letters, digits and _ (a folder and a SQL view name)") }
        self.table = table
        let formatName = try text("format") ?? "json"
        guard let format = Format(rawValue: formatName) else { throw fail("format", "json or debezium") }
        self.format = format
        guard let schema = try text("schema") else { throw fail("schema", "required: the path of the record's JSON Schema") }
        schemaPath = path(schema)
        qualityPath = try text("quality").map(path)
        switch section["record_key"] {
        case .string(let one)?: recordKey = [one]
        case .array(let many)? where !many.isEmpty && many.allSatisfy({ $0.string != nil }):
            let keys = many.compactMap(\.string)
            guard Set(keys).count == keys.count else { throw fail("record_key", "a field is named twice") }
            recordKey = keys
        default: throw fail("record_key", "required: an array of one or more top-level field names")
        }
        precombine = try text("precombine")
        tableType = try text("table_type")
        if let tableType, !Self.tableTypes.contains(tableType) { throw fail("table_type", Self.tableTypes.joined(separator: " or ")) }
        switch section["compaction_max_log_bytes"] {
        case nil: compactionMaxLogBytes = nil
        case .int(let n)? where n >= 0: compactionMaxLogBytes = Int(n)
        case .string(let size)? where (try? TributaryConfig.parseBytes(size)) != nil:
            compactionMaxLogBytes = (try? TributaryConfig.parseBytes(size)).map { Int($0) }
        default: throw fail("compaction_max_log_bytes", "a size like \"64MiB\" or a number of bytes (0: off)")
        }
        switch section["partition"] {
        case nil: partition = .none
        case .object(let keys)?:
            for (key, _) in keys where !["field", "granularity"].contains(key) { throw fail("partition.\(key)", "unknown key; field or granularity") }
            let words = StreamPartition.Granularity.allCases.map(\.rawValue).joined(separator: " | ")
            guard let g = section["partition"]?["granularity"]?.string, let granularity = StreamPartition.Granularity(rawValue: g) else {
                throw fail("partition.granularity", "one of \(words)")
            }
            let field = section["partition"]?["field"]?.string
            if granularity != .none && field == nil { throw fail("partition.field", "required for granularity \(g)") }
            partition = StreamPartition(field: granularity == .none ? nil : field, granularity: granularity)
        default: throw fail("partition", "expected { field = \"...\", granularity = \"day\" }")
        }
    }

    static func isValidName(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }
}

public struct StreamDefinitionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

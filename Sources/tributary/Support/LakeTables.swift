import ArgumentParser
import Foundation
import Hudi
import ObjectStore
import TributaryCore
import TributaryConfig

/// The Hudi tables of the lake (`storage.uri`): one folder per topic (`{lake}/{topic}/`,
/// Hudi table name `{topic}_table`), as the processor's sink writes them and the query
/// layer's catalog finds them.
enum LakeTables {
    /// Opens a table by folder (topic) name or by Hudi table name (`user_events_table`) in
    /// the lake, or by its own location (a path with `/`, `file://…`, `s3://…`).
    static func open(_ name: String, settings: TributaryConfig, options: WriteOptions = WriteOptions()) async throws -> (name: String, table: HudiTable) {
        if name.contains("/") {
            if try missingLocalFolder(name) != nil { throw TablesError("no Hudi table at \(name) (no such folder)") }
            let store = try await ObjectStores.open(name)
            guard try await store.exists(HudiTable.propertiesKey) else {
                throw TablesError("no Hudi table at \(name) (no \(HudiTable.propertiesKey))")
            }
            let short = name.split(separator: "/").last.map(String.init) ?? name
            return (short, try await HudiTable.open(store: store, options: options))
        }
        return try await open(name, lake: try await Lake.open(settings), options: options)
    }

    /// The local path `location` (a path or `file://…`) names when no folder is there; nil when
    /// one is, or for a remote store (which has no folders to check before opening).
    static func missingLocalFolder(_ location: String) throws -> String? {
        guard case .local(let path) = try ObjectStoreURI(location).location else { return nil }
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue ? nil : path
    }

    /// Opens a table of `lake` by folder (topic) name or Hudi table name.
    static func open(_ name: String, lake: any ObjectStore, options: WriteOptions = WriteOptions()) async throws -> (name: String, table: HudiTable) {
        var candidates = [name]
        if name.hasSuffix("_table") { candidates.append(String(name.dropLast("_table".count))) }
        for folder in candidates where !folder.isEmpty && !folder.contains("/") && !folder.hasPrefix(".") {
            let store = try lake.scoped(to: folder)
            if try await store.exists(HudiTable.propertiesKey) {
                return (folder, try await HudiTable.open(store: store, options: options))
            }
        }
        let known = try await HudiTable.tableFolders(in: lake)
        throw TablesError("no table '\(name)' in the lake \(lake.backendDescription); tables: \(known.isEmpty ? "none" : known.joined(separator: ", "))")
    }
}

/// A `tables` command failure: printed as `Error: <message>` (exit 1), without usage text.
struct TablesError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}

/// Output helpers of the `tables` commands.
enum TablesOutput {
    /// Left-aligned text columns under a header line.
    static func columns(_ header: [String], _ rows: [[String]]) -> String {
        let widths = columnWidths([header] + rows)
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    /// Each column's width in characters: its widest cell over `lines`, whose first line sets
    /// how many columns there are (cells past them are not measured).
    static func columnWidths(_ lines: [[String]]) -> [Int] {
        guard let first = lines.first else { return [] }
        var widths = first.map(\.count)
        for line in lines.dropFirst() { for (i, c) in line.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        return widths
    }

    /// Pretty JSON with sorted keys, of rows built as dictionaries (strings, numbers, flags,
    /// `NSNull`, arrays and dictionaries of them).
    static func json(_ value: Any) throws -> String {
        try jsonValue(value).sortingKeys().pretty()
    }

    private static func jsonValue(_ value: Any) throws -> JSONValue {
        switch value {
        case is NSNull: return .null
        case let v as String: return .string(v)
        case let v as Bool: return .bool(v)
        case let v as Int: return .int(Int64(v))
        case let v as Int64: return .int(v)
        case let v as Int32: return .int(Int64(v))
        case let v as Double: return .double(v)
        case let v as [String: Any]: return .object(try v.map { ($0.key, try jsonValue($0.value)) })
        case let v as [Any]: return .array(try v.map(jsonValue))
        default: throw TablesError("cannot print \(type(of: value)) as JSON")
        }
    }

    /// `1.2 MiB`-style sizes.
    static func bytes(_ n: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(n)
        var u = 0
        while v >= 1024, u < units.count - 1 { v /= 1024; u += 1 }
        return u == 0 ? "\(n) B" : String(format: "%.1f", v) + " " + units[u]
    }

    /// `name: type` of the fields of an Avro record schema (unions with null as `type?`).
    static func fields(ofAvroSchema schema: String) -> [(name: String, type: String)] {
        AvroColumn.columns(ofSchema: schema).map { ($0.name, $0.nullable ? $0.type + "?" : $0.type) }
    }
}

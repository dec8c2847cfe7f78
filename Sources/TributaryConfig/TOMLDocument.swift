import Foundation
import TOMLKit
import TributaryCore

/// A TOML file, read and parsed once, as JSON values: the one TOML reader, for the
/// configuration keys (``TributaryConfig``) and the `[streams.*]` definitions (the Pipeline's
/// `StreamCatalog`). Tables become objects with their keys sorted (TOML tables are
/// unordered; `text` is kept for callers that need the file's order); dates and times
/// become their TOML text.
public struct TOMLDocument: Sendable {
    public let path: String
    public let text: String
    /// The top-level table's entries, keys sorted.
    public let root: [(String, JSONValue)]

    /// Reads `path`; a missing file or bad TOML is a `ConfigError` naming the file, line and column.
    public init(path: String) throws {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigError("cannot read \(path): \(error.localizedDescription)")
        }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw ConfigError("\(path): invalid TOML at line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)")
        }
        self.path = path
        self.text = text
        root = Self.entries(table)
    }

    /// The top-level value `key`.
    public subscript(key: String) -> JSONValue? { root.first { $0.0 == key }?.1 }

    private static func entries(_ table: TOMLTable) -> [(String, JSONValue)] {
        table.keys.sorted().map { ($0, json(table[$0])) }
    }

    private static func json(_ value: (any TOMLValueConvertible)?) -> JSONValue {
        guard let value else { return .null }
        if let s = value.string { return .string(s) }
        if let b = value.bool { return .bool(b) }
        if let i = value.int { return .int(Int64(i)) }
        if let d = value.double { return .double(d) }
        if let a = value.array { return .array(a.map { json($0) }) }
        if let t = value.table { return .object(entries(t)) }
        return .string("\(value)")
    }
}

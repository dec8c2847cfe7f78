import Foundation
import TOMLKit
import TributaryCore

/// The streams Tributary ingests: the `[streams.*]` sections of `tributary.toml`, or the five
/// seed streams shipped in the Pipeline's resources when it declares none. Every definition
/// is compiled at start; any problem is an error naming the file, key or JSON pointer.
public enum StreamCatalog {
    /// The seed definitions (`Resources/streams/streams.toml` in this module's bundle).
    public static var seedFile: String {
        (Bundle.module.resourceURL ?? Bundle.module.bundleURL).appendingPathComponent("streams/streams.toml").path
    }

    /// The streams of `configFile` (nil or without `[streams.*]`: the seeds), compiled.
    public static func load(configFile: String?) throws -> [TopicSchema] {
        if let configFile, FileManager.default.fileExists(atPath: configFile) {
            let definitions = try definitions(inFile: configFile)
            if !definitions.isEmpty { return try definitions.map(compile) }
        }
        return try seeds()
    }

    /// The five seed streams, compiled.
    public static func seeds() throws -> [TopicSchema] {
        try definitions(inFile: seedFile).map(compile)
    }

    /// The seed stream `name` (tests and tools).
    public static func seed(_ name: String) throws -> TopicSchema {
        guard let schema = try seeds().first(where: { $0.name == name }) else {
            throw StreamDefinitionError("no seed stream '\(name)'")
        }
        return schema
    }

    /// The `[streams.*]` sections of a TOML file, in the order the file declares them.
    public static func definitions(inFile path: String) throws -> [StreamDefinition] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw StreamDefinitionError("cannot read \(path): \(error.localizedDescription)")
        }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw StreamDefinitionError("\(path): invalid TOML at line \(error.source.begin.line): \(error.description)")
        }
        guard let streams = table["streams"] else { return [] }
        guard let sections = streams.table else { throw StreamDefinitionError("\(path): 'streams' must be a table of [streams.NAME] sections") }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        // TOML tables are unordered: keep the file's order (the seeds' order is the UI's).
        func position(_ name: String) -> String.Index { text.range(of: "[streams.\(name)]")?.lowerBound ?? text.endIndex }
        let names = sections.keys.sorted { (position($0), $0) < (position($1), $1) }
        return try names.map { name in
            try StreamDefinition(name: name, section: json(sections[name]), folder: folder, source: path)
        }
    }

    /// A TOML value as JSON (the definitions are parsed from JSON values).
    static func json(_ value: (any TOMLValueConvertible)?) -> JSONValue {
        guard let value else { return .null }
        if let s = value.string { return .string(s) }
        if let b = value.bool { return .bool(b) }
        if let i = value.int { return .int(Int64(i)) }
        if let d = value.double { return .double(d) }
        if let a = value.array { return .array(a.map { json($0) }) }
        if let t = value.table { return .object(t.keys.map { ($0, json(t[$0])) }) }
        return .string("\(value)")
    }
}

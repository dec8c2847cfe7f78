import Foundation
import TributaryConfig
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
        let document: TOMLDocument
        do { document = try TOMLDocument(path: path) } catch let error as ConfigError {
            throw StreamDefinitionError(error.description)
        }
        guard let streams = document["streams"] else { return [] }
        guard case .object(let sections) = streams else {
            throw StreamDefinitionError("\(path): 'streams' must be a table of [streams.NAME] sections")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        // TOML tables are unordered: keep the file's order (the seeds' order is the UI's).
        let text = document.text
        func position(_ name: String) -> String.Index { text.range(of: "[streams.\(name)]")?.lowerBound ?? text.endIndex }
        return try sections.sorted { (position($0.0), $0.0) < (position($1.0), $1.0) }.map { name, section in
            try StreamDefinition(name: name, section: section, folder: folder, source: path)
        }
    }
}

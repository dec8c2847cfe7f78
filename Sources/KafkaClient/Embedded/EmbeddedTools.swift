import Foundation

/// Finds the programs of the embedded stack (`tansu`, `weed`): an explicit path, an
/// environment variable, the package's `.native/bin` or `.venv/bin` (walking up from the
/// running executable and from the current folder), then PATH.
enum EmbeddedTools {
    static func locate(_ name: String, explicit: String?, environmentVariable: String) throws -> String {
        var candidates: [String] = []
        if let explicit { candidates.append(explicit) }
        if let env = ProcessInfo.processInfo.environment[environmentVariable] { candidates.append(env) }
        // Relative to the executable: <root>/.build*/<config>/tributary → <root>/.native/bin/NAME
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        var roots: [URL] = []
        for _ in 0..<5 {
            roots.append(dir)
            dir.deleteLastPathComponent()
        }
        roots.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        for root in roots {
            candidates.append(root.appendingPathComponent(".native/bin/\(name)").path)
            candidates.append(root.appendingPathComponent(".venv/bin/\(name)").path)
        }
        for path in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append("\(path)/\(name)")
        }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        throw KafkaError(.configuration, operation: "start the embedded broker",
                         reason: "the \(name) program was not found (run `make setup`, or set \(environmentVariable), or configure kafka.bootstrap_servers)")
    }
}

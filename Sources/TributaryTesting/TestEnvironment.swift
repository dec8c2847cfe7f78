import Foundation

/// Where the project's tools live, for tests and benchmarks: the package root, the
/// `.venv/` Python with the oracles (pyarrow, hudi, duckdb, moto, confluent-kafka) and
/// the native binaries `make setup` links into `.native/bin`.
public enum TestEnvironment {
    /// The package root, found by walking up from this source file to `Package.swift`.
    public static let packageRoot: URL = {
        if let root = ProcessInfo.processInfo.environment["TRIBUTARY_ROOT"] {
            return URL(fileURLWithPath: root)
        }
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url
            }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    /// `.venv/bin/python`.
    public static var python: URL { packageRoot.appendingPathComponent(".venv/bin/python") }

    /// A native tool linked by `make setup` into `.native/bin` (tansu, duckdb, moto_server).
    public static func nativeTool(_ name: String) -> URL {
        packageRoot.appendingPathComponent(".native/bin/\(name)")
    }

    /// The `tributary` binary built next to the test bundle (or `$TRIBUTARY_BIN`).
    public static let tributaryBinary: URL = {
        if let explicit = ProcessInfo.processInfo.environment["TRIBUTARY_BIN"] { return URL(fileURLWithPath: explicit) }
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        for dir in [bundleDir, packageRoot.appendingPathComponent(".build/debug")] {
            let candidate = dir.appendingPathComponent("tributary")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return packageRoot.appendingPathComponent(".build/debug/tributary")
    }()

    /// True when `TRIBUTARY_SOAK=1` (`make soak`): tests may then run their long mode.
    public static var soak: Bool { ProcessInfo.processInfo.environment["TRIBUTARY_SOAK"] == "1" }

    /// A fresh temporary directory, removed by the caller (or left for inspection).
    public static func temporaryDirectory(_ prefix: String = "tributary-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

import Foundation

/// The command line that starts a child the way `ChildProcessSpec` asks (Linux):
///
/// - `setpriv --pdeathsig KILL` (util-linux): the kernel kills the child when its parent
///   dies, whatever killed the parent, so no broker or storage server outlives `kill -9`.
/// - `env --default-signal` (coreutils ≥ 8.31): signals this process ignores (swift-service-lifecycle
///   ignores SIGTERM and SIGINT to handle them itself) stay ignored across `exec`; the
///   child gets the default handling back, so a SIGTERM stops it gracefully.
///
/// Both tools exec the program, so the child's pid is the program's. Where a tool is
/// missing (macOS) the program is started directly.
enum ProcessWrapper {
    static let setpriv = "/usr/bin/setpriv"
    static let env = "/usr/bin/env"

    static func command(for spec: ChildProcessSpec) -> (URL, [String]) {
        var prefix: [String] = []
        #if os(Linux)
        if spec.diesWithParent, FileManager.default.isExecutableFile(atPath: setpriv) {
            prefix += [setpriv, "--pdeathsig", "KILL", "--"]
        }
        if envResetsSignals { prefix += [env, "--default-signal", "--"] }
        #endif
        guard let first = prefix.first else { return (spec.executable, spec.arguments) }
        return (URL(fileURLWithPath: first), Array(prefix.dropFirst()) + [spec.executable.path] + spec.arguments)
    }

    /// Whether this machine's `env` knows `--default-signal` (asked once).
    static let envResetsSignals: Bool = {
        guard FileManager.default.isExecutableFile(atPath: env) else { return false }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: env)
        probe.arguments = ["--default-signal", "true"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()
}

import Foundation
import TributaryCore
import TributaryTesting

/// Shared pieces of the benchmark areas: peers, timing and the printed table.
enum Bench {
    static func peerScript(_ name: String) -> String {
        packageFile("Benchmarks/peers/\(name)")
    }

    /// A file of the repository, by its path from the package root.
    static func packageFile(_ relative: String) -> String {
        TestEnvironment.packageRoot.appendingPathComponent(relative).path
    }

    /// A peer kept in `../shared/peers/` (beside the repository).
    static func sharedPeerScript(_ name: String) -> String {
        TestEnvironment.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/peers/\(name)").path
    }

    /// Runs a peer script and decodes its one-line JSON answer.
    static func runPeer(_ args: [String]) throws -> [String: Double] {
        let output = try runPython(args)
        let line = output.stdoutText.split(separator: "\n").last.map(String.init) ?? "{}"
        return decodeAnswer(line)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (s, atto) = duration.components
        return Double(s) + Double(atto) / 1e18
    }

    /// Prints `rows` as an aligned table.
    static func table(_ header: [String], _ rows: [[String]]) {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
        for (n, row) in all.enumerated() {
            print(row.enumerated().map { i, cell in
                i == 0 ? cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                       : String(repeating: " ", count: widths[i] - cell.count) + cell
            }.joined(separator: "  "))
            if n == 0 { print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
    }

    /// CPU time (user + system) of this process so far, all threads.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// Peak resident memory of this process so far, in MiB (Linux reports KiB).
    static func peakRSSMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// Prints a child's one-line JSON answer (the peers' contract).
    static func answer(_ values: [String: Double]) {
        print(JSONValue.object(values.sorted { $0.key < $1.key }.map { ($0.key, .double($0.value)) }).json)
    }

    /// Runs this bench binary as a child (`tributary-bench ARGS`) and decodes its answer.
    static func runSelf(_ args: [String]) throws -> [String: Double] {
        let output = try runProcess(Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0]), args)
        let line = output.stdoutText.split(separator: "\n").last.map(String.init) ?? "{}"
        return decodeAnswer(line)
    }

    static func decodeAnswer(_ line: String) -> [String: Double] {
        guard let object = try? JSONValue.parse(line).objectEntries else { return [:] }
        return Dictionary(object.compactMap { key, value in value.double.map { (key, $0) } }) { a, _ in a }
    }

    static func format(_ value: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", value) }
}

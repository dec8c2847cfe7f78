import Foundation

/// One read of a Hudi table, as hudi-rs and our reader both serve it.
public enum HudiRead: Sendable, CustomStringConvertible {
    /// The merged snapshot as of an instant (time travel).
    case snapshot(asOf: String)
    /// The base files alone as of an instant (merge-on-read's read-optimized query).
    case readOptimized(asOf: String)
    /// The records committed in `(after, upTo]`.
    case incremental(after: String?, upTo: String)

    public var description: String {
        switch self {
        case .snapshot(let t): "snapshot as of \(t)"
        case .readOptimized(let t): "read-optimized as of \(t)"
        case .incremental(let a, let b): "incremental (\(a ?? "start"), \(b)]"
        }
    }

    /// The query line `Tests/HudiTests/oracle/read_table.py --queries` reads.
    var oracleQuery: [String: Any] {
        switch self {
        case .snapshot(let t): ["as_of": t]
        case .readOptimized(let t): ["as_of": t, "read_optimized": true]
        case .incremental(let a, let b): a.map { ["start": $0, "end": b] } ?? ["end": b]
        }
    }

    /// Every read a table's reader must agree on: snapshot and read-optimized as of each
    /// instant, and the incremental read of each step between them (from the start of the
    /// timeline to the first).
    public static func all(instants: [String]) -> [HudiRead] {
        instants.flatMap { [HudiRead.snapshot(asOf: $0), .readOptimized(asOf: $0)] }
            + zip([nil] + instants.map(Optional.some), instants).map { HudiRead.incremental(after: $0, upTo: $1) }
    }
}

/// hudi-rs (the oracle) against another reader of the same table, read by read: the record
/// keys each returns, duplicates included.
public enum HudiReadComparison {
    static let oracle = TestEnvironment.packageRoot.appendingPathComponent("Tests/HudiTests/oracle/read_table.py").path

    /// hudi-rs's record keys (`keyField` of every row, sorted) for each read, in one process.
    public static func oracleKeys(tablePath: String, keyField: String, reads: [HudiRead],
                                  environment: [String: String] = [:]) throws -> [[String]] {
        let input = try reads.map { String(decoding: try JSONSerialization.data(withJSONObject: $0.oracleQuery, options: [.sortedKeys]), as: UTF8.self) }
            .joined(separator: "\n")
        let out = try runProcess(TestEnvironment.python, [oracle, tablePath, "--queries"], stdin: Data(input.utf8),
                                 environment: environment).stdoutText
        var answers: [[String]] = []
        for line in out.split(separator: "\n") {
            if line.hasPrefix("#") { answers.append([]); continue }
            let row = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            answers[answers.count - 1].append(row?[keyField] as? String ?? "<no \(keyField)>")
        }
        return answers.map { $0.sorted() }
    }

    /// The reads where `ours` (record keys) differs from hudi-rs, described; empty when
    /// every read agrees.
    public static func mismatches(tablePath: String, keyField: String, reads: [HudiRead], environment: [String: String] = [:],
                                  ours: (HudiRead) async throws -> [String]) async throws -> [String] {
        let theirs = try oracleKeys(tablePath: tablePath, keyField: keyField, reads: reads, environment: environment)
        guard theirs.count == reads.count else { return ["hudi-rs answered \(theirs.count) of \(reads.count) reads"] }
        var out: [String] = []
        for (read, expected) in zip(reads, theirs) {
            let got = try await ours(read).sorted()
            guard got != expected else { continue }
            let missing = Set(expected).subtracting(got).sorted().prefix(3), extra = Set(got).subtracting(expected).sorted().prefix(3)
            out.append("\(read): ours \(got.count) rows, hudi-rs \(expected.count); missing \(Array(missing)), extra \(Array(extra))")
        }
        return out
    }
}

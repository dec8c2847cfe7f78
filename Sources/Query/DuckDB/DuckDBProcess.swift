import Foundation
import Logging
import TributaryCore
#if canImport(Glibc)
import Glibc
#endif

/// One DuckDB CLI child process (`duckdb -no-init -jsonlines`), kept alive between
/// queries: statements are written to its stdin, each batch followed by a sentinel query
/// whose unique output line marks the end of the batch's results on stdout. DuckDB writes
/// errors to stderr before it runs the next statement, so once the sentinel arrives any
/// error of the batch is already in the stderr pipe and a non-blocking read collects it.
///
/// Not reentrant: one batch at a time (the pool hands a process to one query). A batch
/// that outlives its timeout kills the process; the next `run` starts a fresh one and
/// replays the setup statements.
public final class DuckDBProcess: @unchecked Sendable {
    /// Lines of one batch's output (one JSON object each, sentinel excluded).
    public struct Output: Sendable {
        public var lines: [[UInt8]]
        public var bytes: Int
    }

    private let executable: URL
    /// Statements run after every start, before any query (lockdown, views).
    private let setup: @Sendable () -> [String]
    private let logger: Logger
    private let lock = NSLock()
    private var process: ChildProcess?
    private var stdinFD: Int32 = -1
    private var stdoutFD: Int32 = -1
    private var stderrFD: Int32 = -1
    private var buffer: [UInt8] = []
    private var killedByTimeout = false
    /// Set when the child was killed or its output ended: `isRunning` may lag behind a
    /// SIGKILL, so this decides when to start a new one.
    private var dead = false
    /// Incremented on every start, so callers can tell that per-process state (views) is gone.
    public private(set) var generation = 0

    /// - Parameters:
    ///   - executable: the DuckDB CLI ELF.
    ///   - setup: statements each new process runs first (they must not fail).
    public init(executable: URL, logger: Logger = Logger(label: "tributary.query.duckdb"), setup: @escaping @Sendable () -> [String] = { [] }) {
        self.executable = executable
        self.setup = setup
        self.logger = logger
    }

    deinit {
        // Nobody else can hold the process now: close the pipes as well.
        lock.withLock { closeLocked() }
    }

    /// Whether the child is running.
    public var isRunning: Bool { lock.withLock { !dead && (process?.isRunning ?? false) } }

    /// The child's pid (nil when not running).
    public var pid: Int32? { lock.withLock { process.flatMap { $0.isRunning ? $0.pid : nil } } }

    /// Runs `sql` (one or more `;`-terminated statements) and returns the output lines.
    /// Throws `QueryError.duckdb` with DuckDB's message when a statement failed, `.timeout`
    /// when it ran too long (the process is killed), `.resultTooLarge` when the output
    /// passed `maxBytes` (the process is killed too: DuckDB cannot be stopped mid-result).
    public func run(_ sql: String, timeout: Duration? = nil, maxBytes: Int? = nil) async throws -> Output {
        let outputs = try await runAll([sql], timeout: timeout, maxBytes: maxBytes)
        return outputs[0]
    }

    /// Runs several batches in one write (one round trip), each with its own sentinel, and
    /// returns their outputs in order. When a batch fails, the later ones still run (their
    /// output is consumed to keep the stream in step) and the first failure is thrown.
    public func runAll(_ batches: [String], timeout: Duration? = nil, maxBytes: Int? = nil) async throws -> [Output] {
        let watchdog: Task<Void, Never>? = timeout.map { limit in
            Task { [weak self] in
                try? await Task.sleep(for: limit)
                if !Task.isCancelled { self?.kill(timedOut: true) }
            }
        }
        defer { watchdog?.cancel() }
        do {
            return try await withCheckedThrowingContinuation { (c: CheckedContinuation<[Output], Error>) in
                DispatchQueue.global().async {
                    c.resume(with: Result {
                        try self.ensureStarted()
                        return try self.runBlocking(batches, maxBytes: maxBytes)
                    })
                }
            }
        } catch QueryError.engine(let message) {
            let timedOut = lock.withLock { killedByTimeout }
            if timedOut, let timeout { throw QueryError.timeout(timeout) }
            throw QueryError.engine(message)
        }
    }

    /// Kills the child (the next `run` starts a new one).
    public func terminate() { kill(timedOut: false) }

    // MARK: - Internals

    private func kill(timedOut: Bool) {
        lock.withLock {
            guard let p = process else { return }
            if timedOut { killedByTimeout = true }
            dead = true
            p.kill()
        }
    }

    private func ensureStarted() throws {
        let needsSetup: Bool = try lock.withLock {
            if let p = process, p.isRunning, !dead { return false }
            closeLocked()
            try startLocked()
            return true
        }
        if needsSetup {
            let statements = setup()
            if !statements.isEmpty {
                do {
                    _ = try runBlocking([statements.joined(separator: "\n")], maxBytes: nil)
                } catch {
                    terminate()
                    throw QueryError.engine("DuckDB setup failed: \(error)")
                }
            }
        }
    }

    private func startLocked() throws {
        // A dead child must not take us down when we write to its stdin.
        signal(SIGPIPE, SIG_IGN)
        // -no-init: never read ~/.duckdbrc; -jsonlines: one JSON object per row.
        var spec = ChildProcessSpec(name: "duckdb", executable: executable, arguments: ["-no-init", "-jsonlines"])
        spec.standardInput = .pipe
        spec.standardOutput = .pipe
        spec.standardError = .pipe
        spec.logLevel = .debug
        let p: ChildProcess
        do {
            p = try ChildProcess.spawn(spec, logger: logger)
        } catch {
            throw QueryError.engine("cannot start \(executable.path): \(error)")
        }
        guard let input = p.standardInput, let output = p.standardOutput, let errors = p.standardError else {
            p.kill()
            throw QueryError.engine("DuckDB started without its pipes")
        }
        process = p
        stdinFD = dup(input.fileDescriptor)
        stdoutFD = dup(output.fileDescriptor)
        stderrFD = dup(errors.fileDescriptor)
        try? input.close()
        try? output.close()
        try? errors.close()
        _ = fcntl(stderrFD, F_SETFL, fcntl(stderrFD, F_GETFL) | O_NONBLOCK)
        buffer.removeAll(keepingCapacity: true)
        killedByTimeout = false
        dead = false
        generation += 1
    }

    private func closeLocked() {
        for fd in [stdinFD, stdoutFD, stderrFD] where fd >= 0 { close(fd) }
        stdinFD = -1
        stdoutFD = -1
        stderrFD = -1
        if let p = process {
            p.kill()
            p.waitForExitBlocking()
        }
        process = nil
    }

    private func runBlocking(_ batches: [String], maxBytes: Int?) throws -> [Output] {
        let (inFD, outFD, errFD) = lock.withLock { (stdinFD, stdoutFD, stderrFD) }
        guard inFD >= 0 else { throw QueryError.engine("DuckDB is not running") }
        var text = ""
        var sentinels: [[UInt8]] = []
        for sql in batches {
            let marker = "tributary-" + UUID().uuidString
            text += sql
            if !text.hasSuffix("\n") { text += "\n" }
            text += "SELECT '\(marker)' AS __tributary_sentinel;\n"
            sentinels.append(Array("{\"__tributary_sentinel\":\"\(marker)\"}".utf8))
        }
        try writeAll(inFD, Array(text.utf8))
        var outputs: [Output] = []
        var failure: QueryError?
        var total = 0
        for sentinel in sentinels {
            var lines: [[UInt8]] = []
            var bytes = 0
            while true {
                let line = try readLine(outFD)
                if line == sentinel { break }
                if line.isEmpty { continue }
                bytes += line.count
                total += line.count
                if let maxBytes, total > maxBytes {
                    kill(timedOut: false)
                    throw QueryError.resultTooLarge(limitBytes: maxBytes)
                }
                lines.append(line)
            }
            let errors = drain(errFD)
            if !errors.isEmpty {
                let message = Self.cleanError(errors)
                // Deprecation notices and the like are not failures.
                if message.hasPrefix("WARNING") {
                    logger.debug("DuckDB: \(message)")
                } else if !message.isEmpty, failure == nil {
                    failure = QueryError.duckdb(message)
                }
            }
            outputs.append(Output(lines: lines, bytes: bytes))
        }
        if let failure { throw failure }
        return outputs
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                lock.withLock { dead = true }
                throw QueryError.engine("DuckDB stdin closed (the process died)")
            }
            offset += n
        }
    }

    private func readLine(_ fd: Int32) throws -> [UInt8] {
        while true {
            if let nl = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<nl])
                buffer.removeSubrange(...nl)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 {
                lock.withLock { dead = true }
                let detail = String(decoding: drain(lock.withLock { stderrFD }), as: UTF8.self)
                throw QueryError.engine("DuckDB exited" + (detail.isEmpty ? "" : ": \(detail)"))
            }
            buffer.append(contentsOf: chunk[..<n])
        }
    }

    /// Everything currently in the (non-blocking) stderr pipe.
    private func drain(_ fd: Int32) -> [UInt8] {
        guard fd >= 0 else { return [] }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { out.append(contentsOf: chunk[..<n]); continue }
            if n < 0, errno == EINTR { continue }
            return out
        }
    }

    /// DuckDB's message without the `LINE 1: …` excerpt, which would show our wrapper
    /// statement rather than the user's text.
    static func cleanError(_ bytes: [UInt8]) -> String {
        // Without the terminal colour codes DuckDB puts around warnings.
        let text = String(decoding: bytes, as: UTF8.self)
            .replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        var kept: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("LINE ") { break }
            kept.append(String(line))
        }
        return kept.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

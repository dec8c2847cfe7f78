import Foundation
import Logging
import TributaryConfig
#if canImport(Glibc)
import Glibc
#endif

/// The stack's state folder (`state_dir`, default `.tributary`, relative to the current
/// folder): the embedded broker's log (`kafka/`) and address (`broker`), Prometheus's data,
/// and the lock that keeps a second `tributary up` off the same folder.
struct StateFolder {
    let url: URL

    init(_ config: TributaryConfig) {
        let path = config.string("state_dir")
        url = path.hasPrefix("/") ? URL(fileURLWithPath: path)
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path).standardizedFileURL
    }

    var kafka: URL { url.appendingPathComponent("kafka") }
    var prometheus: URL { url.appendingPathComponent("prometheus") }
    /// `host:port pid` of the embedded broker while a stack runs.
    var brokerAddressFile: URL { url.appendingPathComponent("broker") }
    var lockFile: URL { url.appendingPathComponent("lock") }

    func writeBrokerAddress(_ bootstrap: String) throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try "\(bootstrap) \(ProcessInfo.processInfo.processIdentifier)\n".write(to: brokerAddressFile, atomically: true, encoding: .utf8)
    }

    /// The embedded broker's address when the process that wrote it is still alive.
    func brokerAddress() -> String? {
        guard let text = try? String(contentsOf: brokerAddressFile, encoding: .utf8) else { return nil }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count == 2, let pid = Int32(parts[1]), kill(pid, 0) == 0 else { return nil }
        return String(parts[0])
    }

    func removeBrokerAddress() { try? FileManager.default.removeItem(at: brokerAddressFile) }

    /// Takes the folder for this process (`tributary up` or `tributary broker`): refuses when
    /// another live process holds it, naming its pid. The lock is an `flock` on `lock`, so
    /// the kernel releases it whatever ends the holder; the file keeps the holder's pid,
    /// emptied on a clean stop, so a run after a crash says so.
    func lock(command: String, logger: Logger) throws -> StateLock {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let fd = open(lockFile.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StateFolderError("cannot open \(lockFile.path): \(String(cString: strerror(errno)))") }
        let previous = Self.read(fd)
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            let holder = previous.isEmpty ? "another process" : previous
            throw StateFolderError("""
                the state folder \(url.path) is in use by \(holder); stop it first, \
                or give this one another folder (state_dir, TRIBUTARY_STATE_DIR)
                """)
        }
        if !previous.isEmpty {
            logger.warning("the previous run on this state folder did not stop cleanly; recovering its state",
                           metadata: ["previous": "\(previous)", "folder": "\(url.path)"])
        }
        let lock = StateLock(fd: fd)
        lock.write("tributary \(command) (pid \(getpid()))")
        return lock
    }

    private static func read(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return "" }
        return String(decoding: buffer[..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The held state-folder lock; `release()` marks a clean stop.
final class StateLock: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    private var released = false

    init(fd: Int32) { self.fd = fd }

    func write(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, bytes, bytes.count, 0)
    }

    /// Empties the file (a clean stop) and lets the folder go.
    func release() {
        lock.withLock {
            guard !released else { return }
            released = true
            _ = ftruncate(fd, 0)
            close(fd)
        }
    }

    deinit { release() }
}

struct StateFolderError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

import Foundation

/// Where the writer puts bytes: memory, a file, or an upload buffer.
public protocol ParquetSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

/// Collects the file in memory.
public final class MemorySink: ParquetSink {
    public private(set) var data: [UInt8] = []
    public init() {}
    public func write(_ bytes: UnsafeRawBufferPointer) throws { data.append(contentsOf: bytes) }
}

/// Writes to a file (created or truncated).
public final class FileSink: ParquetSink {
    private let fd: Int32
    private var closed = false
    public let path: String

    public init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ParquetError(.io, "cannot create \(path): \(String(cString: strerror(errno)))") }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = Foundation.write(fd, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw ParquetError(.io, "write to \(path) failed: \(String(cString: strerror(errno)))")
            }
            p += n
            left -= n
        }
    }

    /// Flushes to disk (optional) and closes the file.
    public func close(sync: Bool = false) throws {
        guard !closed else { return }
        closed = true
        if sync && fsync(fd) != 0 { throw ParquetError(.io, "fsync \(path) failed") }
        guard Foundation.close(fd) == 0 else { throw ParquetError(.io, "close \(path) failed") }
    }

    deinit { if !closed { _ = Foundation.close(fd) } }
}

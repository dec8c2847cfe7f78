import Foundation

/// Random-access input for the reader: only ranged reads, so object storage can back it.
public protocol ParquetSource: Sendable {
    /// Total size in bytes.
    var size: Int { get }
    /// Reads exactly `length` bytes at `offset` (callers keep within `size`).
    func read(offset: Int, length: Int) throws -> [UInt8]
}

/// An in-memory file.
public struct MemorySource: ParquetSource {
    public let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ data: Data) { self.bytes = [UInt8](data) }
    public var size: Int { bytes.count }
    public func read(offset: Int, length: Int) throws -> [UInt8] {
        guard offset >= 0, length >= 0, offset <= bytes.count - length else {
            throw ParquetError(.corrupt, "read of \(length) bytes at \(offset) past the end of a \(bytes.count)-byte file")
        }
        return Array(bytes[offset..<offset + length])
    }
}

/// A local file read with `pread`.
public final class FileSource: ParquetSource {
    private let fd: Int32
    public let size: Int
    public let path: String

    public init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ParquetError(.io, "cannot open \(path): \(String(cString: strerror(errno)))") }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            _ = close(fd)
            throw ParquetError(.io, "cannot stat \(path)")
        }
        size = Int(st.st_size)
    }

    deinit { _ = close(fd) }

    public func read(offset: Int, length: Int) throws -> [UInt8] {
        guard offset >= 0, length >= 0, offset <= size - length else {
            throw ParquetError(.corrupt, "read of \(length) bytes at \(offset) past the end of \(path) (\(size) bytes)")
        }
        if length == 0 { return [] }
        return try [UInt8](unsafeUninitializedCapacity: length) { buf, n in
            guard let base = buf.baseAddress else { throw ParquetError(.io, "allocation failed") }
            var done = 0
            while done < length {
                let r = pread(fd, base + done, length - done, off_t(offset + done))
                if r < 0 && errno == EINTR { continue }
                guard r > 0 else { throw ParquetError(.io, "read of \(path) failed at \(offset + done)") }
                done += r
            }
            n = length
        }
    }
}

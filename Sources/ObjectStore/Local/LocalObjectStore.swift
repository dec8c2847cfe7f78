import Foundation
#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

/// An object store in a local folder: key `a/b/c` is the file `ROOT/a/b/c`.
///
/// Every write goes to a temporary file in the target's folder, is fsynced, then renamed
/// into place (or hard-linked, for ``putIfAbsent(_:_:)``, which fails atomically when the
/// name exists), and the folder is fsynced: a reader never sees a partial object, and a
/// completed write survives a crash. Temporary files are hidden from listings.
public final class LocalObjectStore: ObjectStore {
    /// The folder holding the objects (absolute).
    public let root: URL
    /// Keys per listing page.
    public let pageSize: Int

    /// Name prefix of in-progress temporary files; keys using it are refused.
    static let temporaryPrefix = ".tributary-tmp-"

    /// Opens (and with `create`, creates) the folder `root`.
    public init(root: URL, create: Bool = true, pageSize: Int = 1000) throws {
        let absolute = root.standardizedFileURL.absoluteURL
        self.root = absolute
        self.pageSize = max(1, pageSize)
        if create {
            do {
                try FileManager.default.createDirectory(at: absolute, withIntermediateDirectories: true)
            } catch {
                throw ObjectStoreError.failed(key: nil, backend: "file://\(absolute.path)", message: "cannot create folder: \(error)")
            }
        }
    }

    public var backendDescription: String { "file://\(root.path)" }

    // MARK: paths

    private func path(for key: String) throws -> String {
        try ObjectKey.validate(key, backend: backendDescription)
        if key.split(separator: "/").contains(where: { $0.hasPrefix(Self.temporaryPrefix) }) {
            throw ObjectStoreError.invalidKey(
                key: key, backend: backendDescription, reason: "'\(Self.temporaryPrefix)' names are reserved")
        }
        return root.path + "/" + key
    }

    private func failure(_ key: String?, _ what: String, _ code: Int32 = errno) -> ObjectStoreError {
        .failed(key: key, backend: backendDescription, message: "\(what): \(String(cString: strerror(code)))")
    }

    // MARK: reads

    public func get(_ key: String) async throws -> Data {
        let path = try path(for: key)
        return try readFile(key: key, path: path, range: nil)
    }

    public func get(_ key: String, range: Range<Int>) async throws -> Data {
        let path = try path(for: key)
        return try readFile(key: key, path: path, range: range)
    }

    private func readFile(key: String, path: String, range: Range<Int>?) throws -> Data {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw ObjectStoreError.notFound(key: key, backend: backendDescription) }
            throw failure(key, "open")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw failure(key, "fstat") }
        // A folder is an inner node of the key space, not an object.
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw ObjectStoreError.notFound(key: key, backend: backendDescription) }
        let size = Int(st.st_size)
        var start = 0, end = size
        if let range {
            guard range.lowerBound >= 0, range.lowerBound < size else {
                throw ObjectStoreError.invalidRange(key: key, backend: backendDescription, range: range, size: size)
            }
            start = range.lowerBound
            end = min(range.upperBound, size)
        }
        var data = Data(count: end - start)
        var done = 0
        let total = end - start
        try data.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            while done < total {
                let n = pread(fd, base + done, total - done, off_t(start + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw failure(key, "read")
                }
                if n == 0 { break }  // Cannot happen for a file renamed in whole; be safe anyway.
                done += n
            }
        }
        if done < total { data.count = done }
        return data
    }

    public func head(_ key: String) async throws -> ObjectInfo {
        let path = try path(for: key)
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw ObjectStoreError.notFound(key: key, backend: backendDescription) }
            throw failure(key, "stat")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw ObjectStoreError.notFound(key: key, backend: backendDescription) }
        return Self.info(key: key, st)
    }

    /// The etag is the inode, size and change time: every write creates a new file (new
    /// inode), so it changes whenever the content does, without reading the file.
    private static func info(key: String, _ st: stat) -> ObjectInfo {
        let mtime = Date(timeIntervalSince1970: Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9)
        let etag = String(UInt64(st.st_ino), radix: 16) + "-" + String(Int64(st.st_size), radix: 16)
            + "-" + String(Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec), radix: 16)
        return ObjectInfo(key: key, size: Int(st.st_size), etag: etag, lastModified: mtime)
    }

    // MARK: writes

    public func put(_ key: String, _ data: Data) async throws {
        let path = try path(for: key)
        let temp = try await writeTemporary(key: key, path: path) { write in try write(data) }
        try commit(key: key, temp: temp, path: path, exclusive: false)
    }

    public func putIfAbsent(_ key: String, _ data: Data) async throws {
        let path = try path(for: key)
        // Cheap early answer; the link below is what decides.
        if access(path, F_OK) == 0 { throw ObjectStoreError.alreadyExists(key: key, backend: backendDescription) }
        let temp = try await writeTemporary(key: key, path: path) { write in try write(data) }
        try commit(key: key, temp: temp, path: path, exclusive: true)
    }

    public func putStreaming(_ key: String, chunks: ObjectChunkSequence) async throws {
        let path = try path(for: key)
        let temp = try await writeTemporary(key: key, path: path) { write in
            for try await chunk in chunks { try write(chunk) }
        }
        try commit(key: key, temp: temp, path: path, exclusive: false)
    }

    /// Writes a complete, fsynced temporary file next to `path` and returns its path.
    private func writeTemporary(key: String, path: String, body: ((Data) throws -> Void) async throws -> Void) async throws -> String {
        let file = try TemporaryFile(store: self, key: key, path: path)
        do {
            try await body { try file.write($0) }
            try file.finish()
        } catch {
            file.discard()
            throw error
        }
        return file.path
    }

    /// Moves the finished temporary file to `path`: rename (replace) or link (create only).
    private func commit(key: String, temp: String, path: String, exclusive: Bool) throws {
        defer { if exclusive { unlink(temp) } }
        if exclusive {
            // link() fails with EEXIST if the name exists: the atomic create we need.
            if link(temp, path) != 0 {
                let code = errno
                if code == EEXIST { throw ObjectStoreError.alreadyExists(key: key, backend: backendDescription) }
                unlink(temp)
                throw failure(key, "link", code)
            }
        } else if rename(temp, path) != 0 {
            let code = errno
            unlink(temp)
            throw failure(key, "rename", code)
        }
        try syncFolder(key: key, (path as NSString).deletingLastPathComponent)
    }

    fileprivate func syncFolder(key: String, _ folder: String) throws {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(key, "open folder") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw failure(key, "fsync folder") }
    }

    fileprivate func makeFolders(key: String, _ folder: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ObjectStoreError.failed(key: key, backend: backendDescription, message: "cannot create folder \(folder): \(error)")
        }
    }

    fileprivate func openTemporary(key: String, folder: String) throws -> (Int32, String) {
        // A concurrent delete may remove an emptied folder between mkdir and open: retry.
        for _ in 0..<5 {
            try makeFolders(key: key, folder)
            let temp = folder + "/" + Self.temporaryPrefix + UUID().uuidString
            let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 { return (fd, temp) }
            if errno != ENOENT { throw failure(key, "create temporary file") }
        }
        throw failure(key, "create temporary file", ENOENT)
    }

    // MARK: list and delete

    public func list(prefix: String, delimiter: String?) -> ObjectListing {
        let root = root.path, pageSize = pageSize
        return ObjectListing { token in
            // Walk only the deepest folder the prefix names.
            let folder = prefix.range(of: "/", options: .backwards).map { String(prefix[..<$0.lowerBound]) } ?? ""
            var objects: [ObjectInfo] = []
            Self.walk(root: root, relative: folder, prefix: prefix, into: &objects)
            objects.sort(by: LocalListing.keyOrder)
            return LocalListing.page(
                sortedObjects: objects, prefix: prefix, delimiter: delimiter, token: token, pageSize: pageSize)
        }
    }

    private static func walk(root: String, relative: String, prefix: String, into objects: inout [ObjectInfo]) {
        let folder = relative.isEmpty ? root : root + "/" + relative
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where !name.hasPrefix(temporaryPrefix) {
            let key = relative.isEmpty ? name : relative + "/" + name
            var st = stat()
            guard lstat(folder + "/" + name, &st) == 0 else { continue }  // Deleted meanwhile.
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                // Descend only where keys can still match the prefix.
                let inner = key + "/"
                if inner.hasPrefix(prefix) || prefix.hasPrefix(inner) {
                    walk(root: root, relative: key, prefix: prefix, into: &objects)
                }
            case S_IFREG:
                if key.hasPrefix(prefix), ObjectKey.problem(with: key) == nil {
                    objects.append(info(key: key, st))
                }
            default:
                continue
            }
        }
    }

    public func delete(_ keys: [String]) async throws {
        for key in keys {
            let path = try path(for: key)
            if unlink(path) != 0 {
                if errno == ENOENT || errno == ENOTDIR || errno == EISDIR { continue }
                throw failure(key, "unlink")
            }
            removeEmptyFolders(above: path)
        }
    }

    /// Removes folders left empty by a delete, up to the root, so the tree does not fill
    /// with empty folders. rmdir refuses non-empty folders, which ends the climb.
    private func removeEmptyFolders(above path: String) {
        var folder = (path as NSString).deletingLastPathComponent
        while folder.count > root.path.count, folder.hasPrefix(root.path) {
            if rmdir(folder) != 0 { return }
            folder = (folder as NSString).deletingLastPathComponent
        }
    }
}

/// A temporary file being written next to its final path.
private final class TemporaryFile {
    let store: LocalObjectStore
    let key: String
    let folder: String
    let path: String
    private var fd: Int32

    init(store: LocalObjectStore, key: String, path: String) throws {
        self.store = store
        self.key = key
        folder = (path as NSString).deletingLastPathComponent
        (fd, self.path) = try store.openTemporary(key: key, folder: folder)
    }

    func write(_ data: Data) throws {
        try data.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var done = 0
            while done < buffer.count {
                let n = systemWrite(fd, base + done, buffer.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ObjectStoreError.failed(key: key, backend: store.backendDescription,
                                                  message: "write: \(String(cString: strerror(errno)))")
                }
                done += n
            }
        }
    }

    /// fsync and close: the bytes are on disk before the file gets its name.
    func finish() throws {
        defer { close(fd); fd = -1 }
        guard fsync(fd) == 0 else {
            throw ObjectStoreError.failed(key: key, backend: store.backendDescription,
                                          message: "fsync: \(String(cString: strerror(errno)))")
        }
    }

    func discard() {
        if fd >= 0 { close(fd); fd = -1 }
        unlink(path)
    }
}

import Foundation
import Logging
import TributaryCore
#if canImport(Glibc)
import Glibc
#endif

/// The durable embedded broker's folder (`<state folder>/kafka`): SeaweedFS's data, the
/// ports and S3 key it last used, the pids of its processes, their logs, and a `FORMAT`
/// file that says which layout the folder has.
///
/// Opening it never empties it: a folder of another layout or with its data gone is
/// refused with what to do; processes left running by a crashed run are stopped first.
public struct BrokerFolder: Sendable {
    /// The layout this version writes and reads.
    public static let format = 1
    static let magic = "tributary-embedded-kafka"
    static let bucket = "tansu"

    public let root: URL
    var data: URL { root.appendingPathComponent("seaweedfs") }
    var formatFile: URL { root.appendingPathComponent("FORMAT") }
    var portsFile: URL { root.appendingPathComponent("ports.json") }
    var credentialsFile: URL { root.appendingPathComponent("credentials") }
    var pidsFile: URL { root.appendingPathComponent("pids") }
    /// Written once the broker first served: from then on the data folder must be there.
    var servedFile: URL { root.appendingPathComponent("served") }
    public var brokerLog: URL { root.appendingPathComponent("tansu.log") }
    public var storageLog: URL { root.appendingPathComponent("seaweedfs.log") }

    /// Checks (or creates) the folder; stops processes a crashed run left behind.
    public static func open(_ root: URL, logger: Logger) throws -> BrokerFolder {
        let folder = BrokerFolder(root: root)
        let fm = FileManager.default
        let entries = (try? fm.contentsOfDirectory(atPath: root.path)) ?? []
        if entries.isEmpty {
            try fm.createDirectory(at: root, withIntermediateDirectories: true)
            try "\(magic)\nformat: \(format)\nstorage: Tansu (s3://\(bucket)/) on SeaweedFS in seaweedfs/\n"
                .write(to: folder.formatFile, atomically: true, encoding: .utf8)
            logger.info("new embedded broker storage", metadata: ["folder": "\(root.path)"])
            return folder
        }
        try folder.checkFormat()
        if fm.fileExists(atPath: folder.servedFile.path),
           ((try? fm.contentsOfDirectory(atPath: folder.data.path)) ?? []).isEmpty {
            throw BrokerFolderError("""
                the embedded broker's data folder \(folder.data.path) is missing or empty, but the broker kept its log there before: \
                its topics and consumer-group offsets are gone. Restore the folder, or remove \(root.path) to start with an empty broker.
                """)
        }
        folder.stopLeftovers(logger: logger)
        return folder
    }

    private func checkFormat() throws {
        guard let text = try? String(contentsOf: formatFile, encoding: .utf8) else {
            throw BrokerFolderError("""
                \(root.path) holds files Tributary did not write (no FORMAT file); it is left untouched. \
                Move it away, or set state_dir to another folder.
                """)
        }
        let lines = text.split(separator: "\n")
        let found = lines.first { $0.hasPrefix("format:") }.flatMap { Int($0.dropFirst("format:".count).trimmingCharacters(in: .whitespaces)) }
        guard lines.first.map(String.init) == Self.magic, let found else {
            throw BrokerFolderError("\(formatFile.path) is not a Tributary broker folder's FORMAT file; the folder is left untouched. Move it away, or set state_dir to another folder.")
        }
        guard found == Self.format else {
            throw BrokerFolderError("""
                \(root.path) was written by \(found > Self.format ? "a newer" : "an older") Tributary (broker folder format \(found); \
                this one reads format \(Self.format)); it is left untouched. Run the version that wrote it, or move the folder away to start with an empty broker.
                """)
        }
    }

    /// Processes of a run that died without stopping them (their parent-death signal
    /// should have): killed, and waited for, since SeaweedFS locks its data folder. A pid
    /// counts only with the start time recorded with it (pids are reused).
    private func stopLeftovers(logger: Logger) {
        guard let text = try? String(contentsOf: pidsFile, encoding: .utf8) else { return }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 3, let pid = Int32(parts[1]), Self.isAlive(pid),
                  Self.startTime(pid) == String(parts[2]) else { continue }
            logger.warning("a previous run left \(parts[0]) running; stopping it", metadata: ["pid": "\(pid)"])
            kill(pid, SIGKILL)
            let deadline = Date().addingTimeInterval(10)
            while Self.isAlive(pid) && Date() < deadline { usleep(20_000) }
        }
    }

    /// The fields of /proc/PID/stat after the command name ("S ppid ...").
    static func statFields(_ pid: Int32) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ")
    }

    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        // A zombie (dead, not yet reaped) counts as gone.
        return statFields(pid)?.first != "Z"
    }

    /// The process's start time in clock ticks since boot (field 22 of /proc/PID/stat).
    static func startTime(_ pid: Int32) -> String? {
        guard let fields = statFields(pid), fields.count > 19 else { return nil }
        return String(fields[19])
    }

    /// The ports used last time when they are all free now (and `fresh` is false), else new
    /// ones (saved).
    func ports(logger: Logger, fresh: Bool = false) throws -> (kafka: Int, storage: SeaweedFSServer.Ports) {
        struct Saved: Codable {
            var kafka: Int
            var storage: SeaweedFSServer.Ports
        }
        if let data = FileManager.default.contents(atPath: portsFile.path),
           let saved = try? JSONDecoder().decode(Saved.self, from: data), !fresh {
            if LoopbackPorts.isFree(saved.kafka) && saved.storage.areFree { return (saved.kafka, saved.storage) }
            logger.info("the embedded broker's previous ports are taken; using new ones", metadata: ["previous_kafka_port": "\(saved.kafka)"])
        }
        var kafka = try LoopbackPorts.free()
        let storage = try SeaweedFSServer.Ports.pick()
        while storage.all.contains(kafka) { kafka = try LoopbackPorts.free() }
        try JSONEncoder().encode(Saved(kafka: kafka, storage: storage)).write(to: portsFile, options: .atomic)
        return (kafka, storage)
    }

    /// The S3 identity of this folder's SeaweedFS (made once, readable only by its owner).
    func credentials() throws -> (accessKey: String, secretKey: String) {
        if let text = try? String(contentsOf: credentialsFile, encoding: .utf8) {
            let parts = text.split(whereSeparator: \.isWhitespace)
            if parts.count == 2 { return (String(parts[0]), String(parts[1])) }
        }
        let key = "tributary", secret = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        _ = FileManager.default.createFile(atPath: credentialsFile.path, contents: Data("\(key) \(secret)\n".utf8),
                                           attributes: [.posixPermissions: 0o600])
        return (key, secret)
    }

    /// Remembers the running processes (for `stopLeftovers` after a crash).
    func record(pids: [(String, Int32?)]) {
        let text = pids.compactMap { name, pid in
            pid.flatMap { pid in Self.startTime(pid).map { "\(name) \(pid) \($0)" } }
        }.joined(separator: "\n") + "\n"
        try? text.write(to: pidsFile, atomically: true, encoding: .utf8)
    }

    func markServed() {
        if !FileManager.default.fileExists(atPath: servedFile.path) {
            _ = FileManager.default.createFile(atPath: servedFile.path, contents: Data())
        }
    }
}

/// A broker folder that cannot be used as it is (the message says why and what to do).
public struct BrokerFolderError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

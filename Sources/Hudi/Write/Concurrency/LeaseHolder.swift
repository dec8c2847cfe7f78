import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who holds a lease: enough to name it in an error, and, on the same machine, to tell
/// whether that process (and that table object in it) still exists.
public struct LeaseHolder: Sendable, Equatable, Codable, CustomStringConvertible {
    public var host: String
    public var pid: Int32
    /// Start time of the process in clock ticks since boot (`/proc/<pid>/stat` field 22):
    /// tells a reused pid apart. Empty where unknown.
    public var processStart: String
    /// Kernel boot id and pid namespace: pids are only comparable within both. Empty
    /// where unknown (then a holder is never judged gone, only expired).
    public var machine: String
    /// One per lease object (one per `HudiTable`).
    public var instance: String

    public var description: String { "pid \(pid) on \(host) (writer \(instance.prefix(8)))" }

    /// This process, as a new holder.
    public static func current() -> LeaseHolder {
        LeaseHolder(host: LocalProcess.hostName, pid: LocalProcess.pid, processStart: LocalProcess.ownStart,
                    machine: LocalProcess.machine, instance: UUID().uuidString.lowercased())
    }

    /// True only when the holder is certainly gone: a process of this machine that no longer
    /// runs (or whose pid now belongs to a newer process), or a table object of this process
    /// that released its lease or was deallocated. A holder on another machine is never
    /// judged gone (only its expiry counts).
    public var isGone: Bool {
        guard !machine.isEmpty, machine == LocalProcess.machine, host == LocalProcess.hostName else { return false }
        if pid == LocalProcess.pid {
            if processStart == LocalProcess.ownStart { return !LiveLeases.shared.contains(instance) }
            return true  // an earlier process that had our pid
        }
        guard let (state, start) = LocalProcess.stat(pid) else { return true }  // no such process
        return state == "Z" || state == "X" || start != processStart
    }
}

/// Facts about processes of this machine, from `/proc` (Linux).
enum LocalProcess {
    static let pid: Int32 = getpid()
    static let hostName: String = ProcessInfo.processInfo.hostName
    static let ownStart: String = stat(getpid())?.start ?? ""
    static let machine: String = {
        guard let boot = try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8) else { return "" }
        let namespace = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/pid")) ?? ""
        return boot.trimmingCharacters(in: .whitespacesAndNewlines) + "/" + namespace
    }()

    /// State letter and start time of a process, nil when it does not exist.
    static func stat(_ pid: Int32) -> (state: String, start: String)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // After "pid (comm)": field 3 (state) is index 0, field 22 (starttime) is index 19.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19 else { return nil }
        return (String(fields[0]), String(fields[19]))
    }
}

/// Lease instances alive in this process, so a lease left behind by a released or
/// deallocated table object of this process can be taken over at once.
final class LiveLeases: @unchecked Sendable {
    static let shared = LiveLeases()
    private let lock = NSLock()
    private var instances: Set<String> = []

    func insert(_ instance: String) {
        lock.lock()
        defer { lock.unlock() }
        instances.insert(instance)
    }

    func remove(_ instance: String) {
        lock.lock()
        defer { lock.unlock() }
        instances.remove(instance)
    }

    func contains(_ instance: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return instances.contains(instance)
    }
}

import Foundation

/// The state of an instant on the timeline.
public enum InstantState: String, Sendable, Comparable {
    case requested, inflight, completed

    private var rank: Int { self == .requested ? 0 : self == .inflight ? 1 : 2 }
    public static func < (a: InstantState, b: InstantState) -> Bool { a.rank < b.rank }
}

/// One timeline entry: `<timestamp>.<action>[.<state>]` (layout 1) or, completed in layout 2,
/// `<timestamp>_<completionTime>.<action>`.
public struct Instant: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Requested time, `yyyyMMddHHmmssSSS`.
    public var timestamp: String
    /// `commit`, `replacecommit`, `deltacommit`, `clean`, `rollback`, ...
    public var action: String
    public var state: InstantState
    /// Layout 2 completion time, when the file name carries one.
    public var completionTime: String?

    public init(timestamp: String, action: String, state: InstantState, completionTime: String? = nil) {
        self.timestamp = timestamp
        self.action = action
        self.state = state
        self.completionTime = completionTime
    }

    public static func < (a: Instant, b: Instant) -> Bool {
        (a.timestamp, a.state, a.action) < (b.timestamp, b.state, b.action)
    }

    /// Actions whose completed instants make data visible.
    public var isDataCommit: Bool { ["commit", "replacecommit", "deltacommit"].contains(action) }

    /// File name in layout 1 (`.hoodie/`): inflight commits are `<t>.inflight`.
    public var fileName: String {
        switch state {
        case .completed:
            if let completionTime { return "\(timestamp)_\(completionTime).\(action)" }
            return "\(timestamp).\(action)"
        case .inflight:
            return action == "commit" && completionTime == nil ? "\(timestamp).inflight" : "\(timestamp).\(action).inflight"
        case .requested:
            return "\(timestamp).\(action).requested"
        }
    }

    public var description: String { "\(timestamp) \(action) \(state.rawValue)" }

    /// Parses a timeline file name; nil for anything that is not an instant
    /// (`hoodie.properties`, folders, `.crc` files, ...).
    public static func parse(fileName: String) -> Instant? {
        guard !fileName.hasPrefix("."), !fileName.hasSuffix(".crc") else { return nil }
        let parts = fileName.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2 else { return nil }
        var stamp = parts[0]
        var completion: String?
        if let u = stamp.firstIndex(of: "_") {
            completion = String(stamp[stamp.index(after: u)...])
            stamp = String(stamp[..<u])
        }
        guard isTimestamp(stamp), completion.map(isTimestamp) ?? true else { return nil }
        switch parts.count {
        case 2:
            if parts[1] == "inflight" { return Instant(timestamp: stamp, action: "commit", state: .inflight) }
            return Instant(timestamp: stamp, action: parts[1], state: .completed, completionTime: completion)
        case 3:
            guard let state = InstantState(rawValue: parts[2]), state != .completed else { return nil }
            return Instant(timestamp: stamp, action: parts[1], state: state)
        default:
            return nil
        }
    }

    /// 17-digit (`yyyyMMddHHmmssSSS`) or legacy 14-digit instant times.
    static func isTimestamp(_ s: String) -> Bool {
        (s.count == 17 || s.count == 14) && s.allSatisfy { $0.isASCII && $0.isNumber }
    }
}

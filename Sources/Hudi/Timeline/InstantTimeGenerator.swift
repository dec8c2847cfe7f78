import Foundation
import TributaryCore

/// Generates instant times `yyyyMMddHHmmssSSS` in UTC that are strictly increasing: never
/// at or below the last one handed out or seen on the timeline, even when the clock goes
/// back or two commits fall into one millisecond.
public final class InstantTimeGenerator: @unchecked Sendable {
    private let lock = NSLock()
    private var lastMillis: Int64 = 0
    private let clock: @Sendable () -> Date

    public init(clock: @escaping @Sendable () -> Date = { Date() }) {
        self.clock = clock
    }

    /// Makes the next instant greater than `floor` (the newest instant on the timeline).
    public func next(after floor: String? = nil) -> String {
        lock.lock()
        defer { lock.unlock() }
        var millis = Int64((clock().timeIntervalSince1970 * 1000).rounded(.down))
        if let floor, let f = Self.millis(of: floor) { lastMillis = max(lastMillis, f) }
        if millis <= lastMillis { millis = lastMillis + 1 }
        lastMillis = millis
        return Self.format(millis: millis)
    }

    /// `yyyyMMddHHmmssSSS` in UTC for epoch milliseconds.
    public static func format(millis: Int64) -> String {
        let days = Int64((Double(millis) / 86_400_000).rounded(.down))
        let msOfDay = millis - days * 86_400_000
        let (y, m, d) = CivilDate.date(days: days)
        func p(_ v: Int64, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return p(y, 4) + p(Int64(m), 2) + p(Int64(d), 2) + p(msOfDay / 3_600_000, 2)
            + p(msOfDay / 60_000 % 60, 2) + p(msOfDay / 1000 % 60, 2) + p(msOfDay % 1000, 3)
    }

    /// Epoch milliseconds of an instant time (14 or 17 digits, UTC); nil if malformed.
    public static func millis(of instant: String) -> Int64? {
        guard Instant.isTimestamp(instant) else { return nil }
        let c = Array(instant.utf8).map { Int64($0 - 48) }
        func n(_ r: Range<Int>) -> Int64 { r.reduce(0) { $0 * 10 + c[$1] } }
        let y = n(0..<4), mo = n(4..<6), d = n(6..<8), h = n(8..<10), mi = n(10..<12), s = n(12..<14)
        let ms = c.count == 17 ? n(14..<17) : 0
        guard (1...12).contains(mo), (1...31).contains(d) else { return nil }
        let days = CivilDate.days(year: y, month: Int(mo), day: Int(d))
        return ((days * 24 + h) * 60 + mi) * 60_000 + s * 1000 + ms
    }

}

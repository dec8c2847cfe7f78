import Foundation
import Synchronization

/// Message rates of topics from the change of their watermarks between two looks (the
/// topic pages refresh themselves, so a rate appears on the second look).
final class TopicRates: Sendable {
    private struct Look { var time: ContinuousClock.Instant; var total: Int64; var rate: Double? }
    private let looks = Mutex<[String: Look]>([:])

    /// Messages per second since the previous look at `topic` (nil on the first look, or
    /// after ten minutes without one); looks closer than half a second apart repeat the
    /// last rate.
    func rate(_ topic: String, total: Int64) -> Double? {
        let now = ContinuousClock.now
        return looks.withLock { seen in
            guard let previous = seen[topic] else {
                seen[topic] = Look(time: now, total: total, rate: nil)
                return nil
            }
            let elapsed = previous.time.duration(to: now)
            if elapsed < .milliseconds(500) { return previous.rate }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let rate: Double? = elapsed <= .seconds(600) ? max(0, Double(total - previous.total) / seconds) : nil
            seen[topic] = Look(time: now, total: total, rate: rate)
            return rate
        }
    }
}

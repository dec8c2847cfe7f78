/// The recent values of the series the alert rules read, one snapshot per evaluation,
/// kept for the longest window a rule looks back over. Functions mirror the PromQL the
/// rules are written in (`rate`, `increase`, `deriv`, latest value), without
/// Prometheus's extrapolation.
public struct MetricHistory: Sendable {
    public typealias Labels = [String: String]

    struct Key: Hashable, Sendable {
        var name: String
        var labels: Labels
    }

    struct Snapshot: Sendable {
        var time: Double
        var values: [Key: Double]
    }

    private(set) var snapshots: [Snapshot] = []
    /// Seconds of history kept.
    public let retention: Double
    /// Series names kept (nil: all).
    let names: Set<String>?

    public init(retention: Double, names: Set<String>? = nil) {
        self.retention = retention
        self.names = names
    }

    public mutating func record(_ samples: [MetricSample], at time: Double) {
        var values: [Key: Double] = [:]
        for s in samples where names?.contains(s.name) ?? true {
            values[Key(name: s.name, labels: s.labels)] = s.value
        }
        snapshots.append(Snapshot(time: time, values: values))
        let horizon = time - retention
        if let keep = snapshots.firstIndex(where: { $0.time >= horizon }), keep > 0 {
            snapshots.removeFirst(keep)
        }
    }

    public var latestTime: Double? { snapshots.last?.time }

    /// The latest value of every series of `name`, grouped by `by` with `combine`.
    public func latest(_ name: String, by: [String], combine: (Double, Double) -> Double = max) -> [Labels: Double] {
        guard let last = snapshots.last else { return [:] }
        var out: [Labels: Double] = [:]
        for (key, value) in last.values where key.name == name {
            let group = project(key.labels, by)
            out[group] = out[group].map { combine($0, value) } ?? value
        }
        return out
    }

    /// `sum by (by) (increase(name[window]))`: counter increase (resets counted from
    /// zero) of series with at least two samples in the window.
    public func increase(_ name: String, window: Double, by: [String]) -> [Labels: Double] {
        perSeries(name, window: window, by: by) { points in
            var total = 0.0
            for (a, b) in zip(points, points.dropFirst()) { total += b.1 >= a.1 ? b.1 - a.1 : b.1 }
            return total
        }
    }

    /// `sum by (by) (rate(name[window]))`, per second.
    public func rate(_ name: String, window: Double, by: [String]) -> [Labels: Double] {
        perSeries(name, window: window, by: by) { points in
            guard let first = points.first, let last = points.last, last.0 > first.0 else { return nil }
            var total = 0.0
            for (a, b) in zip(points, points.dropFirst()) { total += b.1 >= a.1 ? b.1 - a.1 : b.1 }
            return total / (last.0 - first.0)
        }
    }

    /// `sum by (by) (deriv(name[window]))`: least-squares slope per second of a gauge.
    public func deriv(_ name: String, window: Double, by: [String]) -> [Labels: Double] {
        perSeries(name, window: window, by: by) { points in
            let n = Double(points.count)
            let mt = points.reduce(0) { $0 + $1.0 } / n, mv = points.reduce(0) { $0 + $1.1 } / n
            var num = 0.0, den = 0.0
            for (t, v) in points {
                num += (t - mt) * (v - mv)
                den += (t - mt) * (t - mt)
            }
            return den > 0 ? num / den : nil
        }
    }

    /// Applies `f` to each series' points in the window (two or more) and sums by group.
    private func perSeries(_ name: String, window: Double, by: [String],
                           _ f: ([(Double, Double)]) -> Double?) -> [Labels: Double] {
        guard let now = snapshots.last?.time else { return [:] }
        var points: [Labels: [(Double, Double)]] = [:]
        for snapshot in snapshots where snapshot.time >= now - window {
            for (key, value) in snapshot.values where key.name == name {
                points[key.labels, default: []].append((snapshot.time, value))
            }
        }
        var out: [Labels: Double] = [:]
        for (labels, series) in points where series.count >= 2 {
            guard let value = f(series) else { continue }
            out[project(labels, by), default: 0] += value
        }
        return out
    }

    private func project(_ labels: Labels, _ by: [String]) -> Labels {
        labels.filter { by.contains($0.key) }
    }
}

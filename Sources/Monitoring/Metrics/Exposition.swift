/// One sample of the Prometheus text format: `name{labels} value`.
public struct MetricSample: Sendable, Hashable {
    public var name: String
    public var labels: [String: String]
    public var value: Double

    public init(name: String, labels: [String: String] = [:], value: Double) {
        self.name = name
        self.labels = labels
        self.value = value
    }
}

/// Reads the Prometheus text exposition format (what `/metrics` serves) back into
/// samples: the in-process alert rules evaluate over exactly what Prometheus scrapes.
public enum Exposition {
    public static func parse(_ text: String) -> [MetricSample] {
        var samples: [MetricSample] = []
        for line in text.split(whereSeparator: \.isNewline) {
            guard let first = line.first, first != "#" else { continue }
            if let sample = parseLine(line) { samples.append(sample) }
        }
        return samples
    }

    static func parseLine(_ line: Substring) -> MetricSample? {
        var i = line.startIndex
        while i < line.endIndex, line[i] != "{", line[i] != " " { i = line.index(after: i) }
        let name = String(line[line.startIndex..<i])
        guard !name.isEmpty, i < line.endIndex else { return nil }
        var labels: [String: String] = [:]
        if line[i] == "{" {
            i = line.index(after: i)
            while i < line.endIndex, line[i] != "}" {
                if line[i] == "," || line[i] == " " { i = line.index(after: i); continue }
                guard let eq = line[i...].firstIndex(of: "=") else { return nil }
                let key = String(line[i..<eq])
                var j = line.index(after: eq)
                guard j < line.endIndex, line[j] == "\"" else { return nil }
                j = line.index(after: j)
                var value = ""
                while j < line.endIndex, line[j] != "\"" {
                    if line[j] == "\\", line.index(after: j) < line.endIndex {
                        j = line.index(after: j)
                        value.append(line[j] == "n" ? "\n" : line[j])
                    } else {
                        value.append(line[j])
                    }
                    j = line.index(after: j)
                }
                guard j < line.endIndex else { return nil }
                labels[key] = value
                i = line.index(after: j)
            }
            guard i < line.endIndex else { return nil }
            i = line.index(after: i)
        }
        let rest = line[i...].split(separator: " ", omittingEmptySubsequences: true)
        guard let text = rest.first, let value = parseValue(text) else { return nil }
        return MetricSample(name: name, labels: labels, value: value)
    }

    static func parseValue(_ text: Substring) -> Double? {
        switch text {
        case "+Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default: return Double(text)
        }
    }
}

import Foundation

/// Named pauses for crash tests: `TRIBUTARY_FAILPOINTS=after-dead-letters=400,before-commit=200`
/// makes the processor sleep that many milliseconds at those points, so a test's kill -9
/// lands inside the windows that matter. Unset in production: a dictionary lookup.
enum Failpoints {
    static let delays: [String: Int] = {
        guard let text = ProcessInfo.processInfo.environment["TRIBUTARY_FAILPOINTS"] else { return [:] }
        var result: [String: Int] = [:]
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=")
            if parts.count == 2, let ms = Int(parts[1]) { result[String(parts[0])] = ms }
        }
        return result
    }()

    static func pause(_ name: String) async {
        guard let ms = delays[name], ms > 0 else { return }
        try? await Task.sleep(for: .milliseconds(ms))
    }
}

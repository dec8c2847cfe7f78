import MonitoringCore

/// Renders alert rules as a Prometheus rules file. `deploy/prometheus/alerts.yml` is this
/// output for `AlertRules.all` (a test keeps them equal); `tributary up --prometheus`
/// writes it for its Prometheus, optionally with every `for` replaced (tests use `0s`).
public enum AlertRulesFile {
    public static func render(_ rules: [AlertRule] = AlertRules.all, holdFor override: Duration? = nil) -> String {
        var out = """
            # Tributary's alert rules, rendered from Sources/Monitoring/Alerts/AlertRules.swift
            # (`tributary monitoring rules` prints them; MonitoringTests keep this file equal to it).
            # The same rules run in-process: GET /api/alerts and the alerts.webhook_url notifications.
            # Tested with `promtool test rules deploy/prometheus/alerts_test.yml`.
            groups:
              - name: tributary
                rules:

            """
        for rule in rules {
            out += "      - alert: \(rule.name)\n"
            out += "        expr: \(quoted(rule.expression))\n"
            out += "        for: \(duration(override ?? rule.holdFor))\n"
            out += "        labels:\n"
            out += "          severity: \(rule.severity)\n"
            out += "        annotations:\n"
            out += "          summary: \(quoted(rule.summary))\n"
            out += "          description: \(quoted(rule.description))\n"
        }
        return out
    }

    /// YAML single-quoted scalar.
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// Prometheus duration: `2m`, `15m`, `1h`, `30s`, `0s`.
    static func duration(_ d: Duration, millis: Bool = false) -> String {
        let seconds = Int(d.components.seconds)
        if millis, d.components.attoseconds != 0 || seconds == 0 {
            return "\(max(1, Int(d.inSeconds * 1000)))ms"
        }
        if seconds > 0, seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds > 0, seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}

import ArgumentParser
import Foundation
import KafkaClient
import Logging
import Monitoring
import ServiceLifecycle
import Synchronization
import TributaryConfig

/// `tributary up --prometheus`: Debian's Prometheus as a child process, scraping the web
/// app's `/metrics` and evaluating the alert rules.
struct PrometheusOptions: ParsableArguments {
    @Flag(help: "Also start Prometheus (Debian's /usr/bin/prometheus) scraping this stack and loading the alert rules.")
    var prometheus = false
    @Option(name: .customLong("prometheus-port"), help: "Prometheus's port on 127.0.0.1 (default: a free one).")
    var port: Int?
    @Option(name: .customLong("prometheus-interval"), help: "Scrape and rule evaluation interval (default 2s).")
    var interval: String?
    @Option(name: .customLong("prometheus-rule-for"), help: "Replace every alert rule's `for` (e.g. 0s to see alerts at once).")
    var ruleFor: String?

    /// The Prometheus service, which waits for the web app's URL from `webURL`.
    func service(directory: URL, webURL: WebURL, token: String?, logger: Logger) throws -> PrometheusServer? {
        guard prometheus else { return nil }
        let interval = try self.interval.map { try TributaryConfig.parseDuration($0) } ?? .seconds(2)
        var options = PrometheusServer.Options(directory: directory, port: try port ?? EmbeddedBroker.freePort())
        options.ruleHoldFor = try ruleFor.map { try TributaryConfig.parseDuration($0) }
        return PrometheusServer(options: options, logger: logger, target: {
            let url = try await webURL.value()
            guard let parsed = URL(string: url), let host = parsed.host, let port = parsed.port else {
                throw ValidationError("cannot scrape \(url)")
            }
            var config = PrometheusConfig(target: "\(host):\(port)")
            config.bearerToken = token
            config.scrapeInterval = interval
            config.evaluationInterval = interval
            return config
        }, onReady: { url in
            // Unbuffered: scripts and tests wait for this line.
            FileHandle.standardOutput.write(Data("prometheus: \(url)/ (alerts: \(url)/alerts)\n".utf8))
        })
    }
}

/// The web app's URL once it listens, for whoever waits for it (cancellable wait).
final class WebURL: Sendable {
    private let url = Mutex<String?>(nil)

    func set(_ value: String) { url.withLock { $0 = value } }

    func value() async throws -> String {
        while true {
            if let value = url.withLock({ $0 }) { return value }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

import Foundation
import Logging
import ServiceLifecycle

/// Publishes the lake's new Hudi commits to the Iceberg catalog in the background, every
/// `interval` (`catalog.sync_interval`), next to the processor in `tributary up` /
/// `tributary process`. It polls the tables' timelines, so it needs no hook in the writer,
/// and catches up idempotently after a restart or an outage.
///
/// A catalog outage never reaches ingestion: failures are logged once per outage (and
/// when it ends), counted (`tributary_catalog_publish_total{result="error"}`), and the next
/// round comes after a backoff that doubles up to `maxBackoff`. The service ends only on
/// graceful shutdown (a publish in flight is cancelled; catalog commits are atomic).
public final class CatalogSyncService: Service, Sendable {
    public let sync: LakeCatalogSync
    public let interval: Duration
    public let maxBackoff: Duration
    private let logger: Logger
    private let state = RoundState()

    public init(sync: LakeCatalogSync, interval: Duration, maxBackoff: Duration = .seconds(120),
                logger: Logger = Logger(label: "tributary.catalog")) {
        self.sync = sync
        self.interval = interval
        self.maxBackoff = max(maxBackoff, interval)
        self.logger = logger
    }

    /// Counters of the rounds so far (for tests and `/api`).
    public struct Stats: Sendable, Equatable {
        public var rounds = 0
        public var failedRounds = 0
        /// Snapshots published in all.
        public var published = 0
        /// Outages seen (a failed round after a good one or at start).
        public var outages = 0
        /// The last failure, while the outage lasts.
        public var lastError: String?
    }

    public var stats: Stats { get async { await state.stats } }

    public func run() async throws {
        let catalogURI = await sync.catalog.configuration.uri
        logger.info("publishing the lake to the Iceberg catalog", metadata: [
            "catalog": "\(catalogURI)", "namespace": "\(sync.namespace.joined(separator: "."))", "interval": "\(interval)",
        ])
        try? await cancelWhenGracefulShutdown { [self] in
            var failuresInARow = 0
            while !Task.isCancelled {
                let ok = await round(catalogURI: catalogURI)
                failuresInARow = ok ? 0 : failuresInARow + 1
                // After failures: interval, 2×, 4×, … up to maxBackoff.
                let pause = failuresInARow == 0 ? interval : min(interval * (1 << min(failuresInARow - 1, 20)), maxBackoff)
                try await Task.sleep(for: pause)
            }
        }
    }

    /// One pass over every table; true when every table is in the catalog.
    @discardableResult
    public func round(catalogURI: String? = nil) async -> Bool {
        let uri: String
        if let catalogURI { uri = catalogURI } else { uri = await sync.catalog.configuration.uri }
        var failures: [(String, any Error)] = []
        var published = 0
        do {
            for name in try await sync.tableNames() {
                if Task.isCancelled { return false }
                do {
                    let result = try await sync.sync(name, force: false)
                    published += result.published.count
                    if !result.published.isEmpty {
                        logger.info("published to the catalog", metadata: [
                            "table": "\(result.identifier)", "snapshots": "\(result.published.count)",
                            "current": "\(result.catalogInstant ?? "-")",
                        ])
                    }
                    if !result.skipped.isEmpty {
                        logger.warning("Hudi commits completed after a newer one was published were not added",
                                       metadata: ["table": "\(result.identifier)", "instants": "\(result.skipped.joined(separator: ","))"])
                    }
                } catch is CancellationError {
                    return false
                } catch {
                    if Task.isCancelled { return false }
                    failures.append((name, error))
                    // The catalog is out (unreachable, 5xx): the other tables would wait
                    // for the same retries; the next round tries them all again.
                    if let rest = error as? IcebergRESTError, rest.isTransient { break }
                }
            }
        } catch {
            failures.append(("(lake listing)", error))
        }
        let outageStarted = await state.finish(failed: !failures.isEmpty, published: published,
                                               error: failures.first.map { "\($0.0): \($0.1)" })
        if let first = failures.first {
            if outageStarted {
                logger.warning("cannot publish to the Iceberg catalog at \(uri); ingestion goes on, retrying with backoff", metadata: [
                    "table": "\(first.0)", "error": "\(first.1)", "failedTables": "\(failures.count)",
                ])
            } else {
                logger.debug("catalog still failing", metadata: ["table": "\(first.0)", "error": "\(first.1)"])
            }
            return false
        }
        if let downFor = await state.recovered() {
            logger.info("the Iceberg catalog at \(uri) is back; caught up",
                        metadata: ["afterSeconds": "\(String(format: "%.1f", downFor))"])
        }
        return true
    }

    private actor RoundState {
        var stats = Stats()
        var outageSince: Date?
        var recoveredAfter: Double?

        /// Records a round; returns true when it starts an outage.
        func finish(failed: Bool, published: Int, error: String?) -> Bool {
            stats.rounds += 1
            stats.published += published
            if failed {
                stats.failedRounds += 1
                stats.lastError = error
                if outageSince == nil {
                    outageSince = Date()
                    stats.outages += 1
                    return true
                }
                return false
            }
            if let since = outageSince { recoveredAfter = Date().timeIntervalSince(since) }
            outageSince = nil
            stats.lastError = nil
            return false
        }

        func recovered() -> Double? {
            defer { recoveredAfter = nil }
            return recoveredAfter
        }
    }
}

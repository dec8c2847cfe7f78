import Catalog
import CatalogTesting
import Foundation
import Hudi
import ObjectStore
import ObjectStoreTesting
import Testing
import TributaryCore
import TributaryTesting

/// The background publisher (`CatalogSyncService`) over a lake, against SeaweedFS's
/// catalog behind a fault proxy that can take it "down".
@Suite(.serialized) struct CatalogSyncTests {
    /// Waits (polling) until `condition` holds; fails the test after `timeout` seconds.
    func waitUntil(_ what: String, timeout: Double = 60, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try await !condition() {
            guard Date() < deadline else {
                Issue.record("timed out waiting until \(what)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The catalog is down while the table takes its commits: ingestion goes on, the
    /// service keeps retrying (one outage, many failed rounds), and once the catalog is
    /// back it catches up from the Hudi timeline; then every further commit is published.
    /// pyiceberg through the catalog equals hudi-rs, latest and an older snapshot.
    @Test func catalogOutageNeverBlocksIngestionAndTheSyncCatchesUp() async throws {
        let lakeDir = try TestEnvironment.temporaryDirectory("catalog-sync")
        defer { try? FileManager.default.removeItem(at: lakeDir) }
        let server = try await CatalogServerKind.seaweedfs.start()
        let proxy = try FaultProxy(upstreamPort: server.port, seed: 7, faultRate: 1, faults: [.dropBeforeForward, .slowDown503, .error500])
        defer { proxy.stop() }
        let tableDir = lakeDir.appendingPathComponent("user_events")
        let table = try await EventTables.create(tableDir)
        let namespace = server.namespace("sync_\(UUID().uuidString.prefix(6).lowercased())")
        let catalog = IcebergRESTCatalog(configuration: server.configuration(
            uri: proxy.endpoint, requestTimeout: 2, retry: RetryPolicy(maxAttempts: 2, baseDelay: 0.02, maxDelay: 0.05)))
        let sync = LakeCatalogSync(lake: try LocalObjectStore(root: lakeDir), lakeLocation: lakeDir.absoluteURL.absoluteString,
                                   catalog: catalog, namespace: namespace)
        let service = CatalogSyncService(sync: sync, interval: .milliseconds(100), maxBackoff: .milliseconds(400))
        let running = Task { try await service.run() }
        defer { running.cancel() }

        // Ingestion while the catalog is down: every commit succeeds.
        let started = Date()
        var instants = try await EventTables.writeScenario(table)
        print("4 commits while the catalog was down: \(String(format: "%.3f", Date().timeIntervalSince(started))) s")
        try await waitUntil("the service failed 3 rounds") { await service.stats.failedRounds >= 3 }
        var stats = await service.stats
        #expect(stats.outages == 1, "one outage, however many failed rounds: \(stats)")
        #expect(stats.published == 0)
        #expect(stats.lastError?.contains(proxy.endpoint) == true, "\(stats.lastError ?? "")")

        // Back: the service catches up by itself.
        proxy.setFaultRate(0)
        let back = Date()
        try await waitUntil("4 snapshots were published") { await service.stats.published == 4 }
        print("caught up \(String(format: "%.3f", Date().timeIntervalSince(back))) s after the catalog came back")
        let ids = try instants.map(HudiIcebergExporter.snapshotID(ofInstant:))
        #expect(try await catalog.loadTable(namespace, "user_events")?.snapshotIDs == ids)

        // Further commits are published as they come (polling the timeline).
        var more: [EventTables.Event] = []
        for i in 0..<3 { more.append(.init(id: "e\((i + 1) * 3)", user: "late", page: nil, micros: EventTables.base + 2_000_000 + Int64(i), offset: 900)) }
        instants.append(try await table.write(EventTables.batch(more)).instant)
        await table.close()
        try await waitUntil("the fifth commit was published") { await service.stats.published == 5 }
        stats = await service.stats
        #expect(stats.outages == 1 && stats.lastError == nil, "\(stats)")
        let status = try await sync.status("user_events")
        #expect(status.commitsBehind == 0 && status.catalogInstant == instants.last && status.hudiLatest == instants.last)

        var queries: [JSONValue] = [.object([("snapshot_id", .null), ("as_of", .null)])]
        queries.append(.object([("snapshot_id", .int(ids[1])), ("as_of", .string(instants[1]))]))
        let answers = try IcebergOracle.compare(table: tableDir.path, server: server,
                                                identifier: (namespace + ["user_events"]).joined(separator: "."), queries)
        try #require(answers.count == 2)
        for a in answers { #expect(a.equal, "\(a.raw)") }
        #expect(answers.map(\.iceberg) == [37, 35])
    }

    /// A table that cannot be published (here: a base file is corrupt) does not stop the
    /// others: the round reports it, the good table is published.
    @Test func oneFailingTableDoesNotStopTheOthers() async throws {
        let lakeDir = try TestEnvironment.temporaryDirectory("catalog-sync-mixed")
        defer { try? FileManager.default.removeItem(at: lakeDir) }
        let server = try await CatalogServerKind.seaweedfs.start()
        for name in ["a_events", "b_events"] {
            let table = try await EventTables.create(lakeDir.appendingPathComponent(name))
            _ = try await table.write(EventTables.batch([.init(id: "k", user: "u", page: nil, micros: EventTables.base, offset: 1)]))
            await table.close()
        }
        let broken = try LocalObjectStore(root: lakeDir.appendingPathComponent("a_events"))
        for file in try await broken.listAll() where file.key.hasSuffix(".parquet") {
            try await broken.put(file.key, Data(repeating: 7, count: file.size))
        }
        let namespace = server.namespace("mixed_\(UUID().uuidString.prefix(6).lowercased())")
        let catalog = IcebergRESTCatalog(configuration: server.configuration())
        let sync = LakeCatalogSync(lake: try LocalObjectStore(root: lakeDir), lakeLocation: lakeDir.absoluteURL.absoluteString,
                                   catalog: catalog, namespace: namespace)
        let service = CatalogSyncService(sync: sync, interval: .milliseconds(100))
        #expect(await service.round() == false)
        let stats = await service.stats
        #expect(stats.published == 1 && stats.failedRounds == 1 && stats.outages == 1)
        #expect(stats.lastError?.hasPrefix("a_events") == true, "\(stats.lastError ?? "")")
        #expect(try await sync.status("b_events").commitsBehind == 0)
        let a = try await sync.status("a_events")
        #expect(a.commitsBehind == 1 && !a.catalogHasTable)
    }
}

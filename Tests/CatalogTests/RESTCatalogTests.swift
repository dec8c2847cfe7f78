import Catalog
import CatalogTesting
import Foundation
import Hudi
import ObjectStore
import ObjectStoreTesting
import Parquet
import Testing
import TributaryCore
import TributaryTesting

/// Publishing to real Iceberg REST catalogs (SeaweedFS's, and lakana-server on
/// PostgreSQL), read back by pyiceberg through the catalog and compared with hudi-rs.
@Suite(.serialized) struct RESTCatalogTests {
    /// (SeaweedFS: lakana refuses zero-copy snapshots, see `lakanaRefusesZeroCopySnapshotsClearly`.)
    @Test(arguments: [CatalogServerKind.seaweedfs])
    func publishesEveryCommitAndCatchesUpIdempotently(_ kind: CatalogServerKind) async throws {
        let dir = try TestEnvironment.temporaryDirectory("catalog-rest")
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try await kind.start()
        let table = try await EventTables.create(dir)
        var instants = try await EventTables.writeScenario(table)
        let exporter = try HudiIcebergExporter(table: table, location: dir.absoluteURL.absoluteString)
        let catalog = IcebergRESTCatalog(configuration: server.configuration())
        let name = "user_events_\(UUID().uuidString.prefix(8).lowercased())"
        let publisher = IcebergPublisher(catalog: catalog, namespace: server.namespace("lake"), tableName: name)

        let export = try await exporter.export()
        #expect(try await publisher.status(of: table).commitsBehind == 4)
        let started = Date()
        let first = try await publisher.publish(export)
        let publishSeconds = Date().timeIntervalSince(started)
        #expect(first.committed == export.metadata.snapshots.map(\.snapshotID))
        #expect(first.currentSnapshotID == export.metadata.currentSnapshotID)
        print("published \(first.committed.count) snapshots in \(String(format: "%.3f", publishSeconds)) s")
        // Again: nothing to do.
        #expect(try await publisher.publish(export).committed.isEmpty)

        // A commit whose requirement is stale (someone else moved `main`) is rejected.
        let stale: JSONValue = .object([("type", .string("assert-ref-snapshot-id")), ("ref", .string("main")),
                                        ("snapshot-id", .int(export.metadata.snapshots[0].snapshotID))])
        do {
            _ = try await catalog.commit(server.namespace("lake"), name, requirements: [stale], updates: [
                .object([("action", .string("set-properties")), ("updates", .object([("k", .string("v"))]))]),
            ])
            Issue.record("a commit with a stale assert-ref-snapshot-id was accepted")
        } catch IcebergRESTError.commitConflict(let message) {
            #expect(!message.isEmpty)
        }

        // One more Hudi commit: only its snapshot is published.
        var more: [EventTables.Event] = []
        for i in 0..<3 { more.append(.init(id: "e\((i + 1) * 3)", user: "late", page: nil, micros: EventTables.base + 2_000_000 + Int64(i), offset: 900)) }
        instants.append(try await table.write(EventTables.batch(more)).instant)
        await table.close()
        let behind = try await publisher.status(of: table)
        #expect(behind.commitsBehind == 1 && behind.hudiLatestInstant == instants[4])
        #expect(behind.catalogSnapshotID == (try HudiIcebergExporter.snapshotID(ofInstant: instants[3])))
        let export2 = try await exporter.export()
        let second = try await publisher.publish(export2)
        #expect(second.committed == [try HudiIcebergExporter.snapshotID(ofInstant: instants[4])])
        #expect(try await publisher.status(of: table).commitsBehind == 0)

        var queries: [JSONValue] = [.object([("snapshot_id", .null), ("as_of", .null)])]
        for (snapshot, instant) in zip(export2.metadata.snapshots, instants) {
            queries.append(.object([("snapshot_id", .int(snapshot.snapshotID)), ("as_of", .string(instant))]))
        }
        let answers = try IcebergOracle.compare(table: dir.path, server: server, identifier: server.identifier("lake", name), queries)
        try #require(answers.count == queries.count)
        for (q, a) in zip(queries, answers) { #expect(a.equal, "\(q.pretty()): \(a.raw)") }
        #expect(answers.map(\.iceberg) == [37, 30, 35, 31, 37, 37])
    }

    /// Two publishers racing on one table: requirements make one of each pair of commits
    /// fail, the loser reloads and carries on; every snapshot lands once, in order.
    /// (SeaweedFS: lakana refuses zero-copy snapshots, see `lakanaRefusesZeroCopySnapshotsClearly`.)
    @Test(arguments: [CatalogServerKind.seaweedfs])
    func concurrentPublishersDoNotCorruptTheTable(_ kind: CatalogServerKind) async throws {
        let dir = try TestEnvironment.temporaryDirectory("catalog-race")
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try await kind.start()
        let table = try await EventTables.create(dir)
        _ = try await EventTables.writeScenario(table)
        await table.close()
        let export = try await HudiIcebergExporter(table: table, location: dir.absoluteURL.absoluteString).export()
        let name = "race_\(UUID().uuidString.prefix(8).lowercased())"
        func publisher() -> IcebergPublisher {
            IcebergPublisher(catalog: IcebergRESTCatalog(configuration: server.configuration()),
                             namespace: server.namespace("race"), tableName: name, maxConflicts: 20)
        }
        // Create the table first (a create race is a different, rarer path).
        let creator = publisher()
        try await creator.catalog.ensureNamespace(server.namespace("race"))
        _ = try await creator.catalog.createTable(server.namespace("race"), name, like: export.metadata)
        async let a = publisher().publish(export)
        async let b = publisher().publish(export)
        let (ra, rb) = try await (a, b)
        print("\(kind): racing publishers absorbed \(ra.conflicts + rb.conflicts) conflicts")
        #expect(Set(ra.committed).isDisjoint(with: rb.committed))
        #expect((ra.committed + rb.committed).sorted() == export.metadata.snapshots.map(\.snapshotID))
        let final = try #require(try await creator.catalog.loadTable(server.namespace("race"), name))
        #expect(final.snapshotIDs == export.metadata.snapshots.map(\.snapshotID))
        #expect(final.currentSnapshotID == export.metadata.currentSnapshotID)
    }

    /// A column added by Hudi schema evolution after the table was published: the catalog
    /// gets the new schema (same field ids plus the new one) and the new snapshot.
    /// (SeaweedFS: lakana refuses zero-copy snapshots, see `lakanaRefusesZeroCopySnapshotsClearly`.)
    @Test(arguments: [CatalogServerKind.seaweedfs])
    func publishesSchemaEvolution(_ kind: CatalogServerKind) async throws {
        let dir = try TestEnvironment.temporaryDirectory("catalog-rest-evolve")
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try await kind.start()
        let table = try await EventTables.create(dir)
        var events: [EventTables.Event] = []
        for i in 0..<10 { events.append(.init(id: "k\(i)", user: "u", page: nil, micros: EventTables.base + Int64(i), offset: Int64(i))) }
        _ = try await table.write(EventTables.batch(events))
        let exporter = try HudiIcebergExporter(table: table, location: dir.absoluteURL.absoluteString)
        let name = "evolve_\(UUID().uuidString.prefix(8).lowercased())"
        let publisher = IcebergPublisher(catalog: IcebergRESTCatalog(configuration: server.configuration()),
                                         namespace: server.namespace("lake"), tableName: name)
        _ = try await publisher.publish(try await exporter.export())

        var batch = EventTables.batch(Array(events.prefix(3)).map { var e = $0; e.micros += 1000; return e })
        batch.fields.append(Field("country", .string))
        batch.columns.append(.strings(["DE", "FR", nil]))
        let second = try await table.write(batch).instant
        await table.close()
        let result = try await publisher.publish(try await exporter.export())
        #expect(result.committed == [try HudiIcebergExporter.snapshotID(ofInstant: second)])
        let loaded = try #require(try await publisher.catalog.loadTable(server.namespace("lake"), name))
        #expect(loaded.metadata["current-schema-id"]?.int == 1)
        let mapping = try #require(loaded.metadata["properties"]?["schema.name-mapping.default"]?.string)
        #expect(mapping.contains("\"country\""))
        let answers = try IcebergOracle.compare(table: dir.path, server: server, identifier: server.identifier("lake", name),
                                                [.object([("snapshot_id", .null), ("as_of", .null)])])
        #expect(answers.first?.equal == true && answers.first?.iceberg == 10, "\(answers.first?.raw ?? "")")
        #expect(answers.first?.raw.contains("country") == true)
    }

    /// Bearer tokens work; bad credentials and a catalog that is down fail with clear
    /// errors (the caller reports them and retries later).
    @Test(arguments: CatalogServerKind.allCases)
    func authenticationAndOutagesAreReported(_ kind: CatalogServerKind) async throws {
        let server = try await kind.start()
        let accessToken: String
        let wrongAuth: IcebergRESTConfiguration.Auth
        switch server.auth {
        case .bearer(let token):
            accessToken = token
            wrongAuth = .bearer(token + "x")
        default:
            let token = try runProcess(URL(fileURLWithPath: "/usr/bin/curl"), [
                "-s", "-X", "POST", "\(server.uri)/v1/oauth/tokens", "-d", "grant_type=client_credentials&client_id=test&client_secret=test",
            ]).stdoutText
            accessToken = try #require(try JSONValue.parse(Data(token.utf8))["access_token"]?.string)
            wrongAuth = .clientCredentials(clientID: "test", secret: "wrong")
        }
        var configuration = server.configuration()
        configuration.auth = .bearer(accessToken)
        let bearer = IcebergRESTCatalog(configuration: configuration)
        try await bearer.ensureNamespace(["auth"])
        #expect(try await bearer.loadTable(["auth"], "none") == nil)

        configuration.auth = wrongAuth
        let wrong = IcebergRESTCatalog(configuration: configuration)
        do {
            try await wrong.ensureNamespace(["auth"])
            Issue.record("wrong credentials were accepted")
        } catch IcebergRESTError.unauthorized(let message) {
            #expect(message.contains(server.uri), "\(message)")
        }

        let port = try freeLoopbackPort()
        let down = IcebergRESTCatalog(configuration: IcebergRESTConfiguration(
            uri: "http://127.0.0.1:\(port)", warehouse: "w", auth: .none, requestTimeout: 2,
            retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.05, maxDelay: 0.1)))
        let started = Date()
        do {
            try await down.ensureNamespace(["x"])
            Issue.record("a catalog that is down answered")
        } catch let error as IcebergRESTError {
            guard case .unreachable(let url, _) = error else { Issue.record("\(error)"); return }
            #expect(url.hasPrefix("http://127.0.0.1:\(port)/v1/config"))
            #expect(error.isTransient)
            #expect("\(error)".contains("127.0.0.1:\(port)") && "\(error)".contains("3 attempts"), "\(error)")
        }
        #expect(await down.requestCount == 3)
        print("a catalog that is down was reported after \(String(format: "%.3f", Date().timeIntervalSince(started))) s")
    }

    /// 5xx, 429 and dropped connections are retried; a commit the catalog applied whose
    /// answer was lost (500 after forwarding) is retried, meets its own snapshot (409),
    /// and the publisher reloads and carries on: every snapshot lands exactly once.
    @Test func transientFailuresAreRetriedAndAnAppliedCommitIsNotDoubled() async throws {
        let dir = try TestEnvironment.temporaryDirectory("catalog-faults")
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try await CatalogServerKind.seaweedfs.start()
        let table = try await EventTables.create(dir)
        _ = try await EventTables.writeScenario(table)
        await table.close()
        let export = try await HudiIcebergExporter(table: table, location: dir.absoluteURL.absoluteString).export()
        let upstream = server.port
        let proxy = try FaultProxy(upstreamPort: upstream, seed: 1, faultRate: 0)
        defer { proxy.stop() }
        let name = "faults_\(UUID().uuidString.prefix(8).lowercased())"
        proxy.script([.slowDown503], matching: ["/v1/oauth/tokens"])
        proxy.script([.tooMany429, .error500], matching: ["/v1/config"])
        proxy.script([.dropBeforeForward], matching: ["POST ", "/namespaces "])
        proxy.script([.delay], matching: ["GET ", "/tables/\(name) "])
        // The second snapshot's commit is applied, but its answer is lost.
        proxy.script([.none, .forwardThen500], matching: ["POST ", "/tables/\(name) "])
        let catalog = IcebergRESTCatalog(configuration: server.configuration(
            uri: proxy.endpoint, requestTimeout: 1, retry: RetryPolicy(maxAttempts: 5, baseDelay: 0.05, maxDelay: 0.2)))
        let publisher = IcebergPublisher(catalog: catalog, namespace: ["faults"], tableName: name)
        let result = try await publisher.publish(export)
        let ids = export.metadata.snapshots.map(\.snapshotID)
        #expect(result.conflicts == 1, "the lost answer's retry meets the applied commit")
        #expect(result.committed == ids.filter { $0 != ids[1] }, "the applied commit is not counted as ours twice")
        #expect(result.currentSnapshotID == ids.last)
        let final = try #require(try await catalog.loadTable(["faults"], name))
        #expect(final.snapshotIDs == ids)
        let retries = await catalog.retryCount
        #expect(retries >= 6, "503 token, 429 + 500 config, dropped namespace POST, timed-out load, lost commit answer")
        let injected = proxy.injected
        for fault in [FaultProxy.Fault.slowDown503, .tooMany429, .error500, .dropBeforeForward, .delay, .forwardThen500] {
            #expect(injected[fault] == 1, "\(fault): \(injected)")
        }
        print("publish through faults: \(retries) retries, \(await catalog.requestCount) requests")
    }

    /// lakana governs its tables: it assigns each table's location and refuses a snapshot
    /// whose manifest list lies outside it. Published XTable-style (snapshot files in the
    /// Hudi table root), the commit is refused with a clear, permanent error naming the
    /// catalog URL and the reason; namespace and table are created.
    @Test func lakanaRefusesSnapshotFilesOutsideItsTableLocationClearly() async throws {
        let dir = try TestEnvironment.temporaryDirectory("catalog-lakana")
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try await CatalogServerKind.lakana.start()
        let table = try await EventTables.create(dir)
        _ = try await EventTables.writeScenario(table)
        await table.close()
        let exporter = try HudiIcebergExporter(table: table, location: dir.absoluteURL.absoluteString)
        let catalog = IcebergRESTCatalog(configuration: server.configuration())
        let name = "refused_\(UUID().uuidString.prefix(8).lowercased())"
        let publisher = IcebergPublisher(catalog: catalog, namespace: server.namespace("lake"), tableName: name, placement: .tableRoot)
        do {
            try await publisher.publish(from: exporter)
            Issue.record("lakana accepted a snapshot whose manifest list lies outside the table's location")
        } catch let error as IcebergRESTError {
            guard case .server(let status, let message) = error else { Issue.record("\(error)"); return }
            #expect(status == 422)
            #expect(message.contains(server.uri) && message.contains("manifest list must lie under the table's own location"), "\(message)")
            #expect(!error.isTransient)
        }
        let created = try #require(try await catalog.loadTable(server.namespace("lake"), name))
        #expect(created.currentSnapshotID == nil)
        let location = try #require(created.metadata["location"]?.string)
        #expect(!location.hasPrefix(dir.absoluteURL.absoluteString))
    }

    /// Zero-copy publishing to lakana: the manifests and manifest lists go under the location
    /// lakana assigned the table (its storage root, a local folder here), the data files stay
    /// the Hudi base files (nothing is copied). lakana accepts every snapshot; pyiceberg,
    /// loading the table through lakana's REST API, equals hudi-rs (latest and every older
    /// snapshot), and a later Hudi commit is published on top.
    @Test func publishesToLakanaUnderTheTableLocationItAssigns() async throws {
        let dir = try TestEnvironment.temporaryDirectory("catalog-lakana-publish")
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try await CatalogServerKind.lakana.start()
        let table = try await EventTables.create(dir)
        var instants = try await EventTables.writeScenario(table)
        let exporter = try HudiIcebergExporter(table: table, location: dir.absoluteURL.absoluteString)
        let catalog = IcebergRESTCatalog(configuration: server.configuration())
        let name = "events_\(UUID().uuidString.prefix(8).lowercased())"
        let publisher = IcebergPublisher(catalog: catalog, namespace: server.namespace("lake"), tableName: name,
                                         placement: .catalogLocation())
        let first = try await publisher.publish(from: exporter)
        let ids = try instants.map(HudiIcebergExporter.snapshotID(ofInstant:))
        #expect(first.committed == ids)
        #expect(first.currentSnapshotID == ids.last)
        #expect(try await publisher.publish(from: exporter).committed.isEmpty, "published again: nothing to do")

        var more: [EventTables.Event] = []
        for i in 0..<3 { more.append(.init(id: "e\((i + 1) * 3)", user: "late", page: nil, micros: EventTables.base + 2_000_000 + Int64(i), offset: 900)) }
        instants.append(try await table.write(EventTables.batch(more)).instant)
        await table.close()
        let second = try await publisher.publish(from: exporter)
        #expect(second.committed == [try HudiIcebergExporter.snapshotID(ofInstant: instants[4])])

        // Snapshot files under lakana's location, data files where Hudi wrote them.
        let loaded = try #require(try await catalog.loadTable(server.namespace("lake"), name))
        let location = try #require(loaded.metadata["location"]?.string)
        #expect(location.hasPrefix("file:") && !location.hasPrefix(dir.absoluteURL.absoluteString))
        let lists = (loaded.metadata["snapshots"]?.arrayValues ?? []).compactMap { $0["manifest-list"]?.string }
        #expect(lists.count == 5 && lists.allSatisfy { $0.hasPrefix(location + "/metadata/snap-") }, "\(lists)")
        let folder = URL(fileURLWithPath: try #require(URL(string: location)?.path))
        let written = try FileManager.default.subpathsOfDirectory(atPath: folder.path)
        #expect(written.contains { $0.hasSuffix("-m0.avro") })
        #expect(!written.contains { $0.hasSuffix(".parquet") }, "no data file copied: \(written)")
        #expect(try await publisher.status(of: table).commitsBehind == 0)

        var queries: [JSONValue] = [.object([("snapshot_id", .null), ("as_of", .null)])]
        for instant in instants {
            queries.append(.object([("snapshot_id", .int(try HudiIcebergExporter.snapshotID(ofInstant: instant))), ("as_of", .string(instant))]))
        }
        let answers = try IcebergOracle.compare(table: dir.path, server: server, identifier: server.identifier("lake", name), queries)
        try #require(answers.count == queries.count)
        for (q, a) in zip(queries, answers) { #expect(a.equal, "\(q.pretty()): \(a.raw)") }
        #expect(answers.map(\.iceberg) == [37, 30, 35, 31, 37, 37])
    }

    /// A lake on S3 (SeaweedFS's S3): the Iceberg metadata names `s3://` files, and
    /// pyiceberg (S3 FileIO) through the catalog equals hudi-rs reading the table from S3.
    @Test func publishesATableOnS3() async throws {
        let server = try await CatalogServerKind.seaweedfs.start()
        let bucket = "lake"
        let prefix = "s3test-\(UUID().uuidString.prefix(8).lowercased())/user_events"
        let store = try await SeaweedCatalog.shared.s3Store(bucket: bucket).scoped(to: prefix)
        let table = try await EventTables.create(store: store)
        let instants = try await EventTables.writeScenario(table)
        await table.close()
        let location = "s3://\(bucket)/\(prefix)"
        let export = try await HudiIcebergExporter(table: table, location: location).export()
        #expect(export.metadata.snapshots.allSatisfy { $0.manifestList.hasPrefix(location + "/metadata/") })
        let name = "s3_\(UUID().uuidString.prefix(8).lowercased())"
        let publisher = IcebergPublisher(catalog: IcebergRESTCatalog(configuration: server.configuration()),
                                         namespace: server.namespace("lake"), tableName: name)
        #expect(try await publisher.publish(export).committed.count == 4)
        let queries: [JSONValue] = [
            .object([("snapshot_id", .null), ("as_of", .null)]),
            .object([("snapshot_id", .int(try HudiIcebergExporter.snapshotID(ofInstant: instants[2]))), ("as_of", .string(instants[2]))]),
        ]
        let answers = try IcebergOracle.compare(
            table: location, server: server, identifier: server.identifier("lake", name),
            extra: try await SeaweedCatalog.shared.pyicebergS3Properties(), hudiOptions: try await SeaweedCatalog.shared.hudiS3Options(), queries)
        try #require(answers.count == 2)
        for a in answers { #expect(a.equal, "\(a.raw)") }
        #expect(answers.map(\.iceberg) == [37, 31])
    }
}

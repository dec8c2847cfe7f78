import CatalogTesting
import Foundation
import Hudi
import ObjectStore
import Testing
import TributaryTesting

/// `tributary catalog sync|status` against SeaweedFS's Iceberg REST catalog.
@Suite(.ownThread, .serialized) struct CatalogCLITests {
    func json(_ output: ProcessOutput) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: output.stdout) as? [[String: Any]], "\(output.stdoutText) \(output.stderrText)")
    }

    @Test func syncAndStatusPublishTheLakeAndSayHowFarBehindItIs() async throws {
        let dir = try TestEnvironment.temporaryDirectory("catalog-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let lake = dir.appendingPathComponent("lake")
        let table = try await EventTables.create(lake.appendingPathComponent("user_events"))
        var instants = try await EventTables.writeScenario(table)
        let storage = ["TRIBUTARY_STORAGE_URI": lake.absoluteURL.absoluteString]

        // Not configured, unreachable: non-zero exits with messages that say what to do / which URI.
        let none = try CLI.run(["catalog", "status"], env: storage)
        #expect(none.status != 0)
        #expect(none.stderrText.contains("no Iceberg catalog configured") && none.stderrText.contains("TRIBUTARY_CATALOG_URI"), "\(none.stderrText)")
        let port = try freeLoopbackPort()
        let down = try CLI.run(["catalog", "sync", "--json"], env: storage.merging(["TRIBUTARY_CATALOG_URI": "http://127.0.0.1:\(port)"]) { $1 })
        #expect(down.status != 0)
        #expect(down.stderrText.contains("unreachable") && down.stderrText.contains("http://127.0.0.1:\(port)"), "\(down.stderrText)")

        let server = try await CatalogServerKind.seaweedfs.start()
        let namespace = "cli_\(UUID().uuidString.prefix(6).lowercased())"
        let env = storage.merging(server.environment) { $1 }.merging(["TRIBUTARY_CATALOG_NAMESPACE": namespace]) { $1 }

        let before = try json(try CLI.run(["catalog", "status", "--json"], env: env))
        #expect(before.count == 1)
        #expect(before.first?["table"] as? String == "user_events")
        #expect(before.first?["commitsBehind"] as? Int == 4 && before.first?["inCatalog"] as? Bool == false)

        let sync = try CLI.run(["catalog", "sync", "--json"], env: env)
        #expect(sync.status == 0, "\(sync.stderrText)")
        let published = try json(sync)
        #expect(published.first?["identifier"] as? String == "\(namespace).user_events")
        #expect(published.first?["published"] as? [String] == instants)
        #expect(published.first?["catalogInstant"] as? String == instants.last)

        // Idempotent; a new commit is published alone (by the table's Hudi name too).
        let again = try CLI.run(["catalog", "sync"], env: env)
        #expect(again.status == 0 && again.stdoutText.contains("0 (up to date)"), "\(again.stdoutText)\(again.stderrText)")
        instants.append(try await table.write(EventTables.batch([
            .init(id: "late", user: "x", page: nil, micros: EventTables.base + 3, offset: 999),
        ])).instant)
        await table.close()
        let behind = try CLI.run(["catalog", "status"], env: env)
        #expect(behind.status == 0)
        #expect(behind.stdoutText.contains("\(namespace).user_events") && behind.stdoutText.contains(instants[3]), "\(behind.stdoutText)")
        #expect(behind.stdoutText.split(separator: "\n").last?.hasSuffix("1") == true, "\(behind.stdoutText)")
        let one = try json(try CLI.run(["catalog", "sync", "user_events_table", "--json"], env: env))
        #expect(one.first?["published"] as? [String] == [instants[4]])
        let after = try json(try CLI.run(["catalog", "status", "--json"], env: env))
        #expect(after.first?["commitsBehind"] as? Int == 0 && after.first?["catalogInstant"] as? String == instants.last)

        let answers = try IcebergOracle.compare(table: lake.appendingPathComponent("user_events").path, server: server,
                                                identifier: "\(namespace).user_events", [.object([("snapshot_id", .null), ("as_of", .null)])])
        #expect(answers.first?.equal == true && answers.first?.iceberg == 38, "\(answers.first?.raw ?? "")")

        let missing = try CLI.run(["catalog", "sync", "nope"], env: env)
        #expect(missing.status != 0 && missing.stderrText.contains("no table 'nope'"), "\(missing.stderrText)")
    }
}

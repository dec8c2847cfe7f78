import Foundation
import ObjectStore
import Testing
import TributaryCore
import TributaryTesting
@testable import Hudi

/// A rollback block is written at the next log version of the slice. A concurrent writer
/// can append a log of that version between the rollback's listing and its write; the
/// rollback must take the next version, never overwrite that log (its rows would be lost).
@Suite struct LogRollbackRaceTests {
    /// Before the rollback's first log write lands, another log appears at its path.
    final class RacingStore: ObjectStore, @unchecked Sendable {
        let base: any ObjectStore
        let rival: Data
        private let lock = NSLock()
        private var raced: String?
        init(base: any ObjectStore, rival: Data) { self.base = base; self.rival = rival }
        var racedKey: String? { lock.withLock { raced } }
        var backendDescription: String { base.backendDescription }
        func get(_ key: String) async throws -> Data { try await base.get(key) }
        func get(_ key: String, range: Range<Int>) async throws -> Data { try await base.get(key, range: range) }
        func head(_ key: String) async throws -> ObjectInfo { try await base.head(key) }
        func put(_ key: String, _ data: Data) async throws { try await race(key); try await base.put(key, data) }
        func putIfAbsent(_ key: String, _ data: Data) async throws { try await race(key); try await base.putIfAbsent(key, data) }
        func putStreaming(_ key: String, chunks: ObjectChunkSequence) async throws { try await base.putStreaming(key, chunks: chunks) }
        func list(prefix: String, delimiter: String?) -> ObjectListing { base.list(prefix: prefix, delimiter: delimiter) }
        func delete(_ keys: [String]) async throws { try await base.delete(keys) }

        /// The rollback's log (write token 0-0-1) is raced once.
        private func race(_ key: String) async throws {
            guard key.contains(".log."), key.hasSuffix("_0-0-1") else { return }
            let first = lock.withLock {
                guard raced == nil else { return false }
                raced = key
                return true
            }
            guard first else { return }
            try await base.put(key, rival)
        }
    }

    @Test func aRollbackBlockNeverOverwritesAConcurrentLog() async throws {
        let dir = try TestEnvironment.temporaryDirectory("hudi-mor-rollback-race")
        defer { try? FileManager.default.removeItem(at: dir) }
        let setup = try await MergeOnReadTests().newTable(dir)
        try await setup.write(Events.batch((0..<30).map { MergeOnReadTests.record($0, version: 0, dayOffset: 0) }))
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await setup.write(Events.batch((0..<10).map { MergeOnReadTests.record($0, version: 1, dayOffset: 0) }),
                                  check: CommitCheck(keys: []) { _ in throw Refused() })
        }
        let failed = try #require(try await setup.timeline().pending.first { $0.action == "deltacommit" }).timestamp
        await setup.close()

        // The rival: a valid log (a command block for an instant nobody has).
        let rival = LogBlock.rollback(instant: "19700101000000000", target: "19700101000000000").encoded()
        let store = RacingStore(base: try LocalObjectStore(root: dir), rival: rival)
        let table = try await HudiTable.open(store: store)
        try await table.write(Events.batch((5..<15).map { MergeOnReadTests.record($0, version: 2, dayOffset: 0) }))
        let racedKey = try #require(store.racedKey, "the rollback wrote no log")
        #expect(try Data(contentsOf: dir.appendingPathComponent(racedKey)) == rival, "the concurrent log was overwritten")
        var targets: [String] = []
        for group in try await table.fileSystemView.fileGroups() {
            for log in group.logFiles {
                for b in try LogBlock.decodeAll(try Data(contentsOf: dir.appendingPathComponent(log.path)), path: log.path) where b.type == .command {
                    targets.append(b.header[.targetInstantTime] ?? "")
                }
            }
        }
        #expect(targets.contains(failed), "no rollback block for the failed instant \(failed)")
        await table.close()
    }
}

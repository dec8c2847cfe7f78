import Foundation
@testable import ObjectStore
import Testing
import TributaryTesting

/// Local-folder specifics: atomic replacement, hidden temporary files, safe key mapping.
@Suite("Local folder backend")
struct LocalStoreTests {
    @Test("readers racing a writer see the old or the new object, never a partial one")
    func noPartialReads() async throws {
        let dir = try TestEnvironment.temporaryDirectory("local-atomic")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try LocalObjectStore(root: dir)
        let versions = (0..<4).map { randomData(2 * 1_048_576 + $0, seed: UInt64(100 + $0)) }
        let digests = Set(versions.map(sha256))
        try await store.put("hot/object", versions[0])
        let iterations = TestEnvironment.soak ? 400 : 40
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for i in 0..<iterations { try await store.put("hot/object", versions[i % versions.count]) }
            }
            for _ in 0..<2 {
                group.addTask {
                    for _ in 0..<iterations {
                        let data = try await store.get("hot/object")
                        #expect(digests.contains(sha256(data)), "read a partial or mixed object (\(data.count) bytes)")
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    @Test("temporary files are invisible, reserved names refused, no leftovers after writes")
    func temporaryFiles() async throws {
        let dir = try TestEnvironment.temporaryDirectory("local-temp")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try LocalObjectStore(root: dir)
        // A crash mid-write leaves a temporary file behind: it must not show up as an object.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("t"), withIntermediateDirectories: true)
        try Data("partial".utf8).write(to: dir.appendingPathComponent("t/.tributary-tmp-crashed"))
        try await store.put("t/real", Data("r".utf8))
        for i in 0..<5 {
            try? await store.putIfAbsent("t/commit", Data("\(i)".utf8))
        }
        #expect(try await store.listAll().map(\.key) == ["t/commit", "t/real"])
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("t").path).sorted()
        #expect(files == [".tributary-tmp-crashed", "commit", "real"])
        await #expect(throws: ObjectStoreError.self) { try await store.put("t/.tributary-tmp-x", Data()) }
    }

    @Test("keys never leave the root; deletes prune empty folders")
    func keyMapping() async throws {
        let parent = try TestEnvironment.temporaryDirectory("local-keys")
        defer { try? FileManager.default.removeItem(at: parent) }
        let root = parent.appendingPathComponent("root")
        let store = try LocalObjectStore(root: root)
        for key in ["../outside", "a/../../outside", "/tmp/x", "a/./b"] {
            await #expect(throws: ObjectStoreError.self) { try await store.put(key, Data("x".utf8)) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["root"])
        try await store.put("a/b/c/d", Data("x".utf8))
        try await store.delete("a/b/c/d")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).isEmpty)
    }
}

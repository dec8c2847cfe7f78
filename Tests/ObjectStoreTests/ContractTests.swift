import Foundation
import ObjectStore
import Testing
import TributaryTesting

/// The behaviour every backend must share: run against memory, a local folder and S3 (moto).
@Suite("ObjectStore contract")
struct ContractTests {
    @Test("put, get, head, overwrite, empty object", arguments: Backend.available)
    func roundTrip(_ backend: Backend) async throws {
        let (store, cleanup) = try await makeStore(backend)
        defer { cleanup() }
        let data = randomData(100_000, seed: 1)
        try await store.put("a/b/c.bin", data)
        #expect(try await store.get("a/b/c.bin") == data)
        let info = try await store.head("a/b/c.bin")
        #expect(info.key == "a/b/c.bin")
        #expect(info.size == data.count)
        #expect(!info.etag.isEmpty)

        let replacement = randomData(50, seed: 2)
        try await store.put("a/b/c.bin", replacement)
        #expect(try await store.get("a/b/c.bin") == replacement)
        let newInfo = try await store.head("a/b/c.bin")
        #expect(newInfo.size == 50)
        #expect(newInfo.etag != info.etag)

        try await store.put("empty", Data())
        #expect(try await store.get("empty") == Data())
        #expect(try await store.head("empty").size == 0)
        #expect(try await store.exists("empty"))
    }

    @Test("missing objects: typed notFound naming key and backend; deleting them is fine", arguments: Backend.available)
    func missing(_ backend: Backend) async throws {
        let (store, cleanup) = try await makeStore(backend)
        defer { cleanup() }
        await #expect(throws: ObjectStoreError.self) { try await store.get("nope/x") }
        do {
            _ = try await store.get("nope/x")
        } catch let error as ObjectStoreError {
            #expect(error.kind == .notFound)
            #expect(error.description.contains("nope/x"))
            #expect(error.description.contains(store.backendDescription.prefix(4)))
        }
        do {
            _ = try await store.head("nope/y")
            Issue.record("head of a missing key succeeded")
        } catch let error as ObjectStoreError {
            #expect(error == .notFound(key: "nope/y", backend: store.backendDescription))
        }
        #expect(try await store.exists("nope/y") == false)
        try await store.delete(["nope/x", "nope/y"])
        // A folder-like prefix of existing keys is not an object.
        try await store.put("dir/file", Data("x".utf8))
        #expect(try await store.exists("dir") == false)
    }

    @Test("ranged reads: inside, cut at the end, past the end", arguments: Backend.available)
    func ranges(_ backend: Backend) async throws {
        let (store, cleanup) = try await makeStore(backend)
        defer { cleanup() }
        let data = randomData(10_000, seed: 3)
        try await store.put("r", data)
        #expect(try await store.get("r", range: 0..<10) == data.subdata(in: 0..<10))
        #expect(try await store.get("r", range: 1234..<5678) == data.subdata(in: 1234..<5678))
        #expect(try await store.get("r", range: 9_990..<20_000) == data.subdata(in: 9_990..<10_000))
        do {
            _ = try await store.get("r", range: 10_000..<10_010)
            Issue.record("range past the end succeeded")
        } catch let error as ObjectStoreError {
            #expect(error.kind == .invalidRange)
        }
    }

    @Test("put-if-absent: creates once, then alreadyExists and the object is unchanged", arguments: Backend.available)
    func putIfAbsent(_ backend: Backend) async throws {
        let (store, cleanup) = try await makeStore(backend)
        defer { cleanup() }
        try await store.putIfAbsent(".hoodie/001.commit", Data("first".utf8))
        do {
            try await store.putIfAbsent(".hoodie/001.commit", Data("second".utf8))
            Issue.record("second put-if-absent succeeded")
        } catch let error as ObjectStoreError {
            #expect(error == .alreadyExists(key: ".hoodie/001.commit", backend: store.backendDescription))
        }
        #expect(try await store.get(".hoodie/001.commit") == Data("first".utf8))
        // After a delete the key can be created again.
        try await store.delete(".hoodie/001.commit")
        try await store.putIfAbsent(".hoodie/001.commit", Data("third".utf8))
        #expect(try await store.get(".hoodie/001.commit") == Data("third".utf8))
    }

    @Test("put-if-absent raced by 8 writers: exactly one wins, its bytes are stored", arguments: Backend.available)
    func putIfAbsentRace(_ backend: Backend) async throws {
        let (store, cleanup) = try await makeStore(backend)
        defer { cleanup() }
        // SeaweedFS makes contended conditional writes wait (up to seconds): fewer rounds there.
        let rounds = backend == .seaweedfs ? (TestEnvironment.soak ? 50 : 4) : (TestEnvironment.soak ? 200 : 15)
        for round in 0..<rounds {
            let key = "race/\(round).commit"
            let winners = await withTaskGroup(of: Int?.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        do {
                            try await store.putIfAbsent(key, Data("writer \(writer)".utf8))
                            return writer
                        } catch {
                            return nil
                        }
                    }
                }
                var winners: [Int] = []
                for await winner in group { if let winner { winners.append(winner) } }
                return winners
            }
            let stored = try await store.get(key)
            if backend.atomicCreate {
                #expect(winners.count == 1, "round \(round): winners \(winners)")
                if let winner = winners.first { #expect(stored == Data("writer \(winner)".utf8)) }
            } else {
                // moto 5.2.5 checks If-None-Match and then stores, without a lock between
                // (moto/s3/responses.py put_object): under a race two writers can both get
                // 200 (seen about once in 200 rounds). Our client sends the header and
                // reads 412 right; exactly-once is asserted on the backends that are atomic.
                #expect(!winners.isEmpty, "round \(round): no winner")
                #expect(winners.contains { stored == Data("writer \($0)".utf8) }, "round \(round)")
            }
        }
    }

    @Test("list: prefix, key order, pagination, delimiter groups", arguments: Backend.available)
    func listing(_ backend: Backend) async throws {
        let (store, cleanup) = try await makeStore(backend, pageSize: 4)
        defer { cleanup() }
        var keys: [String] = []
        for p in 0..<3 {
            for f in 0..<5 { keys.append("t/p=\(p)/f\(f).parquet") }
        }
        keys += ["t/.hoodie/hoodie.properties", "t/.hoodie/001.commit", "t/z", "t2/x", "u"]
        for key in keys { try await store.put(key, Data(key.utf8)) }

        let all = try await store.listAll(prefix: "t/")
        let expected = keys.filter { $0.hasPrefix("t/") }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(all.map(\.key) == expected)
        #expect(all.allSatisfy { $0.size == $0.key.utf8.count })

        // Prefix not ending at a '/'.
        #expect(try await store.listAll(prefix: "t").count == expected.count + 1)
        #expect(try await store.listAll(prefix: "t/p=1/f").map(\.key) == (0..<5).map { "t/p=1/f\($0).parquet" })
        #expect(try await store.listAll(prefix: "nothing/").isEmpty)

        let grouped = try await store.list(prefix: "t/", delimiter: "/").collect()
        #expect(Array(grouped.prefix(4)) == [
            .commonPrefix("t/.hoodie/"), .commonPrefix("t/p=0/"), .commonPrefix("t/p=1/"), .commonPrefix("t/p=2/"),
        ])
        #expect(grouped.count == 5)
        #expect(grouped.last?.object?.key == "t/z")
        let top = try await store.list(prefix: "", delimiter: "/").collect()
        #expect(top.map { entry -> String in
            switch entry {
            case .object(let info): info.key
            case .commonPrefix(let p): p
            }
        } == ["t/", "t2/", "u"])
    }

    @Test("batch delete removes exactly the given keys", arguments: Backend.available)
    func batchDelete(_ backend: Backend) async throws {
        let (store, cleanup) = try await makeStore(backend)
        defer { cleanup() }
        let keys = (0..<30).map { "d/\($0 % 3)/k\($0)" }
        for key in keys { try await store.put(key, Data(key.utf8)) }
        let doomed = keys.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        try await store.delete(doomed + ["d/never-existed"])
        let left = Set(try await store.listAll(prefix: "d/").map(\.key))
        #expect(left == Set(keys).subtracting(doomed))
        try await store.delete(Array(left))
        #expect(try await store.listAll(prefix: "d/").isEmpty)
    }

    @Test("invalid keys are refused the same way everywhere", arguments: Backend.available)
    func invalidKeys(_ backend: Backend) async throws {
        let (store, cleanup) = try await makeStore(backend)
        defer { cleanup() }
        for key in ["", "/etc/passwd", "../escape", "a/../../b", "a//b", "a/", "./a", "a/./b", "nul\u{0}"] {
            do {
                try await store.put(key, Data("x".utf8))
                Issue.record("put of '\(key)' succeeded")
            } catch let error as ObjectStoreError {
                #expect(error.kind == .invalidKey, "\(key): \(error)")
            }
            await #expect(throws: ObjectStoreError.self) { _ = try await store.get(key) }
        }
    }

    @Test("keys with spaces, unicode and URL-special characters round-trip and list", arguments: Backend.available)
    func specialKeys(_ backend: Backend) async throws {
        let (store, cleanup) = try await makeStore(backend)
        defer { cleanup() }
        let keys = ["s/with space.txt", "s/ünïcødé/日本.bin", "s/a+b=c&d?e#f%25g", "s/~tilde*star(1)'q'", "s/x;y,z:@$!"]
        for key in keys { try await store.put(key, Data(key.utf8)) }
        for key in keys { #expect(try await store.get(key) == Data(key.utf8), "\(key)") }
        #expect(Set(try await store.listAll(prefix: "s/").map(\.key)) == Set(keys))
        #expect(try await store.listAll(prefix: "s/a+b=").map(\.key) == ["s/a+b=c&d?e#f%25g"])
        try await store.delete(keys)
        #expect(try await store.listAll(prefix: "s/").isEmpty)
    }

    @Test("streaming put assembles chunks of any size", arguments: Backend.available)
    func streaming(_ backend: Backend) async throws {
        let (store, cleanup) = try await makeStore(backend)
        defer { cleanup() }
        // 11 MiB + a bit: three 5 MiB parts on S3 (multipart), odd chunk sizes.
        let data = randomData(11 * 1_048_576 + 12_345, seed: 4)
        var chunks: [Data] = []
        var offset = 0
        var size = 1
        while offset < data.count {
            let end = min(data.count, offset + size)
            chunks.append(data.subdata(in: offset..<end))
            offset = end
            size = size * 3 + 7
        }
        try await store.putStreaming("big/object.bin", chunks: ObjectChunkSequence(chunks))
        #expect(try await store.head("big/object.bin").size == data.count)
        #expect(try await store.get("big/object.bin") == data)
        // A small stream is one ordinary object.
        try await store.putStreaming("big/small", chunks: ObjectChunkSequence([Data("ab".utf8), Data("c".utf8)]))
        #expect(try await store.get("big/small") == Data("abc".utf8))
        try await store.putStreaming("big/none", chunks: ObjectChunkSequence([]))
        #expect(try await store.get("big/none") == Data())
    }

    @Test("prefix-scoped views see relative keys", arguments: Backend.available)
    func scopedViews(_ backend: Backend) async throws {
        let (store, cleanup) = try await makeStore(backend)
        defer { cleanup() }
        let table = try store.scoped(to: "hudi-tables/orders/")
        try await table.put(".hoodie/hoodie.properties", Data("p".utf8))
        try await table.put("2024/a.parquet", Data("a".utf8))
        #expect(try await store.get("hudi-tables/orders/.hoodie/hoodie.properties") == Data("p".utf8))
        #expect(try await table.listAll().map(\.key) == [".hoodie/hoodie.properties", "2024/a.parquet"]
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(try await table.head("2024/a.parquet").key == "2024/a.parquet")
        let nested = try table.scoped(to: "2024")
        #expect(try await nested.get("a.parquet") == Data("a".utf8))
        do {
            _ = try await nested.get("missing")
        } catch let error as ObjectStoreError {
            #expect(error.kind == .notFound)
            if case .notFound(let key, _) = error { #expect(key == "missing") }
        }
        await #expect(throws: ObjectStoreError.self) { try await table.get("../escape") }
    }
}

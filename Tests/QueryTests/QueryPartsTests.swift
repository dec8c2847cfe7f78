import Foundation
import ObjectStore
import Testing
import TributaryCore
import TributaryTesting
@testable import Query

/// Pieces without a lake: the cache, the guard's literal, the request format.
@Suite struct QueryPartsTests {
    @Test func fileCacheFetchesOnceAndEvictsLeastRecentlyUsedButNotPinned() async throws {
        let store = MemoryObjectStore()
        for name in ["a", "b", "c", "d"] { try await store.put("t/\(name).parquet", Data(repeating: UInt8(ascii: "x"), count: 1000)) }
        let dir = try TestEnvironment.temporaryDirectory("query-cache-unit")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = try FileCache(store: store, directory: dir, capacityBytes: 2500)
        let k = { (n: String) in (key: "t/\(n).parquet", size: 1000) }
        let paths = try await cache.ensure([k("a"), k("b")], pinned: [])
        #expect(paths == [dir.appendingPathComponent("t/a.parquet").path, dir.appendingPathComponent("t/b.parquet").path])
        #expect(FileManager.default.contents(atPath: paths[0])?.count == 1000)
        _ = try await cache.ensure([k("a")], pinned: [])  // a is now more recent than b
        #expect(await cache.fetchedFiles == 2)
        // Past the capacity: the least recently used file (b) goes.
        _ = try await cache.ensure([k("c")], pinned: [])
        #expect(await cache.cachedKeys == ["t/a.parquet", "t/c.parquet"].asSet)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("t/b.parquet").path))
        // c is older than a but pinned (a view uses it): a goes instead.
        _ = try await cache.ensure([k("d")], pinned: ["t/c.parquet"])
        #expect(await cache.cachedKeys == ["t/c.parquet", "t/d.parquet"].asSet)
        #expect(await cache.totalBytes == 2000)
        // d is cached (not fetched again), a is fetched again, c (unpinned, oldest) goes.
        _ = try await cache.ensure([k("a"), k("d")], pinned: [])
        #expect(await cache.fetchedFiles == 5)
        #expect(await cache.cachedKeys == ["t/a.parquet", "t/d.parquet"].asSet)
    }

    @Test func literalsStayOnOneLineAndRoundTrip() async throws {
        let text = "it's\n.shell x\r\t'';"
        let literal = SQLGuard.literal(text)
        #expect(!literal.contains("\n") && !literal.contains("\r"))
        let p = DuckDBProcess(executable: TestEnvironment.packageRoot.appendingPathComponent(".native/bin/duckdb"))
        defer { p.terminate() }
        let out = try await p.run("SELECT \(literal) AS s;")
        #expect(try QueryValue.duckDBRow(out.lines[0]).first?.1 == .string(text))
    }

    @Test func requestBodyDecodesToOptions() throws {
        let r = try QueryRequest.decode(Data(#"{"sql":"SELECT 1","as_of":"20261126000000000","with_meta":true,"limit":5,"timeout_ms":250}"#.utf8))
        #expect(r.sql == "SELECT 1")
        #expect(r.options.asOf == "20261126000000000")
        #expect(r.options.includeMetaColumns)
        #expect(r.options.limit == 5)
        #expect(r.options.timeout == .milliseconds(250))
        #expect(throws: QueryError.self) { try QueryRequest.decode(Data("nope".utf8)) }
        #expect(QueryError.refused("x").httpStatus == 400)
        #expect(QueryError.timeout(.seconds(1)).errorJSON.contains(#""kind":"timeout""#))
    }

    @Test func jsonLineParserKeepsOrderAndNonFiniteNumbers() throws {
        let fields = try QueryValue.duckDBRow(Array(#"{"z":NaN,"a":-Infinity,"m":{"y":1,"b":[true,null]},"u":"\u00e9\ud83d\ude00","big":123456789012345678901}"#.utf8))
        #expect(fields.map(\.0) == ["z", "a", "m", "u", "big"])
        #expect(fields[0].1 == .double(.nan))
        #expect(fields[1].1 == .double(-.infinity))
        #expect(fields[2].1 == .object([("y", .int(1)), ("b", .array([.bool(true), .null]))]))
        #expect(fields[3].1 == .string("é😀"))
        #expect(fields[4].1 == .string("123456789012345678901"))
    }
}

extension Array where Element: Hashable {
    var asSet: Set<Element> { Set(self) }
}

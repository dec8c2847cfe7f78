import Foundation
import ObjectStore
import TributaryTesting

/// `tributary-bench objectstore [--large-count N] [--small-count N] [--concurrency 1,8]`:
/// PUT and GET of 64 × 8 MiB and 1,000 × 10 KB objects against one moto_server on
/// loopback, through our S3 client and through boto3 (Benchmarks/peers/objectstore_boto3.py)
/// in the same run; prints throughput and the ratio ours / boto3.
enum ObjectStoreBench {
    struct Workload {
        var largeCount = 64
        var largeSize = 8 * 1_048_576
        var smallCount = 1000
        var smallSize = 10_000
        var concurrencies = [1, 8]
        /// `--unsigned-payload`: send UNSIGNED-PAYLOAD (no SHA-256 of bodies), to see what hashing costs.
        var unsignedPayload = false
    }

    static func run(_ args: [String]) async throws {
        var workload = Workload()
        var i = 0
        while i < args.count {
            let value = i + 1 < args.count ? args[i + 1] : ""
            switch args[i] {
            case "--large-count": workload.largeCount = Int(value) ?? workload.largeCount
            case "--small-count": workload.smallCount = Int(value) ?? workload.smallCount
            case "--concurrency": workload.concurrencies = value.split(separator: ",").compactMap { Int($0) }
            case "--unsigned-payload":
                workload.unsignedPayload = true
                i -= 1
            default: break
            }
            i += 2
        }

        let port = try freeLoopbackPort()
        let moto = try ManagedProcess(
            TestEnvironment.nativeTool("moto_server"), ["-H", "127.0.0.1", "-p", String(port)], port: port,
            environment: ["AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"], timeout: 60)
        defer { moto.stop() }
        let endpoint = "http://127.0.0.1:\(port)"
        let store = try S3ObjectStore(configuration: S3Configuration(
            bucket: "bench", endpoint: endpoint,
            credentials: S3Credentials(accessKeyId: "test", secretAccessKey: "test"),
            signPayload: !workload.unsignedPayload))
        try await store.ensureBucket()

        print("objectstore: moto_server on loopback; \(workload.largeCount) × \(workload.largeSize >> 20) MiB and "
            + "\(workload.smallCount) × \(workload.smallSize / 1000) KB; ours = Tributary S3 client (SigV4, signed payload), "
            + "peer = boto3 (defaults), same server, same run")
        // Context for the PUT rows: both clients hash every body (SigV4 payload hash).
        let sample = Data(repeating: 0x5A, count: workload.largeSize)
        let hashStart = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<8 { _ = SigV4Signer.sha256Hex(sample) }
        let hashSeconds = Double(DispatchTime.now().uptimeNanoseconds - hashStart) / 1e9
        print(String(format: "payload SHA-256 (swift-crypto) on this machine: %.0f MB/s", 8 * Double(workload.largeSize) / 1e6 / hashSeconds))
        print(pad("operation", 22) + pad("ours MB/s", 11) + pad("ours op/s", 11) + pad("boto3 MB/s", 12)
            + pad("boto3 op/s", 12) + "ours/boto3")
        // Warm-up, untimed: moto keeps objects in its heap, and the first client to store
        // 512 MiB would otherwise pay for growing it.
        _ = try await runOurs(store, workload, concurrency: 4)
        var ratios: [Double] = []
        for (round, concurrency) in workload.concurrencies.enumerated() {
            // Alternate who goes first so neither always meets a warmer server.
            var ours: [String: Double] = [:]
            var peer: [String: Double] = [:]
            if round % 2 == 0 {
                ours = try await runOurs(store, workload, concurrency: concurrency)
                peer = try runPeer(endpoint: endpoint, workload, concurrency: concurrency)
            } else {
                peer = try runPeer(endpoint: endpoint, workload, concurrency: concurrency)
                ours = try await runOurs(store, workload, concurrency: concurrency)
            }
            for phase in ["put_large", "get_large", "put_small", "get_small"] {
                let (count, size) = phase.hasSuffix("large")
                    ? (workload.largeCount, workload.largeSize) : (workload.smallCount, workload.smallSize)
                let bytes = Double(count * size) / 1e6
                let oursSeconds = ours[phase] ?? .nan
                let peerSeconds = peer[phase] ?? .nan
                let ratio = peerSeconds / oursSeconds
                ratios.append(ratio)
                let name = (phase.hasPrefix("put") ? "PUT " : "GET ")
                    + (phase.hasSuffix("large") ? "\(workload.largeSize >> 20) MiB" : "\(workload.smallSize / 1000) KB")
                    + " c=\(concurrency)"
                print(pad(name, 22) + pad(fmt(bytes / oursSeconds), 11) + pad(fmt(Double(count) / oursSeconds), 11)
                    + pad(fmt(bytes / peerSeconds), 12) + pad(fmt(Double(count) / peerSeconds), 12)
                    + String(format: "%.2f×", ratio))
            }
        }
        let geomean = exp(ratios.map { log($0) }.reduce(0, +) / Double(ratios.count))
        print(String(format: "geometric mean ours/boto3: %.2f× (min %.2f×, target ≥ 1.0×)", geomean, ratios.min() ?? 0))
    }

    /// Seconds per phase for our client.
    static func runOurs(_ store: S3ObjectStore, _ w: Workload, concurrency: Int) async throws -> [String: Double] {
        let pattern = (0..<256).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }
        var buffer = Data(capacity: w.largeSize)
        for _ in 0..<(w.largeSize / 256) { buffer.append(contentsOf: pattern) }
        let large = buffer
        let small = Data(large.prefix(w.smallSize))
        let prefix = "ours-c\(concurrency)/"
        var result: [String: Double] = [:]
        let largeKeys = (0..<w.largeCount).map { "\(prefix)large/\($0)" }
        result["put_large"] = try await timed(largeKeys, concurrency) { try await store.put($0, large) }
        result["get_large"] = try await timed(largeKeys, concurrency) { key in
            let data = try await store.get(key)
            precondition(data.count == w.largeSize)
        }
        try await store.delete(largeKeys)
        let smallKeys = (0..<w.smallCount).map { "\(prefix)small/\($0)" }
        result["put_small"] = try await timed(smallKeys, concurrency) { try await store.put($0, small) }
        result["get_small"] = try await timed(smallKeys, concurrency) { key in
            let data = try await store.get(key)
            precondition(data.count == w.smallSize)
        }
        try await store.delete(smallKeys)
        return result
    }

    static func timed(
        _ keys: [String], _ concurrency: Int, _ operation: @escaping @Sendable (String) async throws -> Void
    ) async throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            while next < min(concurrency, keys.count) {
                let key = keys[next]
                group.addTask { try await operation(key) }
                next += 1
            }
            while try await group.next() != nil {
                if next < keys.count {
                    let key = keys[next]
                    group.addTask { try await operation(key) }
                    next += 1
                }
            }
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func runPeer(endpoint: String, _ w: Workload, concurrency: Int) throws -> [String: Double] {
        let script = TestEnvironment.packageRoot.appendingPathComponent("Benchmarks/peers/objectstore_boto3.py").path
        let output = try runPython([
            script, endpoint, "bench", String(concurrency), String(w.largeCount), String(w.largeSize),
            String(w.smallCount), String(w.smallSize),
        ])
        let decoded = try JSONSerialization.jsonObject(with: output.stdout) as? [String: Double]
        return decoded ?? [:]
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    static func fmt(_ value: Double) -> String { String(format: "%.1f", value) }
}

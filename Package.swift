// swift-tools-version:6.1
import PackageDescription

// librdkafka 2.16 comes from the confluent-kafka wheel; `make setup` links it into
// .native/lib (see scripts/setup.sh). Debian's 2.0.2 headers are used to compile.
let nativeLib = Context.packageDirectory + "/.native/lib"
let rdkafkaLinker: [LinkerSetting] = [
    .unsafeFlags(["-L\(nativeLib)", "-Xlinker", "-rpath", "-Xlinker", nativeLib]),
]

let package = Package(
    name: "Tributary",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tributary", targets: ["tributary"]),
        .library(name: "KafkaClient", targets: ["KafkaClient"]),
        // ObjectStore (issue 5)
        .library(name: "ObjectStore", targets: ["ObjectStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // ObjectStore (issue 5): S3 REST client over HTTP, SigV4 hashing/HMAC.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .systemLibrary(name: "CRdKafka", path: "Sources/CRdKafka"),
        .target(
            name: "KafkaClient",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            linkerSettings: rdkafkaLinker
        ),
        .executableTarget(
            name: "tributary",
            dependencies: [
                "KafkaClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            linkerSettings: rdkafkaLinker
        ),
        // Helpers every test target and benchmark shares: package root, .venv python,
        // free ports, child processes (test servers, oracles).
        .target(name: "TributaryTesting", path: "Sources/TributaryTesting"),
        .executableTarget(
            name: "tributary-bench",
            dependencies: ["KafkaClient", "TributaryTesting", "ObjectStore"],
            path: "Benchmarks/TributaryBench",
            linkerSettings: rdkafkaLinker
        ),
        // ObjectStore (issue 5): one protocol, memory / local folder / S3 backends.
        .target(
            name: "ObjectStore",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ObjectStoreTests",
            dependencies: [
                "ObjectStore", "TributaryTesting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // End ObjectStore (issue 5).
        .testTarget(
            name: "KafkaClientTests",
            dependencies: ["KafkaClient", "TributaryTesting"],
            linkerSettings: rdkafkaLinker
        ),
    ],
    swiftLanguageModes: [.v6]
)

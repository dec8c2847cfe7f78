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
        .library(name: "Parquet", targets: ["Parquet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
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
                "Parquet",
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
            dependencies: ["KafkaClient", "Parquet", "TributaryTesting"],
            path: "Benchmarks/TributaryBench",
            linkerSettings: rdkafkaLinker
        ),
        .testTarget(
            name: "KafkaClientTests",
            dependencies: ["KafkaClient", "TributaryTesting"],
            exclude: ["interop"],
            linkerSettings: rdkafkaLinker
        ),
        // End-to-end tests of the `tributary` binary (built alongside the tests).
        .testTarget(
            name: "TributaryCLITests",
            dependencies: ["tributary", "KafkaClient", "TributaryTesting"],
            linkerSettings: rdkafkaLinker
        ),

        // MARK: Parquet (issue 4): codecs as system libraries, the pure-Swift format module.
        .systemLibrary(name: "CSnappy", path: "Sources/CSnappy"),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "Parquet", dependencies: ["CSnappy", "CZstd", "CZlib"], path: "Sources/Parquet"),
        .testTarget(
            name: "ParquetTests",
            dependencies: ["Parquet", "TributaryTesting"],
            path: "Tests/ParquetTests",
            exclude: ["oracle"]
        ),
        // MARK: end Parquet
    ],
    swiftLanguageModes: [.v6]
)

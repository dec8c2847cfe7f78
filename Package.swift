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
        .library(name: "Pipeline", targets: ["Pipeline"]),
        // ObjectStore (issue 5)
        .library(name: "ObjectStore", targets: ["ObjectStore"]),
        // Hudi (issue 6)
        .library(name: "Hudi", targets: ["Hudi"]),
        // Query (issue 9)
        .library(name: "Query", targets: ["Query"]),
        // Catalog (issue 12)
        .library(name: "Catalog", targets: ["Catalog"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        // ObjectStore (issue 5): S3 REST client over HTTP, SigV4 hashing/HMAC.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // MARK: Web (issue 10): the HTTP server for the web app.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // MARK: Monitoring (issue 11): metrics API for every module, Prometheus export in Monitoring only.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // The shared core: columnar model, schema fields, JSON, Avro, retry, child processes.
        .target(name: "TributaryCore", dependencies: [.product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "TributaryCoreTests", dependencies: ["TributaryCore", "TributaryTesting"]),
        .systemLibrary(name: "CRdKafka", path: "Sources/CRdKafka"),
        .target(
            name: "KafkaClient",
            dependencies: [
                "CRdKafka", "TributaryCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            linkerSettings: rdkafkaLinker
        ),
        .executableTarget(
            name: "tributary",
            dependencies: [
                "TributaryCore", "KafkaClient",
                "Parquet",
                "Pipeline",
                "TributaryConfig",
                "Hudi",
                "ObjectStore",
                "Web",
                "Query",
                "Monitoring",
                "MonitoringCore",
                "Catalog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            linkerSettings: rdkafkaLinker
        ),
        // Helpers every test target and benchmark shares: package root, .venv python,
        // free ports, child processes (test servers, oracles).
        .target(name: "TributaryTesting", dependencies: ["TributaryCore", .product(name: "Logging", package: "swift-log")],
                path: "Sources/TributaryTesting"),
        .executableTarget(
            name: "tributary-bench",
            dependencies: ["TributaryCore", "KafkaClient", "Parquet", "TributaryTesting", "ObjectStore", "Hudi", "Query", "Pipeline",
                           .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/TributaryBench",
            linkerSettings: rdkafkaLinker
        ),
        // ObjectStore (issue 5): one protocol, memory / local folder / S3 backends.
        .target(
            name: "ObjectStore",
            dependencies: [
                "TributaryCore", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ObjectStoreTests",
            dependencies: [
                "TributaryCore", "ObjectStore", "ObjectStoreTesting", "TributaryTesting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            // aws/: moto with authentication plus STS, IMDSv2 and container stand-ins (Python).
            exclude: ["aws"]
        ),
        // End ObjectStore (issue 5).
        // moto_server (a real S3 API) for the test targets that need S3.
        .target(name: "ObjectStoreTesting", dependencies: ["TributaryCore", "ObjectStore", "TributaryTesting"]),
        // A shared embedded broker and helpers for tests that need Kafka.
        .target(name: "KafkaTesting", dependencies: ["KafkaClient", "TributaryTesting"], linkerSettings: rdkafkaLinker),
        .testTarget(
            name: "KafkaClientTests",
            dependencies: ["KafkaClient", "KafkaTesting", "TributaryTesting"],
            exclude: ["interop"],
            linkerSettings: rdkafkaLinker
        ),
        // End-to-end tests of the `tributary` binary (built alongside the tests).
        .testTarget(
            name: "TributaryCLITests",
            dependencies: ["TributaryCore", "tributary", "KafkaClient", "Pipeline", "Hudi", "ObjectStore", "TributaryTesting", "ObjectStoreTesting", "Catalog", "CatalogTesting"],
            // The hudi-rs oracle of the stack's durability tests; the SASL gateway of the SASL tests.
            exclude: ["oracle", "kafka"],
            linkerSettings: rdkafkaLinker
        ),

        // deploy/: the Kubernetes manifests validated offline, and the container started
        // exactly as they start it (command, env, probes) against Tansu and moto.
        .testTarget(
            name: "DeployTests",
            dependencies: ["tributary", "ObjectStoreTesting", "TributaryTesting"],
            exclude: ["kubernetes"],
            linkerSettings: rdkafkaLinker
        ),

        // MARK: Parquet (issue 4): codecs as system libraries, the pure-Swift format module.
        .systemLibrary(name: "CSnappy", path: "Sources/CSnappy"),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "Parquet", dependencies: ["TributaryCore", "CSnappy", "CZstd", "CZlib"], path: "Sources/Parquet"),
        .testTarget(
            name: "ParquetTests",
            dependencies: ["TributaryCore", "Parquet", "TributaryTesting"],
            path: "Tests/ParquetTests",
            exclude: ["oracle"]
        ),
        // MARK: end Parquet

        // MARK: Pipeline: topic schemas, validation, the processor.
        .target(
            name: "Pipeline",
            dependencies: [
                "TributaryCore", "KafkaClient", "Hudi", "ObjectStore", "MonitoringCore", "TributaryConfig",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The seed streams: definitions and JSON Schemas as files.
            resources: [.copy("Resources/streams")],
            linkerSettings: rdkafkaLinker
        ),
        .testTarget(
            name: "PipelineTests",
            dependencies: ["TributaryCore", "Pipeline", "Parquet", "KafkaClient", "Hudi", "ObjectStore", "KafkaTesting", "ObjectStoreTesting", "TributaryTesting",
                           "Monitoring", "Catalog", "CatalogTesting"],
            resources: [.copy("Fixtures")],
            linkerSettings: rdkafkaLinker
        ),
        // MARK: end Pipeline

        // MARK: Configuration: tributary.toml < TRIBUTARY_* environment < flags.
        // The configuration keys (name, kind, default, help) are a resource file.
        .target(name: "TributaryConfig", dependencies: ["TributaryCore", .product(name: "TOMLKit", package: "TOMLKit")],
                resources: [.copy("Resources/keys.json")]),
        .testTarget(name: "TributaryConfigTests", dependencies: ["TributaryConfig", "TributaryTesting"]),
        // MARK: Hudi (issue 6): copy-on-write tables over Parquet + ObjectStore.
        .target(
            name: "Hudi",
            dependencies: [
                "TributaryCore", "Parquet", "ObjectStore",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Hudi",
            // The Avro schemas of the service records (rollback, clean, compaction plans).
            resources: [.copy("Resources/avro")]
        ),
        // Writes deterministic commits in a loop, pausing at a chosen commit phase; the
        // crash tests SIGKILL it (Tests/HudiTests/CrashTests.swift).
        .executableTarget(
            name: "hudi-crash-writer",
            dependencies: ["TributaryCore", "Hudi", "ObjectStore", "Parquet", "TributaryTesting"],
            path: "Tests/HudiCrashWriter"
        ),
        .testTarget(
            name: "HudiTests",
            dependencies: ["TributaryCore", "Hudi", "Parquet", "ObjectStore", "TributaryTesting", "hudi-crash-writer"],
            path: "Tests/HudiTests",
            // oracle/: hudi-rs and fastavro readers; fixtures/: Spark-written merge-on-read tables.
            exclude: ["oracle", "fixtures"]
        ),
        // MARK: end Hudi

        // MARK: Web (issue 10): ingest forms, bulk upload, generator, Kafka UI over hummingbird.
        .target(
            name: "Web",
            dependencies: [
                "TributaryCore", "KafkaClient", "Pipeline", "Query", "Hudi", "ObjectStore", "Monitoring", "MonitoringCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The pages' scripts and styles, and the OpenAPI document (a bundle next to the binary).
            resources: [.copy("Resources/assets"), .copy("Resources/openapi.json")],
            linkerSettings: rdkafkaLinker
        ),
        .testTarget(
            name: "WebTests",
            dependencies: [
                "Web", "KafkaClient", "Pipeline", "KafkaTesting", "TributaryTesting", "Query", "Hudi", "ObjectStore", "Monitoring", "MonitoringCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            // The headless-Chromium driver script, run by BrowserEndToEndTests.
            exclude: ["browser"],
            linkerSettings: rdkafkaLinker
        ),
        // MARK: end Web
        // MARK: Query (issue 9): SQL over the lake with the DuckDB CLI over Hudi-aware views.
        .target(
            name: "Query",
            dependencies: [
                "TributaryCore", "Hudi", "ObjectStore", "MonitoringCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Query"
        ),
        .testTarget(
            name: "QueryTests",
            dependencies: ["TributaryCore", "Query", "Hudi", "ObjectStore", "Pipeline", "Parquet", "TributaryTesting"],
            path: "Tests/QueryTests",
            exclude: ["oracle", "kafka"],
            linkerSettings: rdkafkaLinker
        ),
        // MARK: end Query

        // MARK: Monitoring (issue 11): MonitoringCore holds the metric names and the alert and
        // readiness types (swift-metrics only, for every module); Monitoring is the Prometheus
        // side: export, in-process alert rules, webhooks, metrics server, Prometheus child.
        .target(
            name: "MonitoringCore",
            dependencies: [.product(name: "Metrics", package: "swift-metrics")],
            // The metric catalog: name, type, labels, help, buckets of every family.
            resources: [.copy("Resources/metrics.json")]
        ),
        .target(
            name: "Monitoring",
            dependencies: [
                "TributaryCore",
                "MonitoringCore",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "MonitoringTests",
            dependencies: [
                "Monitoring", "MonitoringCore", "TributaryTesting", "Pipeline", "Hudi", "ObjectStore", "KafkaClient", "KafkaTesting",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            linkerSettings: rdkafkaLinker
        ),
        // MARK: end Monitoring

        // MARK: Catalog (issue 12): Iceberg metadata for Hudi tables (XTable-style), REST catalogs.
        .target(
            name: "Catalog",
            dependencies: [
                "TributaryCore", "Hudi", "Parquet", "ObjectStore", "MonitoringCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            // The manifest list's Avro schema.
            resources: [.copy("Resources/manifest_list.avsc")]
        ),
        // Catalog servers of the tests (SeaweedFS, lakana on PostgreSQL), event tables, the pyiceberg oracle.
        .target(
            name: "CatalogTesting",
            dependencies: ["TributaryCore", "Catalog", "Hudi", "Parquet", "ObjectStore", "ObjectStoreTesting", "TributaryTesting"]
        ),
        .testTarget(
            name: "CatalogTests",
            dependencies: ["TributaryCore", "Catalog", "CatalogTesting", "Hudi", "Parquet", "ObjectStore", "ObjectStoreTesting", "TributaryTesting",
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            exclude: ["oracle"]
        ),
        // MARK: end Catalog
    ],
    swiftLanguageModes: [.v6]
)

import Foundation
import Testing
import TributaryTesting
@testable import TributaryConfig

@Suite struct TributaryConfigTests {
    func write(_ toml: String) throws -> String {
        let dir = try TestEnvironment.temporaryDirectory("config")
        let path = dir.appendingPathComponent("tributary.toml").path
        try toml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theKeyCatalogFileDecodesEveryKind() throws {
        let keys = try ConfigKey.loadCatalog()
        #expect(keys.map(\.name) == ConfigKey.all.map(\.name))
        #expect(Set(keys.map(\.name)).count == keys.count)
        #expect(ConfigKey.named("kafka.partitions")?.kind == .int(1...10_000))
        #expect(ConfigKey.named("kafka.security.protocol")?.kind == .choice(["plaintext", "ssl", "sasl_plaintext", "sasl_ssl"]))
        #expect(ConfigKey.named("metrics.listen")?.kind == .listen(optional: true))
        #expect(ConfigKey.named("catalog.uri")?.kind == .httpURL)
        #expect(ConfigKey.named("web.auth_token")?.kind == .secret)
        #expect(ConfigKey.named("state_dir")?.defaultValue == ".tributary")
        // Every default passes its own kind's check.
        for key in keys { #expect(throws: Never.self, "\(key.name)") { try TributaryConfig.validate(key.defaultValue, key.kind) } }
    }

    @Test func precedenceIsFlagOverEnvironmentOverFileOverDefault() throws {
        let path = try write("""
            [kafka]
            bootstrap_servers = "file:9092"
            partitions = 3
            [kafka.properties]
            "security.protocol" = "SASL_SSL"
            [processing]
            interval = "5s"
            parallelism = 4
            """)
        let config = try TributaryConfig.load(
            file: path,
            environment: ["TRIBUTARY_KAFKA_BOOTSTRAP_SERVERS": "env:9092", "TRIBUTARY_PROCESSING_INTERVAL": "500ms"],
            overrides: ["processing.parallelism": "8"])
        #expect(config.bootstrapServers == "env:9092")
        #expect(config.entries["kafka.bootstrap_servers"]?.source == .environment("TRIBUTARY_KAFKA_BOOTSTRAP_SERVERS"))
        #expect(config.int("kafka.partitions") == 3)
        #expect(config.duration("processing.interval") == .milliseconds(500))
        #expect(config.int("processing.parallelism") == 8)
        #expect(config.entries["processing.parallelism"]?.source == .flag)
        #expect(config.kafkaProperties == ["security.protocol": "SASL_SSL"])
        #expect(config.string("storage.uri") == "file://./lake")
        #expect(config.int("hudi.cleaner.commits_retained") == 10)
        #expect(config.bytes("hudi.max_file_size") == 120 * 1_048_576)
    }

    @Test func badValuesSayWhereAndWhat() throws {
        #expect { try TributaryConfig.load(file: "/nonexistent/tributary.toml", environment: [:]) } throws: {
            "\($0)".contains("does not exist")
        }
        #expect { try TributaryConfig.load(environment: ["TRIBUTARY_PROCESSING_INTERVAL": "soon"]) } throws: {
            "\($0)".contains("TRIBUTARY_PROCESSING_INTERVAL") && "\($0)".contains("duration")
        }
        let typo = try write("[processing]\nintervall = \"5s\"\n")
        #expect { try TributaryConfig.load(file: typo, environment: [:]) } throws: {
            "\($0)".contains("unknown configuration key 'processing.intervall'") && "\($0)".contains("processing.interval")
        }
        let broken = try write("[kafka\nx = 1\n")
        #expect { try TributaryConfig.load(file: broken, environment: [:]) } throws: { "\($0)".contains("invalid TOML at line 1") }
        #expect { try TributaryConfig.load(environment: [:], overrides: ["kafka.partitions": "0"]) } throws: {
            "\($0)".contains("kafka.partitions") && "\($0)".contains("integer")
        }
    }

    @Test func showMasksSecrets() throws {
        let config = try TributaryConfig.load(environment: [
            "TRIBUTARY_S3_SECRET_ACCESS_KEY": "very-secret", "TRIBUTARY_WEB_AUTH_TOKEN": "tok",
        ], overrides: ["kafka.properties.sasl.password": "pw"])
        let text = config.render()
        #expect(!text.contains("very-secret"))
        #expect(!text.contains("\"tok\""))
        #expect(!text.contains("\"pw\""))
        #expect(text.contains("s3.secret_access_key = \"********\"  # env TRIBUTARY_S3_SECRET_ACCESS_KEY"))
        #expect(text.contains("processing.interval = \"10s\"  # default"))
    }

    @Test func durationsAndSizes() throws {
        #expect(try TributaryConfig.parseDuration("7d") == .seconds(604_800))
        #expect(try TributaryConfig.parseDuration("1.5s") == .milliseconds(1500))
        #expect(try TributaryConfig.parseBytes("64KiB") == 65_536)
        #expect(try TributaryConfig.parseBytes("120MB") == 120_000_000)
        #expect(throws: ConfigError.self) { try TributaryConfig.parseBytes("-1") }
    }

    @Test func listenAddressesAreCheckedWhenLoaded() throws {
        #expect(throws: ConfigError.self) { try ListenAddress(parsing: "nonsense") }
        #expect(throws: ConfigError.self) { try ListenAddress(parsing: "127.0.0.1:70000") }
        #expect(try ListenAddress(parsing: ":9000") == ListenAddress(host: "0.0.0.0", port: 9000))
        #expect(try ListenAddress(parsing: "[::1]:81") == ListenAddress(host: "::1", port: 81))
        let defaults = try TributaryConfig.load(environment: [:])
        #expect(defaults.listenAddress("web.listen") == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(defaults.listenAddress("metrics.listen") == ListenAddress(host: "127.0.0.1", port: 9464))
        // An empty metrics.listen turns the processor's metrics server off; the web app needs an address.
        #expect(try TributaryConfig.load(environment: [:], overrides: ["metrics.listen": ""]).listenAddress("metrics.listen") == nil)
        #expect { try TributaryConfig.load(environment: [:], overrides: ["web.listen": ""]) } throws: {
            "\($0)".contains("web.listen") && "\($0)".contains("host:port")
        }
        #expect { try TributaryConfig.load(environment: ["TRIBUTARY_METRICS_LISTEN": "localhost"]) } throws: {
            "\($0)".contains("TRIBUTARY_METRICS_LISTEN") && "\($0)".contains("host:port")
        }
    }

    @Test func alertKeysValidateTheirValues() throws {
        let config = try TributaryConfig.load(environment: ["TRIBUTARY_ALERTS_WEBHOOK_FORMAT": "SLACK"])
        #expect(config.string("alerts.webhook_format") == "SLACK")
        #expect(config.string("metrics.listen") == "127.0.0.1:9464")
        #expect(config.duration("alerts.evaluation_interval") == .seconds(5))
        #expect { try TributaryConfig.load(environment: ["TRIBUTARY_ALERTS_WEBHOOK_FORMAT": "teams"]) } throws: {
            "\($0)".contains("alerts.webhook_format") && "\($0)".contains("json, slack")
        }
        #expect { try TributaryConfig.load(environment: ["TRIBUTARY_ALERTS_WEBHOOK_URL": "hooks.example/x"]) } throws: {
            "\($0)".contains("TRIBUTARY_ALERTS_WEBHOOK_URL") && "\($0)".contains("http")
        }
        let hook = try TributaryConfig.load(environment: ["TRIBUTARY_ALERTS_WEBHOOK_URL": "https://hooks.example/services/T0"])
        #expect(hook.string("alerts.webhook_url") == "https://hooks.example/services/T0")
    }

    @Test func catalogKeysTwoSettingsEnableSyncAndBadValuesAreClear() throws {
        let off = try TributaryConfig.load(environment: [:])
        #expect(off.catalogURI == nil)
        #expect(off.catalogNamespace == ["tributary"])
        #expect(off.duration("catalog.sync_interval") == .seconds(10))
        #expect(off.string("catalog.metadata") == "table")
        #expect(try TributaryConfig.load(environment: ["TRIBUTARY_CATALOG_METADATA": "catalog"]).string("catalog.metadata") == "catalog")
        let on = try TributaryConfig.load(environment: [
            "TRIBUTARY_CATALOG_URI": "http://127.0.0.1:8181", "TRIBUTARY_CATALOG_WAREHOUSE": "lakehouse",
            "TRIBUTARY_CATALOG_CREDENTIAL": "client:s3cr:et",
        ], overrides: ["catalog.namespace": "lake.events"])
        #expect(on.catalogURI == "http://127.0.0.1:8181")
        #expect(on.string("catalog.warehouse") == "lakehouse")
        #expect(on.catalogNamespace == ["lake", "events"])
        #expect(!on.render().contains("s3cr"))
        let toml = try write("[catalog]\nuri = \"https://polaris.example/api/catalog\"\nscope = \"PRINCIPAL_ROLE:ALL\"\nsync_interval = \"30s\"\n")
        let file = try TributaryConfig.load(file: toml, environment: [:])
        #expect(file.catalogURI == "https://polaris.example/api/catalog")
        #expect(file.duration("catalog.sync_interval") == .seconds(30))

        #expect { try TributaryConfig.load(environment: ["TRIBUTARY_CATALOG_URI": "127.0.0.1:8181"]) } throws: {
            "\($0)".contains("TRIBUTARY_CATALOG_URI") && "\($0)".contains("http")
        }
        #expect { try TributaryConfig.load(environment: ["TRIBUTARY_CATALOG_CREDENTIAL": "justasecret"]) } throws: {
            "\($0)".contains("catalog.credential (env TRIBUTARY_CATALOG_CREDENTIAL)") && "\($0)".contains("CLIENT_ID:SECRET")
        }
        #expect { try TributaryConfig.load(environment: ["TRIBUTARY_CATALOG_TOKEN": "t"], overrides: ["catalog.credential": "a:b"]) } throws: {
            "\($0)".contains("both set")
        }
        #expect { try TributaryConfig.load(environment: [:], overrides: ["catalog.namespace": "a..b"]) } throws: {
            "\($0)".contains("catalog.namespace") && "\($0)".contains("dot-separated")
        }
        #expect { try TributaryConfig.load(environment: [:], overrides: ["catalog.sync_interval": "1ms"]) } throws: {
            "\($0)".contains("catalog.sync_interval (flag)") && "\($0)".contains("at least")
        }
        #expect { try TributaryConfig.load(environment: [:], overrides: ["catalog.metadata": "elsewhere"]) } throws: {
            "\($0)".contains("catalog.metadata")
        }
    }
}

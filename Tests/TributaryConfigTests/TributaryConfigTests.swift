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
}

/// One configuration key: its name (`section.key`), kind, default and help.
public struct ConfigKey: Sendable {
    public enum Kind: Sendable, Equatable {
        case string
        /// Masked in `config show`.
        case secret
        case int(ClosedRange<Int>)
        case bool
        /// `10s`, `500ms`, `2m`, `1h`, `7d`.
        case duration
        /// `100MiB`, `64KB`, `1048576`.
        case bytes
        /// One of the listed words (compared case-insensitively).
        case choice([String])
        /// Empty, or an `http://` / `https://` URL with a host.
        case httpURL
        /// A listen address (`host:port`, `[v6]:port`, `:port`); `optional`: empty turns the server off.
        case listen(optional: Bool)
        /// Dot-separated names (`tributary`, `lake.events`) of letters, digits, `_` and `-`.
        case namespace
    }

    public var name: String
    public var kind: Kind
    public var defaultValue: String
    public var help: String

    public init(_ name: String, _ kind: Kind, _ defaultValue: String, _ help: String) {
        (self.name, self.kind, self.defaultValue, self.help) = (name, kind, defaultValue, help)
    }

    /// The environment variable that overrides this key: `TRIBUTARY_` + upper-case name,
    /// dots as underscores.
    public var environmentVariable: String {
        "TRIBUTARY_" + name.uppercased().replacingOccurrences(of: ".", with: "_")
    }
}

extension ConfigKey {
    /// Every key Tributary reads (architecture.md, "Configuration").
    public static let all: [ConfigKey] = [
        ConfigKey("state_dir", .string, ".tributary",
                  "the stack's state folder: the embedded broker's log and address, Prometheus's data, the lock of `tributary up`"),
        ConfigKey("kafka.bootstrap_servers", .string, "", "Kafka bootstrap servers; empty starts the embedded broker"),
        ConfigKey("kafka.embedded_storage", .choice(["durable", "memory"]), "durable",
                  "the embedded broker's log: durable (kept under state_dir across stops and crashes) or memory (lost when it stops)"),
        ConfigKey("kafka.partitions", .int(1...10_000), "1", "partitions of topics Tributary creates"),
        ConfigKey("kafka.replication", .int(1...100), "1", "replication factor of topics Tributary creates"),
        ConfigKey("kafka.retention", .duration, "7d", "retention of topics Tributary creates (retention.ms)"),
        ConfigKey("kafka.security.protocol", .choice(["plaintext", "ssl", "sasl_plaintext", "sasl_ssl"]), "plaintext",
                  "PLAINTEXT, SSL (TLS), SASL_PLAINTEXT or SASL_SSL (SASL over TLS)"),
        ConfigKey("kafka.sasl.mechanism", .choice(["plain", "scram-sha-256", "scram-sha-512"]), "scram-sha-512",
                  "SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512"),
        ConfigKey("kafka.sasl.username", .string, "", "SASL user name"),
        ConfigKey("kafka.sasl.password", .secret, "", "SASL password (better: TRIBUTARY_KAFKA_SASL_PASSWORD or kafka.sasl.password_file)"),
        ConfigKey("kafka.sasl.password_file", .string, "", "file holding the SASL password (e.g. a mounted Secret); a trailing newline is ignored"),
        ConfigKey("kafka.tls.ca_file", .string, "", "PEM CA certificate(s) the brokers' certificates are checked against; empty: the system's"),
        ConfigKey("kafka.tls.cert_file", .string, "", "PEM client certificate (mutual TLS)"),
        ConfigKey("kafka.tls.key_file", .string, "", "PEM private key of kafka.tls.cert_file"),
        ConfigKey("kafka.tls.key_password", .secret, "", "password of an encrypted kafka.tls.key_file"),
        ConfigKey("kafka.tls.verify_hostname", .bool, "true", "check that a broker's certificate names the host connected to"),
        ConfigKey("storage.uri", .string, "file://./lake", "where the Hudi tables live: file://PATH or s3://BUCKET/PREFIX"),
        ConfigKey("s3.endpoint", .string, "", "S3 endpoint URL (moto, LocalStack, MinIO); empty: AWS"),
        ConfigKey("s3.region", .string, "us-east-1", "S3 region"),
        ConfigKey("s3.access_key_id", .secret, "", "S3 access key (else AWS_ACCESS_KEY_ID / ~/.aws/credentials)"),
        ConfigKey("s3.secret_access_key", .secret, "", "S3 secret key (else AWS_SECRET_ACCESS_KEY / ~/.aws/credentials)"),
        ConfigKey("s3.session_token", .secret, "", "S3 session token"),
        ConfigKey("s3.path_style", .bool, "false", "path-style S3 addressing (moto, MinIO)"),
        ConfigKey("s3.create_bucket", .bool, "true", "create the bucket when missing (turn off in production)"),
        ConfigKey("s3.sse", .string, "", "server-side encryption: empty, AES256 or aws:kms"),
        ConfigKey("s3.sse_kms_key_id", .string, "", "KMS key id for aws:kms"),
        ConfigKey("processing.interval", .duration, "10s", "micro-batch interval"),
        ConfigKey("processing.max_batch_records", .int(1...100_000_000), "500000", "a batch closes early at this many records"),
        ConfigKey("processing.max_batch_bytes", .bytes, "256MiB", "a batch closes early at this many bytes"),
        ConfigKey("processing.parallelism", .int(1...64), "2", "tables written in parallel (the seed's shuffle_parallelism)"),
        ConfigKey("processing.group_id", .string, "tributary-processor", "the processor's consumer group"),
        ConfigKey("hudi.cleaner.commits_retained", .int(1...10_000), "10", "commits whose files the cleaner keeps"),
        ConfigKey("hudi.table_type", .choice(["copy_on_write", "merge_on_read"]), "copy_on_write",
                  "type of new tables (merge_on_read: updates and deletes go to log files, compacted later); a table keeps its type"),
        ConfigKey("hudi.compaction.max_delta_commits", .int(0...10_000), "5",
                  "merge-on-read: compact after this many delta commits (in the background); 0: only by `tables compact`"),
        ConfigKey("hudi.delete_retention", .duration, "7d",
                  "how long a deleted key's ordering value is remembered, so an older upsert re-delivered meanwhile (a CDC connector restart) stays deleted; 0: not remembered"),
        ConfigKey("hudi.small_file_limit", .bytes, "100MiB", "base files below this size take new inserts"),
        ConfigKey("hudi.max_file_size", .bytes, "120MiB", "base files are capped at this size"),
        ConfigKey("web.listen", .listen(optional: false), "127.0.0.1:8080", "web app address"),
        ConfigKey("web.auth_token", .secret, "", "bearer token required by the web app and API; empty: none"),
        ConfigKey("metrics.listen", .listen(optional: true), "127.0.0.1:9464",
                  "where `tributary process` (no web app) serves /metrics, /healthz, /readyz; empty: off"),
        ConfigKey("alerts.evaluation_interval", .duration, "5s", "how often the alert rules are evaluated in-process"),
        ConfigKey("alerts.webhook_url", .httpURL, "", "POST alert notifications here (http:// or https://); empty: none"),
        ConfigKey("alerts.webhook_format", .choice(["json", "slack"]), "json",
                  "webhook body: json (Tributary's document) or slack ({\"text\": ...})"),
        ConfigKey("catalog.uri", .httpURL, "",
                  "Iceberg REST catalog base URI (e.g. http://127.0.0.1:8181, https://HOST/api/catalog for Polaris); empty: do not publish"),
        ConfigKey("catalog.warehouse", .string, "", "warehouse (Polaris: the catalog name) asked of GET /v1/config"),
        ConfigKey("catalog.prefix", .string, "", "REST path prefix when the server's /v1/config gives none"),
        ConfigKey("catalog.namespace", .namespace, "tributary", "namespace the tables are published in (dots: nested levels)"),
        ConfigKey("catalog.credential", .secret, "", "OAuth2 client credentials CLIENT_ID:SECRET (client_credentials grant)"),
        ConfigKey("catalog.token", .secret, "", "a fixed bearer token (instead of catalog.credential)"),
        ConfigKey("catalog.oauth2_server_uri", .httpURL, "", "OAuth2 token endpoint; empty: CATALOG_URI/v1/oauth/tokens"),
        ConfigKey("catalog.scope", .string, "", "OAuth2 scope (Polaris: PRINCIPAL_ROLE:ALL); empty: none sent"),
        ConfigKey("catalog.metadata", .choice(["table", "catalog"]), "table",
                  "where manifests go: table (the Hudi table's metadata/) or catalog (the location the catalog assigns; lakana)"),
        ConfigKey("catalog.sync_interval", .duration, "10s",
                  "how often the processor publishes new Hudi commits (and retries after an outage)"),
    ]

    public static func named(_ name: String) -> ConfigKey? { all.first { $0.name == name } }

    /// librdkafka properties passed through: `[kafka.properties]` in the file, `-X` flags.
    public static let kafkaPropertiesPrefix = "kafka.properties."
}

import Foundation

/// Where a store lives, parsed from a URI:
///
/// - `file://./lake`, `file:///var/lib/tributary/lake`, or a plain path: a local folder.
/// - `s3://bucket/prefix?region=eu-west-1&endpoint=http://127.0.0.1:5000&path_style=true`:
///   S3. Query options: `region`, `endpoint`, `path_style` (`true`/`false`), `profile`,
///   `sse` (`AES256` or `aws:kms`), `sse_kms_key_id`, `create_bucket` (`true`/`false`).
///   Credentials never go into the URI; they come from ``S3Options`` or the AWS SDKs'
///   chain (``S3CredentialChain``: environment, profile, web identity, container, IMDS).
/// - `memory://`: a fresh in-memory store (tests).
public struct ObjectStoreURI: Sendable, Equatable {
    public enum Location: Sendable, Equatable {
        case local(path: String)
        case s3(bucket: String)
        case memory
    }

    public var location: Location
    /// Key prefix inside the store (S3 only; for local folders it is part of the path).
    public var prefix: String
    /// The `?name=value` options.
    public var options: [String: String]

    /// Parses `text`; throws ``ObjectStoreError/failed(key:backend:message:)`` when it is not a store URI.
    public init(_ text: String) throws {
        func bad(_ why: String) -> ObjectStoreError {
            .failed(key: nil, backend: text, message: "invalid store URI: \(why)")
        }
        var body = text
        options = [:]
        if let mark = body.firstIndex(of: "?") {
            for pair in body[body.index(after: mark)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                let name = parts[0].removingPercentEncoding ?? parts[0]
                let value = parts.count > 1 ? (parts[1].removingPercentEncoding ?? parts[1]) : ""
                options[name] = value
            }
            body = String(body[..<mark])
        }
        if body.hasPrefix("s3://") || body.hasPrefix("s3a://") {
            let rest = body.drop(while: { $0 != "/" }).dropFirst(2)
            let bucket = String(rest.prefix(while: { $0 != "/" }))
            guard !bucket.isEmpty else { throw bad("no bucket") }
            var prefix = String(rest.dropFirst(bucket.count))
            while prefix.hasPrefix("/") { prefix.removeFirst() }
            while prefix.hasSuffix("/") { prefix.removeLast() }
            location = .s3(bucket: bucket)
            self.prefix = prefix
        } else if body.hasPrefix("memory://") {
            location = .memory
            prefix = ""
        } else if body.hasPrefix("file://") {
            let path = String(body.dropFirst("file://".count))
            guard !path.isEmpty else { throw bad("no path") }
            location = .local(path: path)
            prefix = ""
        } else if !body.contains("://") && !body.isEmpty {
            location = .local(path: body)
            prefix = ""
        } else {
            throw bad("unsupported scheme (use file://, s3:// or memory://)")
        }
    }
}

/// Settings for S3 stores that do not belong in a URI (credentials) or override it.
public struct S3Options: Sendable {
    public var credentials: S3Credentials?
    public var region: String?
    public var endpoint: String?
    public var pathStyle: Bool?
    public var profile: String?
    public var serverSideEncryption: ServerSideEncryption?
    public var createBucketIfMissing: Bool?
    /// Settings of the temporary-credential sources (web identity lifetime, refresh margin).
    public var credentialChain: S3CredentialChain.Options
    /// Applied last: any other field of the configuration.
    public var customize: (@Sendable (inout S3Configuration) -> Void)?

    public init(
        credentials: S3Credentials? = nil, region: String? = nil, endpoint: String? = nil, pathStyle: Bool? = nil,
        profile: String? = nil, serverSideEncryption: ServerSideEncryption? = nil, createBucketIfMissing: Bool? = nil,
        credentialChain: S3CredentialChain.Options = S3CredentialChain.Options(),
        customize: (@Sendable (inout S3Configuration) -> Void)? = nil
    ) {
        self.credentialChain = credentialChain
        self.credentials = credentials
        self.region = region
        self.endpoint = endpoint
        self.pathStyle = pathStyle
        self.profile = profile
        self.serverSideEncryption = serverSideEncryption
        self.createBucketIfMissing = createBucketIfMissing
        self.customize = customize
    }
}

/// Opens stores from URIs: the one entry point the CLI and the pipeline use.
public enum ObjectStores {
    /// Opens the store `uri` names, relative local paths resolved against `baseDirectory`
    /// (default: the working directory). S3 settings: `options` > URI query > environment
    /// (`AWS_REGION`, `AWS_ENDPOINT_URL_S3`/`AWS_ENDPOINT_URL`, credentials). With
    /// `create_bucket=true` (or the option) a missing bucket is created.
    /// The result is scoped to the URI's prefix.
    public static func open(
        _ uri: String, s3: S3Options = S3Options(), baseDirectory: URL? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> any ObjectStore {
        let parsed = try ObjectStoreURI(uri)
        switch parsed.location {
        case .memory:
            return MemoryObjectStore()
        case .local(let path):
            let base = baseDirectory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appendingPathComponent(path)
            return try LocalObjectStore(root: url)
        case .s3(let bucket):
            let configuration = try s3Configuration(bucket: bucket, uri: parsed, options: s3, environment: environment)
            let store = try S3ObjectStore(configuration: configuration)
            if configuration.createBucketIfMissing {
                try await store.ensureBucket()
            }
            return parsed.prefix.isEmpty ? store : try PrefixedObjectStore(base: store, prefix: parsed.prefix)
        }
    }

    /// The S3 configuration `uri` and `options` describe (exposed for tests and `config show`).
    public static func s3Configuration(
        bucket: String, uri: ObjectStoreURI, options: S3Options,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> S3Configuration {
        func flag(_ name: String) throws -> Bool? {
            guard let value = uri.options[name] else { return nil }
            switch value.lowercased() {
            case "true", "1", "yes", "": return true
            case "false", "0", "no": return false
            default:
                throw ObjectStoreError.failed(key: nil, backend: "s3://\(bucket)", message: "option \(name)=\(value) is not a boolean")
            }
        }
        let profile = options.profile ?? uri.options["profile"]
        var configuration = S3Configuration(bucket: bucket)
        configuration.region = options.region ?? uri.options["region"]
            ?? AWSRegion.resolve(profile: profile, environment: environment) ?? "us-east-1"
        configuration.endpoint = options.endpoint ?? uri.options["endpoint"]
            ?? environment["AWS_ENDPOINT_URL_S3"] ?? environment["AWS_ENDPOINT_URL"]
        configuration.pathStyle = try options.pathStyle ?? flag("path_style")
        configuration.profile = profile
        configuration.credentials = options.credentials
        if options.credentials == nil {
            do {
                configuration.credentialProvider = try S3CredentialChain.provider(
                    profile: profile, region: configuration.region, environment: environment,
                    httpClient: S3ObjectStore.sharedHTTPClient, options: options.credentialChain)
            } catch let error as S3CredentialError {
                throw ObjectStoreError.accessDenied(key: nil, backend: "s3://\(bucket)", message: error.description)
            }
        }
        if let sse = options.serverSideEncryption {
            configuration.serverSideEncryption = sse
        } else if let sse = uri.options["sse"] {
            switch sse.lowercased() {
            case "aes256", "s3", "sse-s3": configuration.serverSideEncryption = .s3
            case "aws:kms", "kms", "sse-kms": configuration.serverSideEncryption = .kms(keyId: uri.options["sse_kms_key_id"])
            default:
                throw ObjectStoreError.failed(key: nil, backend: "s3://\(bucket)", message: "unknown sse '\(sse)' (AES256 or aws:kms)")
            }
        }
        configuration.createBucketIfMissing = try options.createBucketIfMissing ?? flag("create_bucket") ?? false
        options.customize?(&configuration)
        return configuration
    }
}

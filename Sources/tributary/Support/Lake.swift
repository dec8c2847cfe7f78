import Foundation
import ObjectStore
import TributaryConfig

/// The lake's object store from the configuration (`storage.uri`, `s3.*`).
enum Lake {
    static func open(_ config: TributaryConfig) async throws -> any ObjectStore {
        try await ObjectStores.open(config.string("storage.uri"), s3: try s3Options(config))
    }

    /// The `s3.*` settings.
    static func s3Options(_ config: TributaryConfig) throws -> S3Options {
        var s3 = S3Options()
        let key = config.string("s3.access_key_id"), secret = config.string("s3.secret_access_key")
        if !key.isEmpty || !secret.isEmpty {
            s3.credentials = S3Credentials(
                accessKeyId: key, secretAccessKey: secret,
                sessionToken: config.string("s3.session_token").isEmpty ? nil : config.string("s3.session_token"))
        }
        if !config.string("s3.endpoint").isEmpty { s3.endpoint = config.string("s3.endpoint") }
        s3.region = config.string("s3.region")
        if config.entries["s3.path_style"]?.source != .defaultValue { s3.pathStyle = config.bool("s3.path_style") }
        s3.createBucketIfMissing = config.bool("s3.create_bucket")
        switch config.string("s3.sse").lowercased() {
        case "": break
        case "aes256": s3.serverSideEncryption = .s3
        case "aws:kms":
            let id = config.string("s3.sse_kms_key_id")
            s3.serverSideEncryption = .kms(keyId: id.isEmpty ? nil : id)
        default:
            throw ConfigError("s3.sse = '\(config.string("s3.sse"))': expected empty, AES256 or aws:kms")
        }
        return s3
    }
}

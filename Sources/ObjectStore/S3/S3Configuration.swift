import Foundation
import TributaryCore

/// Server-side encryption requested on every write.
public enum ServerSideEncryption: Sendable, Equatable {
    /// SSE-S3: `x-amz-server-side-encryption: AES256`.
    case s3
    /// SSE-KMS: `aws:kms`, with a key id (or the account's default key when nil).
    case kms(keyId: String?)
}

/// Everything the S3 backend needs to know.
public struct S3Configuration: Sendable {
    /// The bucket holding the objects.
    public var bucket: String
    /// Region used for signing (and the default AWS endpoint).
    public var region: String
    /// A custom endpoint such as `http://127.0.0.1:5000` (moto, LocalStack, MinIO); nil
    /// means AWS: `https://s3.REGION.amazonaws.com`.
    public var endpoint: String?
    /// Path-style addressing (`endpoint/bucket/key`) instead of virtual-host style
    /// (`bucket.endpoint/key`). Nil: path style for custom endpoints, virtual-host for AWS.
    public var pathStyle: Bool?
    /// Static keys; they come first in the credential chain.
    public var credentials: S3Credentials?
    /// Where credentials come from when `credentials` is nil; nil: the AWS SDKs' chain over
    /// the process environment (``S3CredentialChain``).
    public var credentialProvider: (any S3CredentialProvider)?
    /// The shared-credentials profile to use when `credentials` is nil.
    public var profile: String?
    /// Encryption requested on every write (nil: the bucket default).
    public var serverSideEncryption: ServerSideEncryption?
    /// Size of multipart parts (clamped to 5 MiB ... 5 GiB; default 8 MiB).
    public var partSize: Int
    /// `put` of more bytes than this goes through multipart upload.
    public var multipartThreshold: Int
    /// Parts uploaded at once.
    public var maxConcurrentParts: Int
    /// Keys per ListObjectsV2 page (S3 caps it at 1,000).
    public var maxKeysPerList: Int
    /// Keys per DeleteObjects request (S3 caps it at 1,000).
    public var deleteBatchSize: Int
    /// Time limit of one attempt of one request, body included, in seconds.
    public var requestTimeout: Double
    /// Retries of transient failures.
    public var retry: RetryPolicy
    /// Create the bucket on open when it is missing (test and demo setups; keep it off in
    /// production, where buckets are provisioned).
    public var createBucketIfMissing: Bool
    /// Sign the payload (SHA-256 of the body, verified by S3) rather than sending
    /// `UNSIGNED-PAYLOAD`. Over plain HTTP the signed hash is S3's only integrity check.
    public var signPayload: Bool

    /// 1 MiB, for sizes.
    public static let mebibyte = 1 << 20

    public init(
        bucket: String, region: String = "us-east-1", endpoint: String? = nil, pathStyle: Bool? = nil,
        credentials: S3Credentials? = nil, credentialProvider: (any S3CredentialProvider)? = nil, profile: String? = nil,
        serverSideEncryption: ServerSideEncryption? = nil,
        partSize: Int = 8 * S3Configuration.mebibyte, multipartThreshold: Int = 16 * S3Configuration.mebibyte,
        maxConcurrentParts: Int = 4, maxKeysPerList: Int = 1000, deleteBatchSize: Int = 1000,
        requestTimeout: Double = 60, retry: RetryPolicy = .default, createBucketIfMissing: Bool = false,
        signPayload: Bool = true
    ) {
        self.bucket = bucket
        self.region = region
        self.endpoint = endpoint
        self.pathStyle = pathStyle
        self.credentials = credentials
        self.credentialProvider = credentialProvider
        self.profile = profile
        self.serverSideEncryption = serverSideEncryption
        self.partSize = partSize
        self.multipartThreshold = multipartThreshold
        self.maxConcurrentParts = maxConcurrentParts
        self.maxKeysPerList = maxKeysPerList
        self.deleteBatchSize = deleteBatchSize
        self.requestTimeout = requestTimeout
        self.retry = retry
        self.createBucketIfMissing = createBucketIfMissing
        self.signPayload = signPayload
    }
}

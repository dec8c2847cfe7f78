import AsyncHTTPClient
import Crypto
import Foundation
import TributaryCore
import NIOCore
import NIOHTTP1

/// The S3 backend: our own REST client (SigV4 over async-http-client) for AWS S3 and
/// S3-compatible servers (moto, LocalStack, MinIO, SeaweedFS).
///
/// - Put-if-absent is a PUT with `If-None-Match: *` (S3 answers 412 when the key exists).
/// - Requests are retried with jittered exponential backoff on 5xx, 503 SlowDown,
///   timeouts and broken connections; 4xx answers are reported at once.
/// - Large objects are uploaded in parts, several at a time; a failed multipart upload is
///   aborted, so no part lingers and nothing partial becomes visible.
public final class S3ObjectStore: ObjectStore {
    /// The effective configuration (sizes clamped to what S3 accepts).
    public let configuration: S3Configuration
    let client: S3Client

    /// A process-wide HTTP client: it is never shut down, so stores can be created and
    /// dropped freely (async-http-client insists a client it owns is shut down before deinit).
    static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10)),
            connectionPool: .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 32),
            decompression: .disabled)
        configuration.httpVersion = .http1Only
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// Opens a store on `configuration.bucket`. Credentials not given in the configuration
    /// come from the AWS SDKs' chain (``S3CredentialChain``): environment, profile, web
    /// identity, container endpoint, instance metadata.
    /// - Parameter httpClient: a client of your own (you shut it down), or nil for the shared one.
    public init(configuration: S3Configuration, httpClient: HTTPClient? = nil) throws {
        var configuration = configuration
        configuration.partSize = min(max(configuration.partSize, 5 * S3Configuration.mebibyte), 5 << 30)
        configuration.multipartThreshold = max(configuration.multipartThreshold, configuration.partSize)
        configuration.maxConcurrentParts = max(1, configuration.maxConcurrentParts)
        configuration.maxKeysPerList = min(max(1, configuration.maxKeysPerList), 1000)
        configuration.deleteBatchSize = min(max(1, configuration.deleteBatchSize), 1000)
        self.configuration = configuration
        let backend = "s3://\(configuration.bucket)"
        let http = httpClient ?? Self.sharedHTTPClient
        let provider: any S3CredentialProvider
        do {
            if configuration.credentials == nil, let given = configuration.credentialProvider {
                provider = given
            } else {
                provider = try S3CredentialChain.provider(
                    credentials: configuration.credentials, profile: configuration.profile, region: configuration.region,
                    httpClient: http)
            }
        } catch let error as S3CredentialError {
            throw ObjectStoreError.accessDenied(key: nil, backend: backend, message: error.description)
        }
        client = try S3Client(configuration: configuration, credentials: provider, http: http, backend: backend)
    }

    /// Where this store's credentials come from (`web identity (role ...)`, `environment ...`).
    public var credentialSource: String { client.credentials.source }

    public var backendDescription: String { client.backend }

    // MARK: bucket

    /// True when the bucket exists (and the credentials may see it).
    public func bucketExists() async throws -> Bool {
        let response = try await client.perform(S3Request(method: .HEAD, key: nil), accept: [404])
        return response.status != 404
    }

    /// Creates the bucket when it is missing (test, demo and first-run setups). Returns
    /// true when it created it.
    @discardableResult
    public func ensureBucket() async throws -> Bool {
        if try await bucketExists() { return false }
        var body: Data?
        if configuration.region != "us-east-1" {
            body = Data("""
                <CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\
                <LocationConstraint>\(escapeMarkup(configuration.region))</LocationConstraint>\
                </CreateBucketConfiguration>
                """.utf8)
        }
        // 409 BucketAlreadyOwnedByYou: someone (maybe us, retried) created it meanwhile.
        let response = try await client.perform(S3Request(method: .PUT, key: nil, body: body), accept: [409])
        if response.status == 409, S3ErrorBody(response.body)?.code != "BucketAlreadyOwnedByYou" {
            throw client.mapError(response, key: nil)
        }
        return response.status != 409
    }

    // MARK: reads

    public func get(_ key: String) async throws -> Data {
        try ObjectKey.validate(key, backend: backendDescription)
        return try await client.perform(S3Request(method: .GET, key: key)).body
    }

    public func get(_ key: String, range: Range<Int>) async throws -> Data {
        try ObjectKey.validate(key, backend: backendDescription)
        guard range.lowerBound >= 0 else {
            throw ObjectStoreError.invalidRange(key: key, backend: backendDescription, range: range, size: nil)
        }
        if range.isEmpty { return Data() }
        let request = S3Request(
            method: .GET, key: key, headers: [("range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")])
        let response = try await client.perform(request, accept: [416])
        if response.status == 416 {
            throw ObjectStoreError.invalidRange(key: key, backend: backendDescription, range: range, size: nil)
        }
        // A server that ignores Range answers 200 with everything: cut it here.
        if response.status == 200, response.body.count > range.count {
            let end = min(range.upperBound, response.body.count)
            guard range.lowerBound < end else {
                throw ObjectStoreError.invalidRange(key: key, backend: backendDescription, range: range, size: response.body.count)
            }
            return response.body.subdata(in: range.lowerBound..<end)
        }
        return response.body
    }

    public func head(_ key: String) async throws -> ObjectInfo {
        try ObjectKey.validate(key, backend: backendDescription)
        let response = try await client.perform(S3Request(method: .HEAD, key: key))
        let size = response.headers.first(name: "content-length").flatMap(Int.init) ?? 0
        let etag = Self.unquote(response.headers.first(name: "etag") ?? "")
        let modified = response.headers.first(name: "last-modified").flatMap(S3Dates.parseHTTPDate)
        return ObjectInfo(key: key, size: size, etag: etag, lastModified: modified)
    }

    // MARK: writes

    /// Headers every object write carries (server-side encryption).
    var writeHeaders: [(String, String)] {
        switch configuration.serverSideEncryption {
        case nil: return []
        case .s3: return [("x-amz-server-side-encryption", "AES256")]
        case .kms(let keyId):
            var headers = [("x-amz-server-side-encryption", "aws:kms")]
            if let keyId { headers.append(("x-amz-server-side-encryption-aws-kms-key-id", keyId)) }
            return headers
        }
    }

    public func put(_ key: String, _ data: Data) async throws {
        try ObjectKey.validate(key, backend: backendDescription)
        if data.count > configuration.multipartThreshold {
            try await uploadMultipart(key: key, parts: DataPartSource(data: data, partSize: configuration.partSize))
            return
        }
        try await putSingle(key: key, data)
    }

    func putSingle(key: String, _ data: Data) async throws {
        _ = try await client.perform(S3Request(method: .PUT, key: key, headers: writeHeaders, body: data))
    }

    public func putIfAbsent(_ key: String, _ data: Data) async throws {
        try ObjectKey.validate(key, backend: backendDescription)
        var headers = writeHeaders
        headers.append(("if-none-match", "*"))
        // 409 ConditionalRequestConflict: a concurrent conditional write was in flight;
        // S3 asks to retry, and the retry then sees the winner (412) or wins.
        let response = try await client.perform(
            S3Request(method: .PUT, key: key, headers: headers, body: data), accept: [412], retryStatuses: [409])
        guard response.status == 412 else { return }
        if response.attempts > 1 {
            // An earlier attempt may have succeeded with its answer lost (reset, timeout):
            // then the object there is ours. Equal bytes mean we won (or wrote the same
            // thing as the winner, which is the same outcome).
            do {
                if try await get(key) == data { return }
            } catch ObjectStoreError.notFound {
                // Deleted since: whoever created it, it was not this call's to keep.
            }
        }
        throw ObjectStoreError.alreadyExists(key: key, backend: backendDescription)
    }

    public func putStreaming(_ key: String, chunks: ObjectChunkSequence) async throws {
        try ObjectKey.validate(key, backend: backendDescription)
        try await uploadMultipart(key: key, parts: StreamPartSource(chunks: chunks, partSize: configuration.partSize))
    }

    // MARK: list and delete

    public func list(prefix: String, delimiter: String?) -> ObjectListing {
        let client = client
        let maxKeys = configuration.maxKeysPerList
        return ObjectListing { token in
            var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", String(maxKeys))]
            if let delimiter, !delimiter.isEmpty { query.append(("delimiter", delimiter)) }
            if let token { query.append(("continuation-token", token)) }
            let response = try await client.perform(S3Request(method: .GET, key: nil, query: query))
            guard let page = S3ListPage(response.body) else {
                throw ObjectStoreError.failed(
                    key: prefix, backend: client.backend, message: "unreadable ListObjectsV2 response")
            }
            // S3 returns objects and common prefixes in two lists; merge them in key order.
            var entries = page.objects.map(ObjectListEntry.object) + page.commonPrefixes.map(ObjectListEntry.commonPrefix)
            entries.sort { a, b in Self.sortKey(a).utf8.lexicographicallyPrecedes(Self.sortKey(b).utf8) }
            let next = page.isTruncated ? page.nextContinuationToken : nil
            if page.isTruncated && next == nil {
                throw ObjectStoreError.failed(
                    key: prefix, backend: client.backend, message: "truncated listing without a continuation token")
            }
            return ObjectListPage(entries: entries, nextToken: next)
        }
    }

    private static func sortKey(_ entry: ObjectListEntry) -> String {
        switch entry {
        case .object(let info): info.key
        case .commonPrefix(let prefix): prefix
        }
    }

    public func delete(_ keys: [String]) async throws {
        for key in keys { try ObjectKey.validate(key, backend: backendDescription) }
        var start = 0
        while start < keys.count {
            let batch = Array(keys[start..<min(keys.count, start + configuration.deleteBatchSize)])
            start += batch.count
            try await deleteBatch(batch)
        }
    }

    private func deleteBatch(_ keys: [String]) async throws {
        var xml = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>"
        for key in keys { xml += "<Object><Key>\(escapeMarkup(key))</Key></Object>" }
        xml += "</Delete>"
        let body = Data(xml.utf8)
        // DeleteObjects requires an integrity header; Content-MD5 is the classic one.
        let md5 = Data(Insecure.MD5.hash(data: body)).base64EncodedString()
        let response = try await client.perform(
            S3Request(method: .POST, key: nil, query: [("delete", "")], headers: [("content-md5", md5)], body: body))
        guard let root = XMLElement.parse(response.body) else { return }
        if let error = root.children("Error").first {
            let key = error.value("Key")
            let code = error.value("Code") ?? ""
            let message = "DeleteObjects: \(code): \(error.value("Message") ?? "")"
            if code == "AccessDenied" {
                throw ObjectStoreError.accessDenied(key: key, backend: backendDescription, message: message)
            }
            throw ObjectStoreError.failed(key: key, backend: backendDescription, message: message)
        }
    }

    static func unquote(_ etag: String) -> String {
        var text = Substring(etag)
        if text.hasPrefix("W/") { text = text.dropFirst(2) }
        if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = text.dropFirst().dropLast() }
        return String(text)
    }
}

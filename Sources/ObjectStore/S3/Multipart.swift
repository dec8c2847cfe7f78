import Foundation
import TributaryCore
import NIOHTTP1

/// Where the parts of a multipart upload come from, in order. `next()` returns full
/// parts of the part size (the last one may be shorter) and nil at the end.
protocol PartSource {
    mutating func next() async throws -> Data?
}

/// Parts cut from bytes in memory.
struct DataPartSource: PartSource {
    let data: Data
    let partSize: Int
    var offset = 0

    init(data: Data, partSize: Int) {
        self.data = data
        self.partSize = partSize
        offset = data.startIndex
    }

    mutating func next() async throws -> Data? {
        guard offset < data.endIndex else { return nil }
        let end = min(data.endIndex, offset + partSize)
        defer { offset = end }
        return data.subdata(in: offset..<end)
    }
}

/// Parts assembled from a stream of chunks of any size.
struct StreamPartSource: PartSource {
    var iterator: ObjectChunkSequence.Iterator
    let partSize: Int
    var buffer = Data()
    var finished = false

    init(chunks: ObjectChunkSequence, partSize: Int) {
        iterator = chunks.makeAsyncIterator()
        self.partSize = partSize
    }

    mutating func next() async throws -> Data? {
        while !finished && buffer.count < partSize {
            if let chunk = try await iterator.next() {
                buffer.append(chunk)
            } else {
                finished = true
            }
        }
        if buffer.isEmpty { return nil }
        if buffer.count <= partSize {
            defer { buffer = Data() }
            return buffer
        }
        let part = buffer.prefix(partSize)
        buffer = Data(buffer.dropFirst(partSize))
        return Data(part)
    }
}

extension S3ObjectStore {
    /// Uploads an object in parts: initiate, upload up to `maxConcurrentParts` parts at
    /// once, complete. Any failure aborts the upload, so S3 discards the parts and no
    /// object (old or partial) is replaced. An object that fits in one part is sent with
    /// a single PUT instead.
    func uploadMultipart<Source: PartSource>(key: String, parts source: Source) async throws {
        var source = source
        guard let first = try await source.next() else {
            try await putSingle(key: key, Data())
            return
        }
        guard let second = try await source.next() else {
            try await putSingle(key: key, first)
            return
        }

        let initiate = try await client.perform(
            S3Request(method: .POST, key: key, query: [("uploads", "")], headers: writeHeaders))
        guard let uploadId = XMLElement.parse(initiate.body)?.value("UploadId"), !uploadId.isEmpty else {
            throw ObjectStoreError.failed(key: key, backend: backendDescription, message: "no UploadId in CreateMultipartUpload response")
        }
        if initiate.attempts > 1 {
            // An earlier attempt may have created an upload whose answer was lost: abort
            // every other open upload of this exact key so no orphan keeps its parts.
            // (Keys are written by one writer at a time in the lake, so none is someone else's.)
            try? await abortUploads(key: key, except: uploadId)
        }
        do {
            let etags = try await uploadParts(key: key, uploadId: uploadId, first: first, second: second, source: &source)
            try await completeMultipart(key: key, uploadId: uploadId, etags: etags)
        } catch {
            // Best effort, not cancellable by the failure that got us here: leaving the
            // upload open would keep its parts stored (and billed) until a lifecycle rule.
            await Task.detached { [self] in
                try? await abortUpload(key: key, uploadId: uploadId)
            }.value
            throw error
        }
    }

    private func uploadParts<Source: PartSource>(
        key: String, uploadId: String, first: Data, second: Data, source: inout Source
    ) async throws -> [String] {
        let client = client
        let limit = configuration.maxConcurrentParts
        return try await withThrowingTaskGroup(of: (Int, String).self) { group in
            var etags: [Int: String] = [:]
            var inFlight = 0
            var number = 0
            var pending: [Data] = [first, second]
            while true {
                let part: Data
                if !pending.isEmpty {
                    part = pending.removeFirst()
                } else if let next = try await source.next() {
                    part = next
                } else {
                    break
                }
                number += 1
                if number > 10_000 {
                    // S3's limit; a larger object needs a larger configured part size.
                    throw ObjectStoreError.failed(
                        key: key, backend: client.backend,
                        message: "more than 10,000 parts of \(part.count) bytes: raise S3Configuration.partSize")
                }
                if inFlight == limit, let (n, etag) = try await group.next() {
                    etags[n] = etag
                    inFlight -= 1
                }
                let partNumber = number
                group.addTask {
                    let response = try await client.perform(S3Request(
                        method: .PUT, key: key,
                        query: [("partNumber", String(partNumber)), ("uploadId", uploadId)], body: part))
                    guard let etag = response.headers.first(name: "etag"), !etag.isEmpty else {
                        throw ObjectStoreError.failed(
                            key: key, backend: client.backend, message: "no ETag for part \(partNumber)")
                    }
                    return (partNumber, etag)
                }
                inFlight += 1
            }
            for try await (n, etag) in group { etags[n] = etag }
            return (1...number).map { etags[$0] ?? "" }
        }
    }

    private func completeMultipart(key: String, uploadId: String, etags: [String]) async throws {
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for (index, etag) in etags.enumerated() {
            xml += "<Part><PartNumber>\(index + 1)</PartNumber><ETag>\(escapeMarkup(etag))</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let response = try await client.perform(
            S3Request(method: .POST, key: key, query: [("uploadId", uploadId)], body: Data(xml.utf8)), accept: [404])
        if response.status == 404 {
            // NoSuchUpload after a retry: an earlier attempt completed it and its answer
            // was lost. Accept it when the object is there with our part count.
            if response.attempts > 1 {
                do {
                    if try await head(key).etag.hasSuffix("-\(etags.count)") { return }
                } catch ObjectStoreError.notFound {}
            }
            throw client.mapError(response, key: key)
        }
        // S3 may answer 200 and still fail: the error then is in the body.
        if let root = XMLElement.parse(response.body), root.name == "Error" {
            let code = root.value("Code") ?? ""
            let message = "CompleteMultipartUpload: \(code): \(root.value("Message") ?? "")"
            if code == "InternalError" || code == "SlowDown" {
                throw ObjectStoreError.transient(key: key, backend: backendDescription, message: message)
            }
            throw ObjectStoreError.failed(key: key, backend: backendDescription, message: message)
        }
    }
}

/// One open multipart upload, from ListMultipartUploads.
public struct S3MultipartUpload: Sendable, Equatable {
    /// The key being uploaded.
    public var key: String
    /// S3's id of the upload.
    public var uploadId: String
    /// When it was started, as the server reports it.
    public var initiated: Date?
}

extension S3ObjectStore {
    /// Open (neither completed nor aborted) multipart uploads under `prefix`.
    public func openMultipartUploads(prefix: String) async throws -> [S3MultipartUpload] {
        var uploads: [S3MultipartUpload] = []
        var keyMarker: String?
        var uploadIdMarker: String?
        while true {
            var query = [("uploads", ""), ("prefix", prefix)]
            if let keyMarker { query.append(("key-marker", keyMarker)) }
            if let uploadIdMarker { query.append(("upload-id-marker", uploadIdMarker)) }
            let response = try await client.perform(S3Request(method: .GET, key: nil, query: query))
            guard let root = XMLElement.parse(response.body) else {
                throw ObjectStoreError.failed(key: prefix, backend: backendDescription, message: "unreadable ListMultipartUploads response")
            }
            for upload in root.children("Upload") {
                guard let key = upload.value("Key"), let id = upload.value("UploadId") else { continue }
                uploads.append(S3MultipartUpload(
                    key: key, uploadId: id, initiated: upload.value("Initiated").flatMap(S3Dates.parseISO8601)))
            }
            guard root.value("IsTruncated") == "true" else { return uploads }
            keyMarker = root.value("NextKeyMarker")
            uploadIdMarker = root.value("NextUploadIdMarker")
            if keyMarker == nil && uploadIdMarker == nil { return uploads }
        }
    }

    /// Aborts open multipart uploads under `prefix` initiated before `date` (a maintenance
    /// sweep for uploads orphaned by crashes or by requests that reached S3 after the
    /// client gave up on them; an S3 lifecycle rule AbortIncompleteMultipartUpload does
    /// the same server-side). Returns how many it aborted.
    @discardableResult
    public func abortIncompleteUploads(prefix: String, initiatedBefore date: Date) async throws -> Int {
        var aborted = 0
        for upload in try await openMultipartUploads(prefix: prefix) where (upload.initiated ?? .distantPast) < date {
            try await abortUpload(key: upload.key, uploadId: upload.uploadId)
            aborted += 1
        }
        return aborted
    }

    func abortUpload(key: String, uploadId: String) async throws {
        _ = try await client.perform(S3Request(method: .DELETE, key: key, query: [("uploadId", uploadId)]), accept: [404])
    }

    /// Aborts the open uploads of exactly `key`, but `keep`.
    func abortUploads(key: String, except keep: String) async throws {
        for upload in try await openMultipartUploads(prefix: key) where upload.key == key && upload.uploadId != keep {
            try await abortUpload(key: key, uploadId: upload.uploadId)
        }
    }
}

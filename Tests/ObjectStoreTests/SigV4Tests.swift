import Foundation
@testable import ObjectStore
import ObjectStoreTesting
import Testing

/// SigV4 against AWS's published examples.
@Suite("SigV4")
struct SigV4Tests {
    static let s3ExampleCredentials = S3Credentials(
        accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let s3ExampleDate = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z

    @Test("S3 docs example: GET Object with Range (canonical request, string to sign, signature)")
    func s3GetObjectExample() {
        let signer = SigV4Signer(credentials: Self.s3ExampleCredentials, region: "us-east-1")
        let result = signer.sign(
            method: "GET", encodedPath: "/test.txt", query: [],
            headers: [
                ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
                ("x-amz-content-sha256", SigV4Signer.emptyPayloadHash), ("x-amz-date", "20130524T000000Z"),
            ],
            payloadHash: SigV4Signer.emptyPayloadHash, date: Self.s3ExampleDate)
        #expect(result.canonicalRequest == """
            GET
            /test.txt

            host:examplebucket.s3.amazonaws.com
            range:bytes=0-9
            x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            x-amz-date:20130524T000000Z

            host;range;x-amz-content-sha256;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(result.stringToSign == """
            AWS4-HMAC-SHA256
            20130524T000000Z
            20130524/us-east-1/s3/aws4_request
            7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
            """)
        #expect(result.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(result.authorization == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test("S3 docs example: GET Bucket (list objects) with a query string")
    func s3ListObjectsExample() {
        let signer = SigV4Signer(credentials: Self.s3ExampleCredentials, region: "us-east-1")
        let result = signer.sign(
            method: "GET", encodedPath: "/", query: [("max-keys", "2"), ("prefix", "J")],
            headers: [
                ("Host", "examplebucket.s3.amazonaws.com"),
                ("x-amz-content-sha256", SigV4Signer.emptyPayloadHash), ("x-amz-date", "20130524T000000Z"),
            ],
            payloadHash: SigV4Signer.emptyPayloadHash, date: Self.s3ExampleDate)
        #expect(result.signature == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test("SigV4 test suite: get-vanilla-query-order-key-case (query sorting)")
    func testSuiteQueryOrder() {
        let signer = SigV4Signer(
            credentials: S3Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            region: "us-east-1", service: "service")
        let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
        let result = signer.sign(
            method: "GET", encodedPath: "/", query: [("Param2", "value2"), ("Param1", "value1")],
            headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")],
            payloadHash: SigV4Signer.emptyPayloadHash, date: date)
        #expect(result.signedHeaders == "host;x-amz-date")
        #expect(result.signature == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
    }

    @Test("amz date, URI encoding and header value trimming")
    func helpers() {
        #expect(SigV4Signer.amzDate(Self.s3ExampleDate) == "20130524T000000Z")
        #expect(SigV4Signer.uriEncode("a b/c+d=é~", encodeSlash: false) == "a%20b/c%2Bd%3D%C3%A9~")
        #expect(SigV4Signer.uriEncode("a/b", encodeSlash: true) == "a%2Fb")
        #expect(SigV4Signer.canonicalQuery([("uploads", ""), ("b", "x y"), ("a", "2"), ("a", "1")]) == "a=1&a=2&b=x%20y&uploads=")
        let signer = SigV4Signer(credentials: Self.s3ExampleCredentials, region: "us-east-1")
        let spaced = signer.sign(
            method: "GET", encodedPath: "/", query: [], headers: [("X-Custom", "  a   b  "), ("host", "h")],
            payloadHash: "UNSIGNED-PAYLOAD", date: Self.s3ExampleDate)
        #expect(spaced.canonicalRequest.contains("x-custom:a b\n"))
    }

    @Test("session tokens are sent and signed (moto accepts the request)")
    func sessionToken() async throws {
        let endpoint = try await MotoServer.shared.endpoint()
        _ = try await MotoServer.shared.store()
        let store = try S3ObjectStore(configuration: S3Configuration(
            bucket: "contract", endpoint: endpoint,
            credentials: S3Credentials(accessKeyId: "test", secretAccessKey: "test", sessionToken: "token/with+chars=")))
        try await store.put("session/x", Data("x".utf8))
        #expect(try await store.get("session/x") == Data("x".utf8))
    }
}

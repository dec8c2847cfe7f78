import Crypto
import Foundation

/// AWS Signature Version 4 request signing (header form), as S3 expects it: the path is
/// URI-encoded once (not normalised), every header we send that S3 cares about is signed,
/// and the payload hash is sent as `x-amz-content-sha256`.
///
/// Reference: AWS "Signature Calculations for the Authorization Header" (S3 API docs).
public struct SigV4Signer: Sendable {
    /// Who signs.
    public var credentials: S3Credentials
    /// The region in the credential scope.
    public var region: String
    /// The service in the credential scope (`s3`).
    public var service: String

    public init(credentials: S3Credentials, region: String, service: String = "s3") {
        (self.credentials, self.region, self.service) = (credentials, region, service)
    }

    /// Hex SHA-256 of the empty payload.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// Hex SHA-256, as used for payload hashes.
    public static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).hexString
    }

    /// The parts of a signature, exposed so tests can compare each step with AWS's examples.
    public struct Signature: Sendable {
        public var canonicalRequest: String
        public var stringToSign: String
        public var signature: String
        public var authorization: String
        public var signedHeaders: String
    }

    /// Signs a request.
    /// - Parameters:
    ///   - method: `GET`, `PUT`, ...
    ///   - encodedPath: the request path exactly as sent, already percent-encoded (see ``uriEncode(_:encodeSlash:)``).
    ///   - query: query parameters, not encoded (they are encoded here, and must be sent the same way: see ``canonicalQuery(_:)``).
    ///   - headers: the headers to sign (must include `host` and `x-amz-date`; names in any case).
    ///   - payloadHash: hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
    ///   - date: the signing time, the same instant as the `x-amz-date` header.
    public func sign(
        method: String, encodedPath: String, query: [(String, String)], headers: [(String, String)],
        payloadHash: String, date: Date
    ) -> Signature {
        let amzDate = Self.amzDate(date)
        let day = String(amzDate.prefix(8))
        // Canonical headers: lower-case names, trimmed values with inner runs of spaces
        // collapsed, sorted by name; repeated names joined by commas.
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            merged[name.lowercased(), default: []].append(Self.trimHeaderValue(value))
        }
        let names = merged.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(merged[$0, default: []].joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let canonicalRequest = [
            method, encodedPath, Self.canonicalQuery(query), canonicalHeaders, signedHeaders, payloadHash,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", amzDate, scope, Self.sha256Hex(Data(canonicalRequest.utf8)),
        ].joined(separator: "\n")
        let key = signingKey(day: day)
        let signature = Data(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key)).hexString
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return Signature(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature,
            authorization: authorization, signedHeaders: signedHeaders)
    }

    /// The derived signing key for one day (HMAC chain over date, region, service).
    public func signingKey(day: String) -> SymmetricKey {
        func hmac(_ key: SymmetricKey, _ text: String) -> SymmetricKey {
            SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)))
        }
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] { key = hmac(key, part) }
        return key
    }

    /// `YYYYMMDD'T'HHMMSS'Z'` in UTC.
    public static func amzDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(c.year, 4))\(pad(c.month, 2))\(pad(c.day, 2))T\(pad(c.hour, 2))\(pad(c.minute, 2))\(pad(c.second, 2))Z"
    }

    /// The query string in canonical form: encoded names and values, sorted by name then
    /// value, `name=value` joined by `&`. Send exactly this string as the URL's query.
    public static func canonicalQuery(_ query: [(String, String)]) -> String {
        // Sorting by code point of the encoded strings (ASCII only after encoding).
        let encoded: [(name: String, value: String)] = query.map { pair in
            (name: uriEncode(pair.0, encodeSlash: true), value: uriEncode(pair.1, encodeSlash: true))
        }
        let sorted = encoded.sorted { a, b in
            a.name == b.name ? a.value < b.value : a.name < b.name
        }
        return sorted.map { pair in pair.name + "=" + pair.value }.joined(separator: "&")
    }

    /// AWS URI encoding: every byte except `A-Z a-z 0-9 - _ . ~` becomes `%XX` (upper-case
    /// hex); `/` is kept when `encodeSlash` is false (object key paths).
    public static func uriEncode(_ text: String, encodeSlash: Bool) -> String {
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                 UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: "/") where !encodeSlash:
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func trimHeaderValue(_ value: String) -> String {
        var out = ""
        var lastWasSpace = false
        for ch in value.trimmingCharacters(in: .whitespaces) {
            if ch == " " {
                if !lastWasSpace { out.append(ch) }
                lastWasSpace = true
            } else {
                out.append(ch)
                lastWasSpace = false
            }
        }
        return out
    }
}

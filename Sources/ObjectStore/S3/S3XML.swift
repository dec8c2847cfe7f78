import Foundation
import TributaryCore

/// A tiny XML reader for S3's responses (ListObjectsV2, errors, multipart, batch delete).
/// S3 answers with small, regular documents: elements, text and the five predefined
/// entities plus numeric references; attributes, comments and the prolog are skipped.
/// Hand-written so the module does not depend on libxml2 (FoundationXML) at run time.
struct XMLElement: Sendable {
    var name: String
    var children: [XMLElement] = []
    var text: String = ""

    /// The first child named `name`.
    func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }
    /// All children named `name`.
    func children(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }
    /// Text of the first child named `name`.
    func value(_ name: String) -> String? { child(name)?.text }

    /// Parses a document and returns its root element (nil when it is not XML).
    static func parse(_ data: Data) -> XMLElement? {
        var parser = XMLScanner(bytes: Array(data))
        return parser.parseDocument()
    }
}

private struct XMLScanner {
    let bytes: [UInt8]
    var pos = 0

    mutating func parseDocument() -> XMLElement? {
        while true {
            skipWhitespace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: "<") else { return nil }
            if startsWith("<?") { skip(past: "?>"); continue }
            if startsWith("<!--") { skip(past: "-->"); continue }
            if startsWith("<!") { skip(past: ">"); continue }
            return parseElement()
        }
    }

    private mutating func parseElement() -> XMLElement? {
        // At '<name ...>'.
        pos += 1
        let nameStart = pos
        while pos < bytes.count, !isSpace(bytes[pos]), bytes[pos] != UInt8(ascii: ">"), bytes[pos] != UInt8(ascii: "/") {
            pos += 1
        }
        var element = XMLElement(name: String(decoding: bytes[nameStart..<pos], as: UTF8.self))
        // Skip attributes (quoted values may contain '>').
        var quote: UInt8?
        while pos < bytes.count {
            let b = bytes[pos]
            if let q = quote {
                if b == q { quote = nil }
            } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                quote = b
            } else if b == UInt8(ascii: ">") {
                break
            }
            pos += 1
        }
        guard pos < bytes.count else { return nil }
        if bytes[pos - 1] == UInt8(ascii: "/") {  // <name/>
            pos += 1
            return element
        }
        pos += 1
        var text: [UInt8] = []
        while pos < bytes.count {
            if bytes[pos] == UInt8(ascii: "<") {
                if startsWith("</") {
                    skip(past: ">")
                    element.text = decodeEntities(text)
                    return element
                }
                if startsWith("<!--") { skip(past: "-->"); continue }
                if startsWith("<![CDATA[") {
                    pos += 9
                    let start = pos
                    skip(past: "]]>")
                    text.append(contentsOf: bytes[start..<max(start, pos - 3)])
                    continue
                }
                guard let child = parseElement() else { return nil }
                element.children.append(child)
            } else {
                text.append(bytes[pos])
                pos += 1
            }
        }
        return nil
    }

    private func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D
    }

    private mutating func skipWhitespace() {
        while pos < bytes.count, isSpace(bytes[pos]) { pos += 1 }
    }

    private func startsWith(_ text: String) -> Bool {
        let t = Array(text.utf8)
        guard pos + t.count <= bytes.count else { return false }
        return bytes[pos..<pos + t.count].elementsEqual(t)
    }

    private mutating func skip(past text: String) {
        let t = Array(text.utf8)
        while pos < bytes.count {
            if startsWith(text) { pos += t.count; return }
            pos += 1
        }
    }

    private func decodeEntities(_ raw: [UInt8]) -> String {
        unescapeMarkup(String(decoding: raw, as: UTF8.self))
    }
}

/// An error document from S3: `<Error><Code>NoSuchKey</Code><Message>...`.
struct S3ErrorBody: Sendable {
    var code: String
    var message: String
    var requestId: String?

    init?(_ data: Data) {
        guard let root = XMLElement.parse(data), root.name == "Error" else { return nil }
        code = root.value("Code") ?? ""
        message = root.value("Message") ?? ""
        requestId = root.value("RequestId")
    }
}

/// A page of ListObjectsV2.
struct S3ListPage: Sendable {
    var objects: [ObjectInfo] = []
    var commonPrefixes: [String] = []
    var isTruncated = false
    var nextContinuationToken: String?

    init?(_ data: Data) {
        guard let root = XMLElement.parse(data), root.name == "ListBucketResult" else { return nil }
        for item in root.children("Contents") {
            guard let key = item.value("Key") else { continue }
            objects.append(ObjectInfo(
                key: key,
                size: Int(item.value("Size") ?? "") ?? 0,
                etag: S3ObjectStore.unquote(item.value("ETag") ?? ""),
                lastModified: item.value("LastModified").flatMap(S3Dates.parseISO8601)))
        }
        for prefix in root.children("CommonPrefixes") {
            if let p = prefix.value("Prefix") { commonPrefixes.append(p) }
        }
        isTruncated = root.value("IsTruncated") == "true"
        nextContinuationToken = root.value("NextContinuationToken")
    }
}

enum S3Dates {
    /// `2024-01-02T03:04:05.000Z`; fractions of any length (STS gives microseconds).
    static func parseISO8601(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        // Parse the whole seconds, then add the fraction ourselves.
        guard let dot = text.firstIndex(of: "."), let end = text[dot...].firstIndex(where: { !$0.isNumber && $0 != "." }),
              let whole = formatter.date(from: String(text[..<dot]) + String(text[end...])),
              let fraction = Double("0" + text[dot..<end])
        else { return nil }
        return whole.addingTimeInterval(fraction)
    }

    /// `Wed, 21 Oct 2015 07:28:00 GMT` (the Last-Modified header).
    static func parseHTTPDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}

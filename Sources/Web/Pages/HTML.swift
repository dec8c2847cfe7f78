import TributaryCore
import Hummingbird

/// A fragment of HTML. Interpolated `String`s are escaped; only other `HTML` values are
/// inserted as markup, so user data (record values, Kafka keys, validator reasons) can
/// never become markup by accident.
public struct HTML: Sendable, ExpressibleByStringInterpolation, ResponseGenerator {
    public let rendered: String

    public init(stringLiteral value: String) { rendered = value }
    public init(stringInterpolation: StringInterpolation) { rendered = stringInterpolation.output }
    /// Markup produced elsewhere and known to be safe (our own constants).
    init(trusted raw: String) { rendered = raw }

    public struct StringInterpolation: StringInterpolationProtocol {
        var output = ""
        public init(literalCapacity: Int, interpolationCount: Int) { output.reserveCapacity(literalCapacity * 2) }
        public mutating func appendLiteral(_ literal: String) { output += literal }
        public mutating func appendInterpolation(_ text: String) { output += HTML.escape(text) }
        public mutating func appendInterpolation(_ text: Substring) { output += HTML.escape(String(text)) }
        public mutating func appendInterpolation<T: BinaryInteger>(_ value: T) { output += String(value) }
        public mutating func appendInterpolation(_ value: Double) { output += HTML.escape(String(value)) }
        public mutating func appendInterpolation(_ html: HTML) { output += html.rendered }
        public mutating func appendInterpolation(_ parts: [HTML]) { for part in parts { output += part.rendered } }
        public mutating func appendInterpolation(_ html: HTML?) { if let html { output += html.rendered } }
    }

    /// Escapes the five characters that matter in text and in quoted attribute values.
    public static func escape(_ text: String) -> String { escapeMarkup(text) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: rendered)))
    }

    /// This page with another status (a form with errors answers 422).
    func response(status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: rendered)))
    }
}

extension Array where Element == HTML {
    func joined() -> HTML { HTML(trusted: map(\.rendered).joined()) }
}

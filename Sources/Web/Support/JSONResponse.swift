import Foundation
import Hummingbird

/// Encodes API answers (sorted keys, so responses are stable and diffable).
enum JSONResponse {
    static func make<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, extraHeaders: HTTPFields = [:]) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":"could not encode the response"}"#.utf8)
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        headers.append(contentsOf: extraHeaders)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The body of every API error: a sentence, and for refused records the validator's stage.
struct APIError: Encodable {
    var status: HTTPResponse.Status
    var error: String
    var stage: String?
    var field: String?

    enum CodingKeys: String, CodingKey { case error, stage, field }

    func response(extraHeaders: HTTPFields = [:]) -> Response {
        JSONResponse.make(self, status: status, extraHeaders: extraHeaders)
    }
}

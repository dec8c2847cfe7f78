import Hummingbird
import Monitoring

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

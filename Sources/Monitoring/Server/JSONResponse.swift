import Hummingbird
import TributaryCore

/// JSON answers of the HTTP routes (the monitoring routes and the web app's API): written by
/// TributaryCore's JSON writer with sorted keys, so responses are stable and diffable.
public enum JSONResponse {
    public static func make<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, extraHeaders: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        headers.append(contentsOf: extraHeaders)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text(value))))
    }

    /// One line of compact JSON with sorted keys (also what server-sent events carry).
    public static func text<T: Encodable>(_ value: T) -> String {
        (try? JSONValue(encoding: value).sortingKeys().json) ?? #"{"error":"could not encode the response"}"#
    }
}

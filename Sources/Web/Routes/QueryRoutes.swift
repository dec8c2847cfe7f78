import Foundation
import Hummingbird
import Query

/// `POST /api/query`: SQL over the lake (the SQL page's backend).
struct QueryRoutes {
    let deps: WebDependencies

    func register(on router: Router<WebRequestContext>) {
        router.post("/api/query") { request, context -> Response in
            guard let service = deps.query else {
                return APIError(status: .serviceUnavailable, error: "no lake is configured for this web app (storage.uri)").response()
            }
            var request = request
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            do {
                let query = try QueryRequest.decode(Data(buffer: body))
                let result = try await service.query(query)
                return Self.raw(result.json, status: .ok)
            } catch let error as QueryError {
                return Self.raw(error.errorJSON, status: HTTPResponse.Status(code: error.httpStatus))
            } catch {
                // Reading the lake failed (a table folder unreadable, S3 unreachable…).
                return Self.raw(QueryError.engine("\(error)").errorJSON, status: .internalServerError)
            }
        }
    }

    /// A JSON answer already rendered by the query module.
    static func raw(_ json: String, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }
}

import Hummingbird
import Monitoring
import Pipeline

/// Bulk upload: the page and `POST /api/topics/{topic}/upload` (the file is the body,
/// read as a stream).
struct UploadRoutes {
    let deps: WebDependencies

    func register(on router: Router<WebRequestContext>) {
        router.get("/upload") { _, context -> HTML in
            ToolPages.upload(schemas: deps.schemas, maxBytes: deps.config.maxUploadBytes, csrf: context.csrfToken,
                             loggedIn: deps.config.loginRequired)
        }
        router.post("/api/topics/{topic}/upload") { request, context -> Response in
            guard let schema = deps.schema(context.parameters.get("topic")) else {
                return APIError(status: .notFound, error: "unknown topic; one of \(deps.schemas.map(\.name).joined(separator: ", "))").response()
            }
            let query = request.uri.queryParameters
            let fileName = query.get("filename").flatMap { $0.isEmpty ? nil : $0 } ?? "upload"
            guard let format = query.get("format").flatMap({ $0.isEmpty ? nil : UploadFormat(rawValue: $0.lowercased()) })
                    ?? UploadFormat(fileName: fileName)
                    ?? Self.format(contentType: request.headers[.contentType]) else {
                return APIError(status: .badRequest, error: "say format=csv or format=jsonl (or name the file .csv / .jsonl)").response()
            }
            let limit = deps.config.maxUploadBytes
            if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
                return APIError(status: .contentTooLarge,
                                error: "the file is \(length / (1024 * 1024)) MiB; the upload limit is \(limit / (1024 * 1024)) MiB").response()
            }
            let uploader = BulkUploader(ingestor: deps.ingestor, schema: schema, format: format, source: fileName, maxBytes: limit)
            let report = try await uploader.run(request.body)
            deps.logger.info("bulk upload", metadata: ["topic": "\(schema.topic)", "rows": "\(report.rows)", "produced": "\(report.produced)", "failed": "\(report.failed)"])
            return JSONResponse.make(report, status: report.bytes > limit ? .contentTooLarge : .ok)
        }
    }

    static func format(contentType: String?) -> UploadFormat? {
        guard let type = contentType?.lowercased() else { return nil }
        if type.hasPrefix("text/csv") { return .csv }
        if type.contains("ndjson") || type.contains("jsonl") { return .jsonl }
        return nil
    }
}

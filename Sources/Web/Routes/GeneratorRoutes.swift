import Hummingbird
import Monitoring
import TributaryCore

/// The real-time generator: panel and JSON endpoints.
struct GeneratorRoutes {
    let deps: WebDependencies

    func register(on router: Router<WebRequestContext>) {
        router.get("/generator") { _, context -> HTML in
            ToolPages.generator(schemas: deps.schemas, status: await deps.generator.status, csrf: context.csrfToken,
                                loggedIn: deps.config.loginRequired)
        }
        router.get("/api/generator") { _, _ -> Response in
            JSONResponse.make(await deps.generator.status)
        }
        router.post("/api/generator/start") { request, context -> Response in
            var request = request
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            let settings: GeneratorSettings
            do {
                settings = body.readableBytes == 0 ? GeneratorSettings()
                    : try GeneratorSettings(json: JSONValue.parse(bytes: Array(buffer: body), options: .init(keepsBigIntegersAsText: true)))
            } catch {
                return APIError(status: .badRequest, error: "the body must be a JSON object of generator settings: \(error)").response()
            }
            do {
                return JSONResponse.make(try await deps.generator.start(settings))
            } catch let error as GeneratorSettingsError {
                return APIError(status: .unprocessableContent, error: error.reason).response()
            }
        }
        router.post("/api/generator/stop") { _, _ -> Response in
            JSONResponse.make(await deps.generator.stop())
        }
    }
}

extension GeneratorSettings {
    /// Settings from a request body: every key is optional; missing ones keep their defaults.
    init(json: JSONValue) throws {
        guard json.objectEntries != nil else { throw GeneratorSettingsError(reason: "expected a JSON object") }
        self.init()
        func present(_ key: String) -> JSONValue? { json[key].flatMap { $0.isNull ? nil : $0 } }
        func ratio(_ key: String, _ current: Double) throws -> Double {
            guard let value = present(key) else { return current }
            guard let number = value.double else { throw GeneratorSettingsError(reason: "\(key) must be a number") }
            return number
        }
        rate = try ratio("rate", rate)
        updateRatio = try ratio("updateRatio", updateRatio)
        deleteRatio = try ratio("deleteRatio", deleteRatio)
        lateRatio = try ratio("lateRatio", lateRatio)
        invalidRatio = try ratio("invalidRatio", invalidRatio)
        if let value = present("topics") {
            guard let names = value.arrayValues?.compactMap(\.string), names.count == value.arrayValues?.count else {
                throw GeneratorSettingsError(reason: "topics must be an array of schema names")
            }
            topics = names
        }
        if let value = present("seed") {
            // Seeds beyond Int64 arrive as their digits (the parser keeps big integers as text).
            guard let seed = value.int.flatMap(UInt64.init(exactly:)) ?? value.string.flatMap(UInt64.init) else {
                throw GeneratorSettingsError(reason: "seed must be a non-negative integer")
            }
            self.seed = seed
        }
    }
}

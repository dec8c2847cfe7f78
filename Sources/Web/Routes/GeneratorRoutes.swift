import Foundation
import Hummingbird

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
                    : try JSONDecoder().decode(GeneratorSettings.self, from: Data(buffer: body))
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
    /// Every key is optional in requests; missing ones keep their defaults.
    public init(from decoder: any Decoder) throws {
        enum Keys: String, CodingKey { case rate, topics, updateRatio, deleteRatio, lateRatio, invalidRatio, seed }
        let c = try decoder.container(keyedBy: Keys.self)
        self.init()
        rate = try c.decodeIfPresent(Double.self, forKey: .rate) ?? rate
        topics = try c.decodeIfPresent([String].self, forKey: .topics) ?? topics
        updateRatio = try c.decodeIfPresent(Double.self, forKey: .updateRatio) ?? updateRatio
        deleteRatio = try c.decodeIfPresent(Double.self, forKey: .deleteRatio) ?? deleteRatio
        lateRatio = try c.decodeIfPresent(Double.self, forKey: .lateRatio) ?? lateRatio
        invalidRatio = try c.decodeIfPresent(Double.self, forKey: .invalidRatio) ?? invalidRatio
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
    }
}

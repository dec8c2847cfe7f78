import Hummingbird

/// `/assets/{name}` (the app's scripts and styles, Bootstrap from Debian's packages) and
/// `/api/openapi.json`.
struct AssetRoutes {
    func register(on router: Router<WebRequestContext>) {
        router.get("/assets/{name}") { _, context -> Response in
            guard let name = context.parameters.get("name"), let bytes = Assets.load(name) else {
                return Response(status: .notFound)
            }
            return Response(status: .ok,
                            headers: [.contentType: Assets.contentType(name), .cacheControl: "public, max-age=3600"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.get("/api/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: Assets.contentType("openapi.json")],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: Assets.openAPIDocument)))
        }
    }
}

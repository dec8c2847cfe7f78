import Hummingbird

/// `/assets/{name}`: Bootstrap from Debian's packages and the app's own script/styles.
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
    }
}

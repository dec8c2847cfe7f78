import Foundation

/// Static files: the app's own scripts and styles and its OpenAPI document (files under
/// `Sources/Web/Resources`, a SwiftPM resource bundle next to the binary), and Bootstrap
/// from Debian's libjs-bootstrap5 (installed by `make setup`; no CDN is needed).
enum Assets {
    /// Asset name → Debian file (the app works, unstyled, when the package is missing).
    static let debianFiles: [String: String] = [
        "bootstrap.min.css": "/usr/share/javascript/bootstrap5/css/bootstrap.min.css",
    ]

    /// The resource bundle's folder (`Resources/` inside it on macOS).
    private static let bundleFolder: URL = Bundle.module.resourceURL ?? Bundle.module.bundleURL

    /// `Resources/assets/*`, read once: name → bytes. Names are only looked up here, so a
    /// request can never reach another file.
    static let bundled: [String: [UInt8]] = {
        let folder = bundleFolder.appendingPathComponent("assets")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var files: [String: [UInt8]] = [:]
        for name in names {
            if let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) {
                files[name] = Array(data)
            }
        }
        return files
    }()

    /// `Resources/openapi.json`: the OpenAPI 3 description of the JSON endpoints, served at
    /// `/api/openapi.json` (`RouteTableTests` checks it lists every API route the app registers).
    static let openAPIDocument: [UInt8] =
        FileManager.default.contents(atPath: bundleFolder.appendingPathComponent("openapi.json").path).map(Array.init) ?? []

    static func contentType(_ name: String) -> String {
        if name.hasSuffix(".css") { return "text/css; charset=utf-8" }
        if name.hasSuffix(".js") { return "text/javascript; charset=utf-8" }
        if name.hasSuffix(".json") { return "application/json; charset=utf-8" }
        return "application/octet-stream"
    }

    static func load(_ name: String) -> [UInt8]? {
        if let bytes = bundled[name] { return bytes }
        guard let path = debianFiles[name], let data = FileManager.default.contents(atPath: path) else { return nil }
        return Array(data)
    }
}

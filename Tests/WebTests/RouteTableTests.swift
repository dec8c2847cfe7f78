import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Web

/// The files under `Sources/Web/Resources` against the routes the app registers: the
/// OpenAPI document lists exactly the JSON endpoints, and every asset a page links to is
/// served (and every bundled asset is linked by some page).
@Suite struct RouteTableTests {
    /// JSON endpoints live under `/api/`, plus the probes and the metrics scrape; every
    /// other route is a browser page or form post.
    static func isDocumented(_ path: String) -> Bool {
        path.hasPrefix("/api/") || ["/metrics", "/healthz", "/readyz"].contains(path)
    }

    /// `GET /api/topics`-style lines of the routes the web app registers.
    static func registeredRoutes(_ app: TestApp) -> [(method: String, path: String)] {
        WebApp.router(app.deps).routes.map { ($0.method.rawValue, $0.path.description) }
    }

    @Test func openAPIDocumentListsEveryRegisteredAPIRoute() async throws {
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(Assets.openAPIDocument)) as? [String: Any])
        #expect(doc["openapi"] as? String == "3.0.3")
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        let httpMethods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
        let documented = Set(paths.flatMap { path, item in
            item.keys.filter(httpMethods.contains).map { "\($0.uppercased()) \(path)" }
        })

        let routes = Self.registeredRoutes(try await TestApp())
        let registered = Set(routes.filter { Self.isDocumented($0.path) }.map { "\($0.method) \($0.path)" })
        #expect(registered.count > 20, "the route table was read: \(registered.sorted())")
        #expect(registered.subtracting(documented).isEmpty, "registered, not in openapi.json: \(registered.subtracting(documented).sorted())")
        #expect(documented.subtracting(registered).isEmpty, "in openapi.json, not registered: \(documented.subtracting(registered).sorted())")

        // Every $ref names a schema of the document.
        let schemas = try #require((doc["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let text = String(decoding: Assets.openAPIDocument, as: UTF8.self)
        let refs = Set(text.matches(of: /"\$ref"\s*:\s*"#\/components\/schemas\/([A-Za-z]+)"/).map { String($0.1) })
        #expect(!refs.isEmpty)
        for ref in refs { #expect(schemas[ref] != nil, "unresolved $ref \(ref)") }
    }

    @Test func everyAssetThePagesLinkIsServed() async throws {
        let app = try await TestApp()
        // Every page without a path parameter, straight from the route table, and an ingest form.
        let pages = Self.registeredRoutes(app)
            .filter { $0.method == "GET" && !Self.isDocumented($0.path) && !$0.path.contains("{") && $0.path != "/" }
            .map(\.path) + ["/ingest/user_events"]
        #expect(pages.contains("/sql") && pages.contains("/dashboard"), "\(pages)")
        let bundled = Set(Assets.bundled.keys)
        #expect(bundled.isSuperset(of: ["app.js", "app.css", "sql.js", "charts.js", "dashboard.js", "ingest.js"]), "\(bundled.sorted())")
        try await app.test { client in
            var linked: Set<String> = []
            for page in pages {
                let response = try await client.execute(uri: page, method: .get)
                #expect(response.status == .ok, "\(page)")
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true, "\(page)")
                linked.formUnion(response.text.matches(of: /(?:src|href)="\/assets\/([^"?#]+)"/).map { String($0.1) })
            }
            #expect(linked.isSuperset(of: ["app.js", "app.css", "bootstrap.min.css", "sql.js", "charts.js", "dashboard.js", "ingest.js"]),
                    "\(linked.sorted())")
            #expect(bundled.subtracting(linked).isEmpty, "bundled but linked by no page: \(bundled.subtracting(linked).sorted())")
            for name in linked {
                // Bootstrap comes from Debian's package; without it the app is served unstyled.
                if let path = Assets.debianFiles[name], !FileManager.default.fileExists(atPath: path) { continue }
                let response = try await client.execute(uri: "/assets/\(name)", method: .get)
                #expect(response.status == .ok, "\(name)")
                #expect(response.headers[.contentType] == Assets.contentType(name), "\(name)")
                #expect(response.headers[.cacheControl] == "public, max-age=3600", "\(name)")
                #expect(response.body.readableBytes > 100, "\(name)")
            }
            let document = try await client.execute(uri: "/api/openapi.json", method: .get)
            #expect(document.headers[.contentType] == "application/json; charset=utf-8")
            #expect(document.body.readableBytes == Assets.openAPIDocument.count)
            #expect(try await client.execute(uri: "/assets/..%2FPackage.swift", method: .get).status == .notFound)
        }
    }
}

import Foundation
import Hummingbird
import Monitoring

/// The Kafka UI pages and their JSON endpoints.
struct KafkaRoutes {
    let deps: WebDependencies

    func register(on router: Router<WebRequestContext>) {
        let loggedIn = deps.config.loginRequired
        router.get("/kafka") { _, context -> HTML in
            KafkaPages.topics(try await deps.browser.topics(), csrf: context.csrfToken, loggedIn: loggedIn)
        }
        router.get("/kafka/groups") { _, context -> HTML in
            KafkaPages.groups(try await deps.browser.groups(), csrf: context.csrfToken, loggedIn: loggedIn)
        }
        router.get("/kafka/topics/{topic}") { request, context -> Response in
            guard let name = context.parameters.get("topic"), let topic = try await deps.browser.topic(name) else {
                return notFoundPage(context)
            }
            let query = Self.query(topic: name, request)
            let messages = try await deps.browser.browse(query)
            // The lake table the processor writes this topic to, if there is one.
            let table = try? await deps.lake?.tableNames().first { $0 == name }
            return KafkaPages.topic(topic, query: query, messages: messages, table: table ?? nil, csrf: context.csrfToken,
                                    loggedIn: loggedIn).response(status: .ok)
        }

        router.get("/api/kafka/topics") { _, _ -> Response in
            JSONResponse.make(try await deps.browser.topics())
        }
        router.get("/api/kafka/topics/{topic}") { _, context -> Response in
            guard let name = context.parameters.get("topic"), let topic = try await deps.browser.topic(name) else {
                return APIError(status: .notFound, error: "no such topic").response()
            }
            return JSONResponse.make(topic)
        }
        router.get("/api/kafka/topics/{topic}/messages") { request, context -> Response in
            guard let name = context.parameters.get("topic"), try await deps.browser.topic(name) != nil else {
                return APIError(status: .notFound, error: "no such topic").response()
            }
            return JSONResponse.make(try await deps.browser.browse(Self.query(topic: name, request)))
        }
        router.get("/api/kafka/groups") { _, _ -> Response in
            JSONResponse.make(try await deps.browser.groups())
        }
    }

    static func query(topic: String, _ request: Request) -> BrowseQuery {
        let q = request.uri.queryParameters
        func text(_ name: String) -> String? { q.get(name).flatMap { $0.isEmpty ? nil : $0 } }
        return BrowseQuery(topic: topic, partition: text("partition").flatMap { Int32($0) }, offset: text("offset").flatMap { Int64($0) },
                           keyContains: text("key"), limit: text("limit").flatMap { Int($0) }.map { max(1, min($0, 500)) } ?? 50,
                           fromTime: text("time").flatMap(Self.epochMillis))
    }

    /// `2026-11-26T10:00:00Z`, a `datetime-local` value (`2026-11-26T10:00`, read as UTC)
    /// or epoch milliseconds → epoch milliseconds.
    static func epochMillis(_ text: String) -> Int64? {
        if text.allSatisfy(\.isNumber) { return Int64(text) }
        var iso = text.replacingOccurrences(of: " ", with: "T")
        if iso.count == 16 { iso += ":00" }
        if !(iso.hasSuffix("Z") || iso.dropFirst(19).contains("+") || iso.dropFirst(19).contains("-")) { iso += "Z" }
        let strategy = Date.ISO8601FormatStyle(includingFractionalSeconds: iso.contains("."))
        guard let date = try? strategy.parse(iso) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}

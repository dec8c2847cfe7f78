import Foundation
import Hummingbird
import HummingbirdTesting
import KafkaClient
import KafkaTesting
import ObjectStore
import Pipeline
import Query
import TributaryTesting
@testable import Web

/// A web app over the shared test broker, with its own fresh topics (the five schemas
/// renamed to unique topic names) so tests never see each other's messages.
struct TestApp {
    let deps: WebDependencies
    var schemas: [TopicSchema] { deps.schemas }

    /// - Parameter streams: more streams besides the seeds (`fixtureStream`).
    init(token: String? = nil, host: String = "127.0.0.1", lake: (any ObjectStore)? = nil, streams: [TopicSchema] = []) async throws {
        let schemas = (TopicSchema.seeds + streams).map { $0.onTopic(TestBroker.uniqueName("web-\($0.topic)")) }
        var query = QueryService.Configuration()
        query.duckdb = TestEnvironment.packageRoot.appendingPathComponent(".native/bin/duckdb")
        query.processes = 1
        query.timeout = .seconds(20)
        query.threads = 2
        query.discoveryInterval = 0
        deps = try WebDependencies(
            config: WebConfiguration(host: host, port: 0, authToken: token, maxUploadBytes: 1 << 20),
            kafka: try await TestBroker.configuration(), schemas: schemas, lake: lake,
            queryConfiguration: query)
    }

    func schema(_ name: String) -> TopicSchema {
        schemas.first { $0.name == name } ?? TopicSchema.seed("bulk_upload")!
    }

    func test<R: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> R) async throws -> R {
        try await WebApp.application(deps).test(.router, body)
    }

    /// Every message of `topic`, polling until `count` arrived, then briefly for extras.
    func messages(_ topic: String, count: Int) async throws -> [ConsumedMessage] {
        let metadata = try await deps.admin.metadata()
        let partitions = metadata.topic(topic)?.partitions.map(\.id) ?? []
        if partitions.isEmpty { return [] }
        let consumer = try KafkaConsumer(configuration: try await TestBroker.consumerConfiguration())
        try consumer.assign(Dictionary(uniqueKeysWithValues: partitions.map { (TopicPartition(topic, $0), Int64?.some(0)) }))
        var found = try await consume(consumer, count: count, timeout: .seconds(20))
        // A little longer, to catch messages that should not be there.
        found += try await consume(consumer, count: 1, timeout: .milliseconds(800))
        return found
    }
}

/// A user-defined stream of the Pipeline tests' fixtures: `orders` (nested objects, arrays of
/// objects and of strings) or `customers` (debezium).
func fixtureStream(_ name: String) throws -> TopicSchema {
    let config = TestEnvironment.packageRoot.appendingPathComponent("Tests/PipelineTests/Fixtures/\(name)/tributary.toml")
    return try StreamCatalog.load(configFile: config.path)[0]
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var json: Any? { try? JSONSerialization.jsonObject(with: Data(buffer: body)) }
    var object: [String: Any] { json as? [String: Any] ?? [:] }

    /// The value a `Set-Cookie` header gives `name`.
    func cookie(_ name: String) -> String? {
        for value in headers[values: .setCookie] {
            let first = value.split(separator: ";").first ?? ""
            let parts = first.split(separator: "=", maxSplits: 1)
            if parts.count == 2 && parts[0].trimmingCharacters(in: .whitespaces) == name { return String(parts[1]) }
        }
        return nil
    }
}

/// A browser-like session: keeps the CSRF cookie (and a login session) between requests.
final class BrowserSession: @unchecked Sendable {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]

    init(_ client: any TestClientProtocol) { self.client = client }

    var cookieHeader: String { cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }
    var csrf: String { cookies["tributary_csrf"] ?? "" }

    @discardableResult
    func get(_ uri: String) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        let response = try await client.execute(uri: uri, method: .get, headers: headers)
        remember(response)
        return response
    }

    @discardableResult
    func postForm(_ uri: String, _ pairs: [(String, String)], csrf: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        let body = FormData.encode([("csrf_token", csrf ?? self.csrf)] + pairs)
        let response = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
        remember(response)
        return response
    }

    private func remember(_ response: TestResponse) {
        for name in ["tributary_csrf", "tributary_session"] {
            if let value = response.cookie(name) { cookies[name] = value }
        }
    }
}

func jsonBody(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
let jsonHeaders: HTTPFields = [.contentType: "application/json"]

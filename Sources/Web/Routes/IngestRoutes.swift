import Hummingbird
import Monitoring
import Pipeline
import TributaryCore

/// Ingest forms (`/ingest/{topic}`) and the REST equivalent (`POST /api/topics/{topic}/records`).
struct IngestRoutes {
    let deps: WebDependencies

    func register(on router: Router<WebRequestContext>) {
        let loggedIn = deps.config.loginRequired
        router.get("/ingest") { _, context -> HTML in
            IngestPages.index(schemas: deps.schemas, csrf: context.csrfToken, loggedIn: loggedIn)
        }
        router.get("/ingest/{topic}") { _, context -> Response in
            guard let schema = deps.schema(context.parameters.get("topic")) else { return notFoundPage(context) }
            return IngestPages.form(schema: schema, schemas: deps.schemas, values: nil, refusal: nil, result: nil,
                                    csrf: context.csrfToken, loggedIn: loggedIn).response(status: .ok)
        }
        router.post("/ingest/{topic}") { request, context -> Response in
            guard let schema = deps.schema(context.parameters.get("topic")) else { return notFoundPage(context) }
            var request = request
            let form = FormData(urlEncoded: String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
            let submitted = try await submit(form, schema: schema)
            switch submitted.result {
            case .success(let result):
                return IngestPages.form(schema: schema, schemas: deps.schemas, values: nil, refusal: nil, result: result,
                                        csrf: context.csrfToken, loggedIn: loggedIn).response(status: .ok)
            case .failure(let refusal):
                return IngestPages.form(schema: schema, schemas: deps.schemas, values: submitted.values, refusal: refusal, result: nil,
                                        csrf: context.csrfToken, loggedIn: loggedIn).response(status: .unprocessableContent)
            }
        }

        router.get("/api/topics") { _, _ -> Response in
            JSONResponse.make(deps.schemas.map(SchemaDescription.init))
        }
        router.post("/api/topics/{topic}/records") { request, context -> Response in
            guard let schema = deps.schema(context.parameters.get("topic")) else {
                return APIError(status: .notFound, error: "unknown topic; one of \(deps.schemas.map(\.name).joined(separator: ", "))").response()
            }
            var request = request
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            switch try await deps.ingestor.produce(Array(buffer: body), schema: schema) {
            case .success(let result):
                return JSONResponse.make(result)
            case .failure(let refusal):
                return APIError(status: .unprocessableContent, error: refusal.reason, stage: refusal.stage, field: refusal.field).response()
            }
        }
    }
}

extension IngestRoutes {
    /// Produces the message a submitted form stands for: the record its values build (names
    /// are field paths), or a debezium stream's change event. `values` refill a refused form
    /// under the names the validator's paths use.
    func submit(_ form: FormData, schema: TopicSchema) async throws -> (result: Result<IngestResult, IngestRefusal>, values: FormData) {
        guard schema.format == .debezium else {
            let record = TextRecord.build(form.fieldValues(of: schema), schema: schema)
            return (try await deps.ingestor.produce(record.json, schema: schema), FormData(pairs: record.values))
        }
        switch deps.changeEventForm.event(form, schema: schema) {
        case .failure(let refusal):
            return (.failure(refusal), form)
        case .success(let event):
            let result = try await deps.ingestor.produce(event.json, schema: schema).mapError { refusal in
                var placed = refusal
                placed.field = refusal.field.map { event.rowPrefix + $0 }
                return placed
            }
            return (result, event.values)
        }
    }
}

func notFoundPage(_ context: WebRequestContext) -> Response {
    Layout.page(title: "Not found", csrf: context.csrfToken, body: "<p>There is no such page or topic.</p>").response(status: .notFound)
}

/// A topic's schema for API clients (the form's source, in JSON).
struct SchemaDescription: Encodable {
    struct Field: Encodable {
        var name: String
        var type: String
        var required: Bool
        var choices: [String]?
        var rules: [String]
    }
    var name: String
    var topic: String
    var recordKey: String
    var deadLetterTopic: String
    var fields: [Field]

    init(_ schema: TopicSchema) {
        name = schema.name
        topic = schema.topic
        recordKey = schema.recordKey
        deadLetterTopic = schema.deadLetterTopic
        fields = schema.fields.map { f in
            let type: String = switch f.type {
            case .string: "string"
            case .decimal(let p, let s): "decimal(\(p),\(s))"
            case .double: "double"
            case .timestamp: "timestamp"
            case .object: "object"
            case .integer: "integer"
            case .boolean: "boolean"
            case .date: "date"
            case .group: "group"
            case .list: "list"
            }
            var choices: [String]?
            var rules: [String] = []
            for rule in f.rules + f.quality {
                switch rule {
                case .oneOf(let values, _): choices = values
                case .length(let r): rules.append("length \(r.lowerBound)...\(r.upperBound)")
                case .upperCaseLetters(let n): rules.append("\(n) upper-case letters")
                case .range(let lo, let hi, let exclusive, let hiExclusive): rules.append("\(exclusive ? ">" : ">=") \(lo), \(hiExclusive ? "<" : "<=") \(hi)")
                case .notInFutureBeyond(let s): rules.append("not more than \(s) s in the future")
                case .pattern(let p): rules.append("matches \(p)")
                case .format(let f): rules.append(f.rawValue)
                case .multipleOf(let m): rules.append("multiple of \(m)")
                case .itemCount(let r): rules.append("\(r.lowerBound)...\(r.upperBound) items")
                }
            }
            return Field(name: f.name, type: type, required: f.required, choices: choices, rules: rules)
        }
    }
}

import Foundation
import Pipeline

/// The ingest form of a topic, generated from its `TopicSchema`: input types, required
/// marks and enum choices come from the schema; errors come from the validator.
enum IngestPages {
    static func index(schemas: [TopicSchema], csrf: String, loggedIn: Bool) -> HTML {
        let cards = schemas.map { schema -> HTML in
            let required = schema.fields.filter(\.required).map(\.name).joined(separator: ", ")
            return """
                <div class="col"><div class="card h-100"><div class="card-body">
                <h2 class="h5 card-title"><a href="/ingest/\(schema.name)">\(schema.name)</a></h2>
                <p class="card-text small text-body-secondary">Key <code>\(schema.recordKey)</code> · \(schema.fields.count) fields · required: \(required)</p>
                </div></div></div>
                """
        }
        return Layout.page(title: "Ingest", csrf: csrf, active: "/ingest", loggedIn: loggedIn, body: """
            <p>Pick a topic: each form is generated from the topic's schema and checked by the same validator the processor uses.</p>
            <div class="row row-cols-1 row-cols-md-2 row-cols-lg-3 g-3">\(cards)</div>
            """)
    }

    /// The form; `values` refill it after a refused submit, `refusal` marks the field.
    static func form(schema: TopicSchema, schemas: [TopicSchema], values: FormData?, refusal: IngestRefusal?,
                     result: IngestResult?, csrf: String, loggedIn: Bool) -> HTML {
        let tabs = schemas.map { s -> HTML in
            let current = s.name == schema.name
            return """
                <li class="nav-item"><a class="nav-link\(HTML(trusted: current ? " active" : ""))"\(HTML(trusted: current ? " aria-current=\"page\"" : "")) href="/ingest/\(s.name)">\(s.name)</a></li>
                """
        }
        var alert: HTML = ""
        if let result {
            alert = """
                <div class="alert alert-success" role="status" id="ingest-result">Produced to <strong>\(result.topic)</strong> partition <strong data-partition>\(result.partition)</strong> offset <strong data-offset>\(result.offset)</strong>\(result.key.map { key -> HTML in " (key \(key))" }).</div>
                """
        } else if let refusal {
            alert = """
                <div class="alert alert-danger" role="alert" id="ingest-error">Not produced — <span class="badge text-bg-danger">\(refusal.stage)</span> \(refusal.reason)</div>
                """
        }
        let fields = schema.format == .debezium
            ? changeEventControls(schema: schema, values: values, refusal: refusal)
            : IngestControls(schema: schema, values: values, errorName: refusal?.field, error: refusal?.reason).controls(schema.fields).joined()
        return Layout.page(title: "Ingest \(schema.name)", csrf: csrf, active: "/ingest", loggedIn: loggedIn, scripts: ["ingest.js"], body: """
            <ul class="nav nav-tabs mb-3">\(tabs)</ul>
            \(alert)
            <form method="post" action="/ingest/\(schema.name)" class="ingest-form">
            <input type="hidden" name="csrf_token" value="\(csrf)">
            <p class="small text-body-secondary">Fields marked <span class="text-danger">*</span> are required. Record key: <code>\(schema.recordKey)</code>; topic <code>\(schema.topic)</code>.</p>
            <div class="row g-3">\(fields)</div>
            <div class="mt-3 d-flex gap-2">
            <button type="submit" class="btn btn-primary">Produce to Kafka</button>
            <a class="btn btn-outline-secondary" href="/ingest/\(schema.name)">Reset</a>
            </div>
            </form>
            <p class="mt-4 small">The same as <code>POST /api/topics/\(schema.name)/records</code> with \(schema.format == .debezium ? "the change event" : "the record") as a JSON body.</p>
            """)
    }

    /// A `format = "debezium"` stream's form: the operation, `after` (the row's controls) and
    /// the key columns of `before` (for `d`, and optionally `u`); the server wraps them in a
    /// change event (`ChangeEventForm`). `ingest.js` shows only the parts the operation uses.
    static func changeEventControls(schema: TopicSchema, values: FormData?, refusal: IngestRefusal?) -> HTML {
        let chosen = values?[ChangeEventForm.operationName] ?? ChangeEventWriter.Operation.create.rawValue
        let options = ChangeEventForm.operations.map { op, label -> HTML in
            let selected: HTML = op.rawValue == chosen ? " selected" : ""
            return "<option value=\"\(op.rawValue)\"\(selected)>\(op.rawValue) — \(label)</option>"
        }
        let opError: HTML = refusal?.field == ChangeEventForm.operationName
            ? "<div class=\"invalid-feedback d-block\" id=\"f-op-error\">\(refusal?.reason ?? "")</div>" : ""
        func part(_ prefix: String) -> IngestControls {
            IngestControls(schema: schema, values: values, errorName: refusal?.field, error: refusal?.reason, prefix: prefix,
                           enforceRequired: false, defaults: prefix == ChangeEventForm.afterPrefix)
        }
        let keys = schema.recordKeyFields.compactMap { schema.field($0) }
        return """
            <div class="col-12 col-md-6">
            <label class="form-label" for="f-op">Operation (<code>op</code>)</label>
            <select class="form-select" id="f-op" name="\(ChangeEventForm.operationName)" aria-describedby="f-op-help" data-change-op>\(options)</select>
            \(opError)
            <div class="form-text" id="f-op-help">the server adds <code>source</code> (with an increasing <code>lsn</code>) and <code>ts_ms</code></div>
            </div>
            <div class="col-12" data-ops="c r u"><fieldset class="border rounded p-3">
            <legend class="fs-6 fw-semibold"><code>after</code>: the row</legend>
            <div class="row g-3">\(part(ChangeEventForm.afterPrefix).controls(schema.fields))</div>
            </fieldset></div>
            <div class="col-12" data-ops="u d"><fieldset class="border rounded p-3">
            <legend class="fs-6 fw-semibold"><code>before</code>: the key columns (a delete's row; optional for an update)</legend>
            <div class="row g-3">\(part(ChangeEventForm.beforePrefix).controls(keys))</div>
            </fieldset></div>
            """
    }
}

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
        let fields = schema.fields.map { field in
            input(field, schema: schema, value: values?[field.name] ?? defaultValue(field, schema: schema, refill: values != nil),
                  error: refusal?.field == field.name ? refusal?.reason : nil)
        }
        return Layout.page(title: "Ingest \(schema.name)", csrf: csrf, active: "/ingest", loggedIn: loggedIn, body: """
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
            <p class="mt-4 small">The same as <code>POST /api/topics/\(schema.name)/records</code> with a JSON body.</p>
            """)
    }

    static func defaultValue(_ field: TopicField, schema: TopicSchema, refill: Bool) -> String {
        if refill { return "" }
        if field.type == .timestamp { return RecordGenerator.rfc3339(epochMicrosNow()) }
        if field.name == schema.recordKey { return "\(schema.name.prefix(2))-\(UUID().uuidString.prefix(8).lowercased())" }
        return ""
    }

    static func input(_ field: TopicField, schema: TopicSchema, value: String, error: String?) -> HTML {
        let id = "f-\(field.name)"
        let invalid = error == nil ? "" : " is-invalid"
        let required: HTML = field.required ? HTML(trusted: " required aria-required=\"true\"") : ""
        let mark: HTML = field.required ? HTML(trusted: " <span class=\"text-danger\" aria-hidden=\"true\">*</span>") : ""
        var help: [String] = []
        var attributes: [HTML] = []
        var control: HTML
        let choices = field.rules.compactMap { rule -> ([String], Bool)? in
            if case .oneOf(let values, let ci) = rule { return (values, ci) }
            return nil
        }.first
        for rule in field.rules + field.quality {
            switch rule {
            case .length(let range):
                if range.lowerBound > 0 { attributes.append(" minlength=\"\(range.lowerBound)\"") }
                attributes.append(" maxlength=\"\(range.upperBound)\"")
            case .upperCaseLetters(let count):
                attributes.append(" pattern=\"[A-Z]{\(count)}\" maxlength=\"\(count)\" autocapitalize=\"characters\"")
                help.append("\(count) upper-case letters")
            case .range(let min, let max, let exclusive, let maxExclusive):
                if max.isFinite && !maxExclusive { attributes.append(" max=\"\(max)\"") }
                if min.isFinite && !exclusive { attributes.append(" min=\"\(min)\"") }
                help.append(exclusive ? "greater than \(min), at most \(max)" : "\(min) to \(max)")
            case .notInFutureBeyond(let seconds):
                help.append("not more than \(seconds / 60) min in the future")
            case .pattern(let source):
                help.append("matches \(source)")
            case .format(let format):
                help.append(format.rawValue)
            case .multipleOf(let m):
                help.append("a multiple of \(m)")
            case .oneOf, .itemCount: break
            }
        }
        for dep in schema.dependentRanges where dep.field == field.name {
            let ranges = dep.ranges.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.lowerBound)…\($0.value.upperBound)\(dep.unit[$0.key].map { " \($0)" } ?? "")" }
            help.append("range depends on \(dep.dependsOn): " + ranges.joined(separator: ", "))
        }
        let described = "\(id)-help\(error == nil ? "" : " \(id)-error")"
        if let (values, _) = choices {
            let options = ([""] + values).enumerated().map { index, option -> HTML in
                let label = index == 0 ? (field.required ? "Choose…" : "— none —") : option
                let selected: HTML = option == value ? " selected" : ""
                return "<option value=\"\(option)\"\(selected)>\(label)</option>"
            }
            control = """
                <select class="form-select\(HTML(trusted: invalid))" id="\(id)" name="\(field.name)" aria-describedby="\(described)"\(required)>\(options)</select>
                """
        } else {
            switch field.type {
            case .string:
                let long = field.rules.contains { if case .length(let r) = $0 { return r.upperBound > 4096 } else { return false } }
                if long {
                    control = """
                        <textarea class="form-control\(HTML(trusted: invalid))" id="\(id)" name="\(field.name)" rows="3" aria-describedby="\(described)"\(required)\(attributes)>\(value)</textarea>
                        """
                } else {
                    control = """
                        <input type="text" class="form-control\(HTML(trusted: invalid))" id="\(id)" name="\(field.name)" value="\(value)" aria-describedby="\(described)"\(required)\(attributes)>
                        """
                }
            case .decimal(_, let scale):
                let step = scale == 0 ? "1" : "0." + String(repeating: "0", count: scale - 1) + "1"
                help.insert("decimal, \(scale) places", at: 0)
                control = """
                    <input type="number" inputmode="decimal" step="\(step)" class="form-control\(HTML(trusted: invalid))" id="\(id)" name="\(field.name)" value="\(value)" aria-describedby="\(described)"\(required)\(attributes)>
                    """
            case .double, .integer:
                control = """
                    <input type="number" inputmode="decimal" step="any" class="form-control\(HTML(trusted: invalid))" id="\(id)" name="\(field.name)" value="\(value)" aria-describedby="\(described)"\(required)\(attributes)>
                    """
            case .timestamp:
                help.insert("RFC 3339 with offset (2026-11-26T10:15:30Z) or epoch milliseconds", at: 0)
                control = """
                    <input type="text" class="form-control font-monospace\(HTML(trusted: invalid))" id="\(id)" name="\(field.name)" value="\(value)" aria-describedby="\(described)" autocomplete="off"\(required)>
                    """
            case .boolean:
                help.insert("true or false", at: 0)
                control = """
                    <input type="text" class="form-control\(HTML(trusted: invalid))" id="\(id)" name="\(field.name)" value="\(value)" aria-describedby="\(described)"\(required)>
                    """
            case .date:
                control = """
                    <input type="date" class="form-control\(HTML(trusted: invalid))" id="\(id)" name="\(field.name)" value="\(value)" aria-describedby="\(described)"\(required)>
                    """
            case .object, .group, .list:
                help.insert(field.type.isList ? "a JSON array" : "a JSON object, e.g. {\"referrer\": \"google\"}", at: 0)
                control = """
                    <textarea class="form-control font-monospace\(HTML(trusted: invalid))" id="\(id)" name="\(field.name)" rows="2" aria-describedby="\(described)" spellcheck="false"\(required)>\(value)</textarea>
                    """
            }
        }
        let errorHTML: HTML = error.map { "<div class=\"invalid-feedback\" id=\"\(id)-error\">\($0)</div>" } ?? ""
        return """
            <div class="col-12 col-md-6">
            <label class="form-label" for="\(id)">\(field.name)\(mark)</label>
            \(control)
            \(errorHTML)
            <div class="form-text" id="\(id)-help">\(help.joined(separator: "; "))</div>
            </div>
            """
    }
}

import Foundation
import Pipeline

/// The controls of an ingest form, one per field of the stream's schema at any depth: an
/// input by type (hints and limits from the rules), a fieldset of its members for an object
/// with `properties`, a list of item editors for an array. Names are the fields' paths
/// (`customer.address.city`, `items[0].sku`), which `TextRecord` turns back into the record;
/// `ingest.js` adds, removes and renumbers item editors (without it the rendered ones are
/// submitted as they are).
struct IngestControls {
    let schema: TopicSchema
    /// The values of a refused submit, named as the record placed them (nil: a new form).
    let values: FormData?
    /// The control the validator's reason is about (its name) and the reason.
    let errorName: String?
    let error: String?
    /// Put before every name (`after.`, `before.` in a change-event form).
    var prefix = ""
    /// Whether required fields are `required` for the browser too (not where a part of the
    /// form may be left out, as `after` of a delete).
    var enforceRequired = true
    /// Whether a new form gets defaults (the current time, a generated key).
    var defaults = true

    /// Controls for `fields`, the members of the object at `parent` (nil: the record).
    func controls(_ fields: [TopicField], at parent: String? = nil, enforced: Bool = true) -> [HTML] {
        fields.map { field in
            control(field, path: parent.map { "\($0).\(field.name)" } ?? field.name, label: field.name,
                    enforced: enforced && enforceRequired && field.required)
        }
    }

    func control(_ field: TopicField, path: String, label: String, enforced: Bool) -> HTML {
        switch field.type {
        case .group(let members, _) where !members.isEmpty: group(field, members: members, path: path, label: label, enforced: enforced)
        case .list(let element): list(field, element: element, path: path, label: label)
        default: input(field, path: path, label: label, enforced: enforced)
        }
    }

    private func mark(_ field: TopicField) -> HTML {
        field.required ? HTML(trusted: " <span class=\"text-danger\" aria-hidden=\"true\">*</span>") : ""
    }

    private func feedback(_ name: String) -> HTML {
        guard errorName == name, let error else { return "" }
        return "<div class=\"invalid-feedback d-block\" id=\"f-\(name)-error\">\(error)</div>"
    }

    /// An object with properties: a fieldset of its members.
    private func group(_ field: TopicField, members: [TopicField], path: String, label: String, enforced: Bool) -> HTML {
        let name = prefix + path
        let described: HTML = errorName == name ? " aria-describedby=\"f-\(name)-error\"" : ""
        return """
            <div class="col-12" id="f-\(name)"><fieldset class="border rounded p-3"\(described)>
            <legend class="fs-6 fw-semibold">\(label)\(mark(field))</legend>
            <div class="row g-3">\(controls(members, at: path, enforced: enforced))</div>
            \(feedback(name))
            </fieldset></div>
            """
    }

    /// An array: its item editors (at least one, at least `minItems`), a template of one
    /// more for `ingest.js`, and Add/Remove buttons that the script shows.
    private func list(_ field: TopicField, element: TopicField, path: String, label: String) -> HTML {
        let name = prefix + path
        let rules = field.rules + field.quality
        let bounds = rules.compactMap { rule -> ClosedRange<Int>? in if case .itemCount(let r) = rule { r } else { nil } }.first ?? 0...Int.max
        let submitted = values.map { Self.itemCount(name, in: $0) } ?? 0
        let count = max(submitted, min(max(bounds.lowerBound, 1), bounds.upperBound))
        let items = (0..<count).map { item(element, path: "\(path)[\($0)]", label: label) }
        let maxItems: HTML = bounds.upperBound == Int.max ? "" : " data-max-items=\"\(bounds.upperBound)\""
        let help = ["one editor per item; empty ones are left out"] + rules.compactMap { rule in
            if case .itemCount = rule { rule.summary } else { nil }
        }
        return """
            <div class="col-12" id="f-\(name)" data-list="\(name)" data-min-items="\(bounds.lowerBound)"\(maxItems)>
            <fieldset class="border rounded p-3" aria-describedby="f-\(name)-help\(errorName == name ? " f-\(name)-error" : "")">
            <legend class="fs-6 fw-semibold">\(label)\(mark(field))</legend>
            <ol class="list-unstyled mb-2" data-items>\(items)</ol>
            <template>\(item(element, path: "\(path)[#]", label: label))</template>
            <button type="button" class="btn btn-sm btn-outline-secondary" data-add-item hidden>Add item</button>
            \(feedback(name))
            <div class="form-text" id="f-\(name)-help">\(help.joined(separator: "; "))</div>
            </fieldset></div>
            """
    }

    /// One item editor: the element's control (a fieldset for objects) and its Remove button.
    private func item(_ element: TopicField, path: String, label: String) -> HTML {
        // An element's `required` means "not null": an empty editor is left out, never null.
        var element = element
        element.required = false
        return """
        <li class="border-start border-3 ps-2 mb-3" data-item="\(prefix + path)"><div class="row g-3 align-items-end">
        \(control(element, path: path, label: "\(label) item", enforced: false))
        <div class="col-auto"><button type="button" class="btn btn-sm btn-outline-danger" data-remove-item hidden>Remove</button></div>
        </div></li>
        """
    }

    /// How many item editors the submitted names of list `name` need (`name[i]…`).
    static func itemCount(_ name: String, in values: FormData) -> Int {
        let start = name + "["
        let indices = values.pairs.compactMap { pair -> Int? in
            guard pair.name.hasPrefix(start) else { return nil }
            return Int(pair.name.dropFirst(start.count).prefix { $0 != "]" })
        }
        return (indices.max() ?? -1) + 1
    }

    func defaultValue(_ field: TopicField, path: String) -> String {
        guard defaults, path == field.name else { return "" }
        if field.type == .timestamp { return RecordGenerator.rfc3339(epochMicrosNow()) }
        if field.name == schema.recordKey && field.type == .string {
            return "\(schema.name.prefix(2))-\(UUID().uuidString.prefix(8).lowercased())"
        }
        return ""
    }

    /// A value's control: its label, the input for its type, the error and the hints.
    func input(_ field: TopicField, path: String, label: String, enforced: Bool) -> HTML {
        let name = prefix + path
        let value = values.map { $0[name] ?? "" } ?? defaultValue(field, path: path)
        let error = errorName == name ? error : nil
        let id = "f-\(name)"
        let invalid = error == nil ? "" : " is-invalid"
        let required: HTML = enforced ? HTML(trusted: " required aria-required=\"true\"") : ""
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
                if range.upperBound < Int.max { attributes.append(" maxlength=\"\(range.upperBound)\"") }
            case .upperCaseLetters(let count):
                attributes.append(" pattern=\"[A-Z]{\(count)}\" maxlength=\"\(count)\" autocapitalize=\"characters\"")
                help.append("\(count) upper-case letters")
            case .range(let min, let max, let exclusive, let maxExclusive):
                if max.isFinite && !maxExclusive { attributes.append(" max=\"\(max)\"") }
                if min.isFinite && !exclusive { attributes.append(" min=\"\(min)\"") }
                let low = min.isFinite ? (exclusive ? "greater than \(min)" : "at least \(min)") : nil
                let high = max.isFinite ? (maxExclusive ? "less than \(max)" : "at most \(max)") : nil
                help.append([low, high].compactMap { $0 }.joined(separator: ", "))
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
        for dep in schema.dependentRanges where dep.field == path {
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
                <select class="form-select\(HTML(trusted: invalid))" id="\(id)" name="\(name)" aria-describedby="\(described)"\(required)>\(options)</select>
                """
        } else {
            switch field.type {
            case .string:
                let long = field.rules.contains { if case .length(let r) = $0 { r.upperBound > 4096 && r.upperBound < Int.max } else { false } }
                if long {
                    control = """
                        <textarea class="form-control\(HTML(trusted: invalid))" id="\(id)" name="\(name)" rows="3" aria-describedby="\(described)"\(required)\(attributes)>\(value)</textarea>
                        """
                } else {
                    control = """
                        <input type="text" class="form-control\(HTML(trusted: invalid))" id="\(id)" name="\(name)" value="\(value)" aria-describedby="\(described)"\(required)\(attributes)>
                        """
                }
            case .decimal(_, let scale):
                let step = scale == 0 ? "1" : "0." + String(repeating: "0", count: scale - 1) + "1"
                help.insert("decimal, \(scale) places", at: 0)
                control = """
                    <input type="number" inputmode="decimal" step="\(step)" class="form-control\(HTML(trusted: invalid))" id="\(id)" name="\(name)" value="\(value)" aria-describedby="\(described)"\(required)\(attributes)>
                    """
            case .double, .integer:
                control = """
                    <input type="number" inputmode="decimal" step="any" class="form-control\(HTML(trusted: invalid))" id="\(id)" name="\(name)" value="\(value)" aria-describedby="\(described)"\(required)\(attributes)>
                    """
            case .timestamp:
                help.insert("RFC 3339 with offset (2026-11-26T10:15:30Z) or epoch milliseconds", at: 0)
                control = """
                    <input type="text" class="form-control font-monospace\(HTML(trusted: invalid))" id="\(id)" name="\(name)" value="\(value)" aria-describedby="\(described)" autocomplete="off"\(required)>
                    """
            case .boolean:
                help.insert("true or false", at: 0)
                control = """
                    <input type="text" class="form-control\(HTML(trusted: invalid))" id="\(id)" name="\(name)" value="\(value)" aria-describedby="\(described)"\(required)>
                    """
            case .date:
                control = """
                    <input type="date" class="form-control\(HTML(trusted: invalid))" id="\(id)" name="\(name)" value="\(value)" aria-describedby="\(described)"\(required)>
                    """
            case .object, .group, .list:
                help.insert(field.type.isList ? "a JSON array" : "a JSON object, e.g. {\"referrer\": \"google\"}", at: 0)
                control = """
                    <textarea class="form-control font-monospace\(HTML(trusted: invalid))" id="\(id)" name="\(name)" rows="2" aria-describedby="\(described)" spellcheck="false"\(required)>\(value)</textarea>
                    """
            }
        }
        let errorHTML: HTML = error.map { "<div class=\"invalid-feedback\" id=\"\(id)-error\">\($0)</div>" } ?? ""
        return """
            <div class="col-12 col-md-6">
            <label class="form-label" for="\(id)">\(label)\(mark(field))</label>
            \(control)
            \(errorHTML)
            <div class="form-text" id="\(id)-help">\(help.joined(separator: "; "))</div>
            </div>
            """
    }
}

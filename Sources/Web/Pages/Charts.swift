/// Charts drawn on the server as inline SVG (no script needed): for pages where people
/// would rather look than read.
enum Charts {
    /// A horizontal bar chart; `label` names it for screen readers.
    static func bars(_ items: [(label: String, value: Double, text: String)], label: String, id: String = "") -> HTML {
        guard !items.isEmpty else { return "" }
        let maxValue = max(items.map(\.value).max() ?? 1, 1)
        let rowHeight = 22, labelWidth = 170, width = 640
        let height = items.count * rowHeight + 4
        let rows = items.enumerated().map { i, item -> HTML in
            let y = i * rowHeight + 2
            let w = Int(Double(width - labelWidth - 90) * item.value / maxValue)
            return """
                <text x="\(labelWidth - 6)" y="\(y + 15)" text-anchor="end" class="chart-label"><title>\(item.label)</title>\(short(item.label))</text>\
                <rect x="\(labelWidth)" y="\(y + 3)" width="\(max(w, item.value > 0 ? 1 : 0))" height="\(rowHeight - 6)" class="chart-bar"></rect>\
                <text x="\(labelWidth + w + 6)" y="\(y + 15)" class="chart-value">\(item.text)</text>
                """
        }
        func short(_ label: String) -> String { label.count > 22 ? String(label.prefix(21)) + "…" : label }
        let idAttribute: HTML = id.isEmpty ? "" : " id=\"\(id)\""
        return """
            <svg\(idAttribute) class="chart" viewBox="0 0 \(width) \(height)" role="img" aria-label="\(label)" preserveAspectRatio="xMinYMin meet"><title>\(label)</title>\(rows)</svg>
            """
    }
}

import Foundation

/// The Kafka UI: topics with partitions and watermarks, the message browser (including
/// dead-letter reasons) and consumer groups with their lag.
enum KafkaPages {
    static func topics(_ topics: [TopicSummary], csrf: String, loggedIn: Bool) -> HTML {
        let rows = topics.map { t -> HTML in
            let dlq: HTML = t.deadLetter ? " <span class=\"badge text-bg-warning\">DLQ</span>" : ""
            let marks = t.partitions.map { p -> String in "\(p.partition): \(p.low)–\(p.high)" }.joined(separator: " · ")
            return """
                <tr data-topic="\(t.name)"><td><a href="/kafka/topics/\(t.name)">\(t.name)</a>\(dlq)</td><td class="text-end">\(t.partitions.count)</td><td class="text-end topic-messages">\(t.messages)</td>\
                <td class="text-end topic-rate">\(rate(t.messagesPerSecond))</td><td class="small">\(t.retention?.text ?? "—")</td><td class="small font-monospace topic-marks">\(marks)</td></tr>
                """
        }
        return Layout.page(title: "Kafka topics", csrf: csrf, active: "/kafka", loggedIn: loggedIn, body: """
            <p class="small text-body-secondary" aria-live="polite">Rates come from the change of the watermarks; the table refreshes itself every 5 seconds (<span id="topics-refreshed">not yet</span>).</p>
            <div class="table-responsive"><table class="table table-sm table-striped align-middle" id="topics">
            <caption>Topics with their partitions, watermarks (partition: low–high offsets), message rates and retention.</caption>
            <thead><tr><th scope="col">Topic</th><th scope="col" class="text-end">Partitions</th><th scope="col" class="text-end">Messages</th><th scope="col" class="text-end">Messages/s</th><th scope="col">Retention</th><th scope="col">Watermarks</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """)
    }

    static func topic(_ topic: TopicSummary, query: BrowseQuery, messages: [BrowsedMessage], table: String? = nil, csrf: String,
                      loggedIn: Bool) -> HTML {
        let partitionOptions = ([HTML("<option value=\"\">all</option>")] + topic.partitions.map { p -> HTML in
            "<option value=\"\(p.partition)\"\(HTML(trusted: query.partition == p.partition ? " selected" : ""))>\(p.partition)</option>"
        })
        let partitionRows = topic.partitions.map { p -> HTML in
            "<tr><td>\(p.partition)</td><td>\(p.leader)</td><td class=\"text-end\">\(p.low)</td><td class=\"text-end\">\(p.high)</td><td class=\"text-end\">\(p.messages)</td></tr>"
        }
        let cards = messages.map { m -> HTML in
            let headers = m.headers.map { h -> HTML in "<tr><th scope=\"row\" class=\"fw-normal font-monospace\">\(h.name)</th><td class=\"font-monospace\">\(h.value ?? "null")</td></tr>" }
            let error: HTML = m.errorReason.map { reason -> HTML in
                "<div class=\"alert alert-warning py-1 px-2 mb-2 small\" role=\"note\"><span class=\"badge text-bg-danger\">\(m.errorStage ?? "error")</span> \(reason)</div>"
            } ?? ""
            let time = Date(timeIntervalSince1970: Double(m.timestamp) / 1000).ISO8601Format()
            return """
                <article class="card mb-2 message" data-partition="\(m.partition)" data-offset="\(m.offset)">
                <div class="card-header small d-flex flex-wrap gap-3"><span>partition <strong>\(m.partition)</strong></span><span>offset <strong>\(m.offset)</strong></span><span>key <code>\(m.key ?? "null")</code></span><span>\(time)</span></div>
                <div class="card-body py-2">\(error)<pre class="mb-2 small json">\(m.value)</pre>
                \(HTML(trusted: m.headers.isEmpty ? "" : "<details><summary class=\"small\">Headers (\(m.headers.count))</summary>"))\(m.headers.isEmpty ? "" : HTML("<table class=\"table table-sm small mb-0\"><tbody>\(headers)</tbody></table></details>"))
                </div></article>
                """
        }
        let empty: HTML = messages.isEmpty ? "<p class=\"text-body-secondary\" id=\"no-messages\">No messages match.</p>" : ""
        let time = query.fromTime.map { Date(timeIntervalSince1970: Double($0) / 1000).ISO8601Format().replacingOccurrences(of: "Z", with: "") } ?? ""
        return Layout.page(title: "Topic \(topic.name)", csrf: csrf, active: "/kafka", loggedIn: loggedIn, body: """
            <p class="d-flex flex-wrap gap-3" id="topic-facts"><span>Retention: <strong id="topic-retention">\(topic.retention?.text ?? "—")</strong></span>\
            <span>Messages: <strong>\(topic.messages)</strong></span><span>Rate: <strong>\(rate(topic.messagesPerSecond))</strong> messages/s</span>\
            \(table.map { t -> HTML in "<a href=\"/lake/\(t)\">lake table \(t)</a> <a href=\"/sql?sql=\(LakePages.percent("SELECT * FROM \(t) LIMIT 100"))\">query it</a>" })</p>
            \(topic.deadLetter ? reasons(messages) : "")
            <div class="table-responsive"><table class="table table-sm w-auto"><caption>Partitions</caption>
            <thead><tr><th scope="col">Partition</th><th scope="col">Leader</th><th scope="col" class="text-end">Low</th><th scope="col" class="text-end">High</th><th scope="col" class="text-end">Messages</th></tr></thead>
            <tbody>\(partitionRows)</tbody></table></div>
            <form method="get" action="/kafka/topics/\(topic.name)" class="row g-2 align-items-end mb-3" role="search">
            <div class="col-6 col-md-2"><label class="form-label" for="b-partition">Partition</label><select class="form-select" id="b-partition" name="partition">\(partitionOptions)</select></div>
            <div class="col-6 col-md-2"><label class="form-label" for="b-offset">From offset</label><input class="form-control" type="number" min="0" id="b-offset" name="offset" value="\(query.offset.map(String.init) ?? "")" placeholder="newest"></div>
            <div class="col-12 col-md-3"><label class="form-label" for="b-time">or from time (UTC)</label><input class="form-control" type="datetime-local" step="1" id="b-time" name="time" value="\(time)"></div>
            <div class="col-6 col-md-3"><label class="form-label" for="b-key">Key contains</label><input class="form-control" type="search" id="b-key" name="key" value="\(query.keyContains ?? "")"></div>
            <div class="col-6 col-md-1"><label class="form-label" for="b-limit">Limit</label><input class="form-control" type="number" min="1" max="500" id="b-limit" name="limit" value="\(query.limit)"></div>
            <div class="col-12 col-md-1"><button class="btn btn-primary w-100" type="submit">Browse</button></div>
            </form>
            <section aria-label="Messages" id="messages">\(empty)\(cards)</section>
            """)
    }

    /// Messages per second, or a dash before the second look.
    static func rate(_ value: Double?) -> String {
        guard let value else { return "—" }
        return value >= 10 ? String(format: "%.0f", value) : String(format: "%.1f", value)
    }

    /// A dead-letter topic's error reasons among the shown messages, most frequent first.
    static func reasons(_ messages: [BrowsedMessage]) -> HTML {
        var counts: [String: (stage: String, reason: String, count: Int)] = [:]
        for m in messages {
            let stage = m.errorStage ?? "unknown", reason = m.errorReason ?? "(no error.reason header)"
            counts[stage + "\u{0}" + reason, default: (stage, reason, 0)].count += 1
        }
        guard !counts.isEmpty else { return "" }
        let rows = counts.values.sorted { ($0.count, $1.reason) > ($1.count, $0.reason) }.prefix(20).map { r -> HTML in
            "<tr><td><span class=\"badge text-bg-danger\">\(r.stage)</span></td><td>\(r.reason)</td><td class=\"text-end\">\(r.count)</td></tr>"
        }
        return """
            <section class="alert alert-danger" aria-labelledby="dlq-reasons-h" id="dlq-reasons"><h2 class="h6" id="dlq-reasons-h">Why these messages were dead-lettered</h2>
            <div class="table-responsive"><table class="table table-sm mb-0 small"><thead><tr><th scope="col">Stage</th><th scope="col">Reason</th><th scope="col" class="text-end">Messages shown</th></tr></thead><tbody>\(rows)</tbody></table></div></section>
            """
    }

    static func groups(_ groups: [GroupSummary], csrf: String, loggedIn: Bool) -> HTML {
        let sections = groups.map { g -> HTML in
            let rows = g.partitions.map { p -> HTML in
                "<tr><td>\(p.topic)</td><td>\(p.partition)</td><td class=\"text-end\">\(p.committed.map(String.init) ?? "—")</td><td class=\"text-end\">\(p.high)</td><td class=\"text-end\">\(p.lag)</td></tr>"
            }
            return """
                <section class="mb-4 group"><h2 class="h5">\(g.name) <span class="badge text-bg-secondary">\(g.state)</span> <small class="text-body-secondary">\(g.members) member(s), total lag \(g.totalLag)</small></h2>
                <div class="table-responsive"><table class="table table-sm w-auto"><thead><tr><th scope="col">Topic</th><th scope="col">Partition</th><th scope="col" class="text-end">Committed</th><th scope="col" class="text-end">High watermark</th><th scope="col" class="text-end">Lag</th></tr></thead>
                <tbody>\(rows)</tbody></table></div></section>
                """
        }
        let empty: HTML = groups.isEmpty ? "<p class=\"text-body-secondary\">No consumer groups yet.</p>" : ""
        let chart = Charts.bars(groups.map { ($0.name, Double($0.totalLag), "\($0.totalLag)") }, label: "Total lag per consumer group", id: "lag-chart")
        let chartSection: HTML = groups.isEmpty ? "" : "<section class=\"mb-4\" aria-label=\"Lag chart\"><h2 class=\"h6\">Total lag (messages)</h2>\(chart)</section>"
        return Layout.page(title: "Consumer groups", csrf: csrf, active: "/kafka/groups", loggedIn: loggedIn, body: "\(empty)\(chartSection)\(sections)")
    }
}

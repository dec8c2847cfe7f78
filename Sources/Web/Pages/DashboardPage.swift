/// The live dashboard: charts drawn by `charts.js` from server-sent events.
enum DashboardPage {
    static func page(hasProcessor: Bool, hasLake: Bool, csrf: String, loggedIn: Bool) -> HTML {
        func card(_ id: String, _ title: String, _ description: String, wide: Bool = false) -> HTML {
            """
            <section class="col-12\(HTML(trusted: wide ? "" : " col-lg-6"))" aria-labelledby="\(id)-h"><div class="card h-100"><div class="card-body">
            <h2 class="h6 card-title" id="\(id)-h">\(title)</h2>
            <canvas id="\(id)" class="dash-chart" height="220" role="img" aria-label="\(title): \(description)"></canvas>
            </div></div></section>
            """
        }
        let processorNote: HTML = hasProcessor ? "" : """
            <div class="alert alert-secondary py-2 small" role="note">No processor runs in this process (<code>tributary web</code> alone): records out come from the group's committed offsets; batch and commit durations need <code>tributary up</code>.</div>
            """
        let lakeNote: HTML = hasLake ? "" : "<div class=\"alert alert-secondary py-2 small\" role=\"note\">No lake configured: no table sizes.</div>"
        return Layout.page(title: "Dashboard", csrf: csrf, active: "/dashboard", loggedIn: loggedIn, scripts: ["charts.js", "dashboard.js"], body: """
            <p class="small text-body-secondary" aria-live="polite">Live: <span id="dash-state">connecting…</span> · updates <span id="dash-updates">0</span> · last <span id="dash-time">—</span></p>
            \(processorNote)\(lakeNote)
            <div id="dash-problems" role="alert"></div>
            <div class="row g-3" id="dashboard">
            \(card("chart-in", "Records in (per second)", "messages produced per topic, from Kafka watermarks"))
            \(card("chart-out", "Records out (per second)", "records written to the lake per topic"))
            \(card("chart-dlq", "Dead-lettered (per second)", "messages to the .dlq topics"))
            \(card("chart-lag", "Consumer lag (messages)", "lag of the processor's group per topic"))
            \(card("chart-durations", "Batch and commit duration (seconds)", "the processor's last batch and commit"))
            \(card("chart-tables", "Table sizes", "bytes of each table's latest snapshot"))
            \(card("chart-logs", "Merge-on-read logs", "bytes of the log files in each merge-on-read table's latest snapshot, with pending compactions"))
            </div>
            <section class="mt-4" aria-labelledby="totals-h"><h2 class="h5" id="totals-h">Now</h2>
            <div class="table-responsive"><table class="table table-sm" id="dash-totals"><thead><tr><th scope="col">Topic</th><th scope="col" class="text-end">Messages</th><th scope="col" class="text-end">In/s</th><th scope="col" class="text-end">Written</th><th scope="col" class="text-end">Out/s</th><th scope="col" class="text-end">DLQ</th><th scope="col" class="text-end">Lag</th><th scope="col" class="text-end" title="Debezium tombstones skipped by the processor">Tombstones</th></tr></thead><tbody></tbody></table></div></section>
            <section class="mt-4" aria-labelledby="alerts-h"><h2 class="h5" id="alerts-h">Alerts</h2><div id="dash-alerts" aria-live="polite"><p class="text-body-secondary small">Loading alert rules…</p></div></section>
            <p class="mt-4 small">API: <code>GET /api/dashboard</code> (recent points), <code>GET /api/dashboard/stream</code> (server-sent events).</p>
            """)
    }
}

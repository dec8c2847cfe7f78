/// The SQL workbench: an editor over `POST /api/query` with time travel and incremental
/// reads; `sql.js` runs queries, pages results, keeps the history and downloads.
enum SQLPage {
    /// A completed commit to offer in the time-travel and incremental pickers.
    struct CommitChoice: Sendable {
        var table: String
        var commit: LakeCommit
    }

    struct Initial: Sendable {
        var sql = ""
        var asOf = ""
        var since = ""
        var until = ""
        var withMeta = false
        var limit = 1000
        /// True when the URL asked for a query (links from the lake pages run it at once).
        var run = false
    }

    static func page(initial: Initial, tables: [String], commits: [CommitChoice], csrf: String, loggedIn: Bool) -> HTML {
        func options(_ selected: String) -> [HTML] {
            commits.map { c -> HTML in
                let mark: HTML = c.commit.instant == selected ? " selected" : ""
                return "<option value=\"\(c.commit.instant)\"\(mark)>\(c.commit.instant) · \(c.table) · \(c.commit.operation ?? c.commit.action) · \(c.commit.time ?? "")</option>"
            }
        }
        let beginningSelected: HTML = initial.since == LakePages.beginning ? " selected" : ""
        let tableList = tables.map { name -> HTML in "<li><button type=\"button\" class=\"btn btn-link btn-sm p-0 sql-table\" data-table=\"\(name)\">\(name)</button></li>" }
        let sql = initial.sql.isEmpty ? (tables.first.map { "SELECT * FROM \($0) LIMIT 100" } ?? "SELECT 42 AS answer") : initial.sql
        let checked: HTML = initial.withMeta ? " checked" : ""
        return Layout.page(title: "SQL", csrf: csrf, active: "/sql", loggedIn: loggedIn, scripts: ["sql.js"], body: """
            <div class="row g-3">
            <div class="col-12 col-lg-9">
            <form id="sql-form" method="get" action="/sql" data-run="\(initial.run ? "1" : "0")">
            <label class="form-label" for="sql-text">Query <small class="text-body-secondary">(one read-only query; Ctrl-Enter runs it)</small></label>
            <div class="sql-editor"><pre class="sql-highlight" id="sql-highlight" aria-hidden="true"></pre><textarea class="form-control font-monospace" id="sql-text" name="sql" rows="6" spellcheck="false" autocapitalize="off" autocomplete="off" aria-describedby="sql-help">\(sql)</textarea></div>
            <p id="sql-help" class="form-text">Tables are views named after their topics, as of their latest commit. Hudi's <code>_hoodie_*</code> columns show with “meta columns”.</p>
            <fieldset class="row g-2 align-items-end"><legend class="visually-hidden">Read options</legend>
            <div class="col-12 col-md-4"><label class="form-label" for="sql-asof">Time travel: as of commit</label><select class="form-select" id="sql-asof" name="as_of"><option value="">latest snapshot</option>\(options(initial.asOf))</select></div>
            <div class="col-6 col-md-4"><label class="form-label" for="sql-since">Changes after commit</label><select class="form-select" id="sql-since" name="since"><option value="">—</option><option value="\(LakePages.beginning)"\(beginningSelected)>the beginning</option>\(options(initial.since))</select></div>
            <div class="col-6 col-md-4"><label class="form-label" for="sql-until">… up to commit</label><select class="form-select" id="sql-until" name="until"><option value="">the latest</option>\(options(initial.until))</select></div>
            <div class="col-6 col-md-3"><label class="form-label" for="sql-limit">Row limit</label><input class="form-control" type="number" min="1" max="1000000" id="sql-limit" name="limit" value="\(initial.limit)"></div>
            <div class="col-6 col-md-3"><div class="form-check mb-2"><input class="form-check-input" type="checkbox" id="sql-meta" name="with_meta" value="1"\(checked)><label class="form-check-label" for="sql-meta">Meta columns</label></div></div>
            <div class="col-12 col-md-6 d-flex flex-wrap gap-2"><button class="btn btn-primary text-nowrap" type="submit" id="sql-run">Run <kbd class="small d-none d-md-inline">Ctrl-Enter</kbd></button>
            <button class="btn btn-outline-secondary" type="button" id="sql-csv" disabled>Download CSV</button><button class="btn btn-outline-secondary" type="button" id="sql-json" disabled>Download JSON</button></div>
            </fieldset>
            </form>
            </div>
            <aside class="col-12 col-lg-3"><h2 class="h6">Tables</h2><ul class="list-unstyled small" id="sql-tables">\(tableList)</ul>
            <h2 class="h6">History</h2><ol class="small ps-3" id="sql-history" aria-label="Query history (newest first)"></ol>
            <button class="btn btn-sm btn-outline-secondary" type="button" id="sql-history-clear">Clear history</button></aside>
            </div>
            <div id="sql-error" class="mt-3" role="alert"></div>
            <p id="sql-status" class="mt-3 small text-body-secondary" aria-live="polite"></p>
            <div class="table-responsive"><table class="table table-sm table-striped table-hover" id="sql-result"><caption class="visually-hidden">Query result</caption><thead></thead><tbody></tbody></table></div>
            <nav class="d-flex gap-2 align-items-center" aria-label="Result pages" id="sql-pager" hidden><button class="btn btn-sm btn-outline-secondary" type="button" id="sql-prev">Previous</button><span id="sql-page" class="small"></span><button class="btn btn-sm btn-outline-secondary" type="button" id="sql-next">Next</button></nav>
            <p class="mt-4 small">API: <code>POST /api/query</code> with <code>{"sql": "…", "as_of": "…", "since": "…", "until": "…", "with_meta": false, "limit": 1000}</code>.</p>
            """)
    }
}

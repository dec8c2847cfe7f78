import Foundation
import TributaryCore

/// The lake pages: the table list and one table's schema, partitions and commit timeline.
enum LakePages {
    static func noLake(csrf: String, loggedIn: Bool) -> HTML {
        Layout.page(title: "Lake", csrf: csrf, active: "/lake", loggedIn: loggedIn, body: """
            <div class="alert alert-info" role="status">This web app runs without a lake (<code>storage.uri</code>): start it with <code>tributary up</code> or <code>tributary web</code> and a configuration.</div>
            """)
    }

    static func tables(_ tables: [LakeTableSummary], csrf: String, loggedIn: Bool) -> HTML {
        let rows = tables.map { t -> HTML in
            """
            <tr><th scope="row"><a href="/lake/\(t.name)">\(t.name)</a></th><td class="text-end">\(t.columns.count)</td><td>\(t.partitionFields.joined(separator: ", "))</td>\
            <td class="text-end">\(t.partitions.count)</td><td class="text-end">\(t.files)</td><td class="text-end">\(Format.bytes(t.bytes))</td>\
            <td class="text-end">\(t.commits)</td><td class="small">\(t.latestCommitTime ?? "—")</td>\
            <td><a class="btn btn-sm btn-outline-primary" href="/sql?sql=\(percent("SELECT * FROM \(t.name) LIMIT 100"))">Query</a></td></tr>
            """
        }
        let empty: HTML = tables.isEmpty ? "<p class=\"text-body-secondary\" id=\"no-tables\">No tables yet: the processor creates one per topic at its first commit.</p>" : ""
        let chart = Charts.bars(tables.map { ($0.name, Double($0.bytes), Format.bytes($0.bytes)) }, label: "Table sizes (latest snapshot)", id: "table-sizes")
        return Layout.page(title: "Lake", csrf: csrf, active: "/lake", loggedIn: loggedIn, body: """
            <p>The Hudi copy-on-write tables of the lake, one per topic. Sizes are those of the latest snapshot's base files.</p>
            \(empty)
            <div class="table-responsive"><table class="table table-sm table-striped align-middle" id="lake-tables">
            <caption>Tables</caption>
            <thead><tr><th scope="col">Table</th><th scope="col" class="text-end">Columns</th><th scope="col">Partitioned by</th><th scope="col" class="text-end">Partitions</th><th scope="col" class="text-end">Files</th><th scope="col" class="text-end">Size</th><th scope="col" class="text-end">Commits</th><th scope="col">Latest commit</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            <h2 class="h5 mt-3">Table sizes</h2>\(chart)
            """)
    }

    static func table(_ t: LakeTableSummary, timeline: [LakeCommit], csrf: String, loggedIn: Bool) -> HTML {
        let columns = t.columns.map { c -> HTML in
            let key: HTML = t.recordKeyFields.contains(c.name) ? " <span class=\"badge text-bg-primary\">record key</span>" : ""
            let part: HTML = t.partitionFields.contains(c.name) ? " <span class=\"badge text-bg-secondary\">partition</span>" : ""
            let pre: HTML = t.precombineField == c.name ? " <span class=\"badge text-bg-info\">precombine</span>" : ""
            return "<tr><td class=\"font-monospace\">\(c.name)\(key)\(part)\(pre)</td><td class=\"font-monospace\">\(c.type)</td><td>\(c.nullable ? "yes" : "no")</td></tr>"
        }
        let partitions = t.partitions.map { p -> HTML in
            "<tr><td class=\"font-monospace\">\(p.path.isEmpty ? "(none)" : p.path)</td><td class=\"text-end\">\(p.files)</td><td class=\"text-end\">\(Format.bytes(p.bytes))</td></tr>"
        }
        let completed = timeline.filter { $0.state == "completed" }
        let commits = timeline.enumerated().map { i, c -> HTML in
            let previous = timeline[(i + 1)...].first { $0.state == "completed" }
            let select = "SELECT * FROM \(t.name)"
            let asOf: HTML = c.state == "completed"
                ? "<a href=\"/sql?as_of=\(c.instant)&amp;sql=\(percent(select + " LIMIT 100"))\">as of</a>" : ""
            let changes: HTML = c.state == "completed"
                ? "<a href=\"/sql?since=\(previous?.instant ?? LakePages.beginning)&amp;until=\(c.instant)&amp;with_meta=1&amp;sql=\(percent("\(changesSQL(t.name))"))\">changes</a>" : ""
            return """
                <tr class="commit" data-instant="\(c.instant)" data-state="\(c.state)"><td class="font-monospace">\(c.instant)</td><td class="small text-nowrap">\(c.time ?? "")</td><td>\(c.action)\(c.state == "completed" ? "" : HTML(" <span class=\"badge text-bg-warning\">\(c.state)</span>"))</td><td>\(c.operation ?? "")</td>\
                <td class="text-end">\(c.inserted)</td><td class="text-end">\(c.updated)</td><td class="text-end">\(c.deleted)</td><td class="text-end">\(c.filesWritten)</td><td class="text-end text-nowrap">\(Format.bytes(Int(c.bytesWritten)))</td>\
                <td class="small font-monospace text-break">\(c.checkpoint ?? "")</td><td class="text-nowrap">\(asOf) \(changes)</td></tr>
                """
        }
        let options = completed.map { c -> HTML in "<option value=\"\(c.instant)\">\(c.instant) · \(c.operation ?? c.action) · \(c.time ?? "")</option>" }
        let chart = Charts.bars(completed.prefix(20).reversed().map { c in
            ("\(c.instant)", Double(c.inserted + c.updated + c.deleted), "+\(c.inserted) ~\(c.updated) −\(c.deleted)")
        }, label: "Rows changed per commit (latest 20)", id: "commit-chart")
        let partitionChart = Charts.bars(t.partitions.map { ($0.path.isEmpty ? "(none)" : $0.path, Double($0.bytes), Format.bytes($0.bytes)) },
                                         label: "Partition sizes", id: "partition-chart")
        return Layout.page(title: "Table \(t.name)", csrf: csrf, active: "/lake", loggedIn: loggedIn, body: """
            <p class="d-flex flex-wrap gap-3"><span>Hudi table <code>\(t.tableName)</code> (version \(t.tableVersion))</span><span>record key <code>\(t.recordKeyFields.joined(separator: ", "))</code></span>\
            <span>\(t.files) file(s), \(Format.bytes(t.bytes))</span><span>\(t.commits) commit(s)</span>\
            <a class="btn btn-sm btn-primary" href="/sql?sql=\(percent("SELECT * FROM \(t.name) LIMIT 100"))">Query this table</a></p>
            <div class="row g-4">
            <section class="col-12 col-lg-6" aria-labelledby="schema-h"><h2 class="h5" id="schema-h">Schema</h2>
            <div class="table-responsive"><table class="table table-sm" id="schema"><thead><tr><th scope="col">Column</th><th scope="col">Type</th><th scope="col">Nullable</th></tr></thead><tbody>\(columns)</tbody></table></div></section>
            <section class="col-12 col-lg-6" aria-labelledby="partitions-h"><h2 class="h5" id="partitions-h">Partitions</h2>
            <div class="table-responsive"><table class="table table-sm" id="partitions"><thead><tr><th scope="col">Partition</th><th scope="col" class="text-end">Files</th><th scope="col" class="text-end">Size</th></tr></thead><tbody>\(partitions)</tbody></table></div>
            \(partitionChart)</section>
            </div>
            <section aria-labelledby="changes-h" class="mt-3"><h2 class="h5" id="changes-h">What changed between commits</h2>
            <p class="small text-body-secondary">An incremental read: the records inserted or updated by the commits in the range, with their commit time. Deleted records leave no row to read; the timeline's “Deleted” column counts them.</p>
            <form method="get" action="/sql" class="row g-2 align-items-end" id="changes-form">
            <input type="hidden" name="sql" value="\(changesSQL(t.name))"><input type="hidden" name="with_meta" value="1">
            <div class="col-12 col-md-4"><label class="form-label" for="c-since">After commit</label><select class="form-select" id="c-since" name="since"><option value="\(LakePages.beginning)">the beginning</option>\(options)</select></div>
            <div class="col-12 col-md-4"><label class="form-label" for="c-until">Up to commit</label><select class="form-select" id="c-until" name="until">\(options)</select></div>
            <div class="col-12 col-md-2"><button class="btn btn-outline-primary w-100" type="submit">Show changes</button></div>
            </form></section>
            <section aria-labelledby="timeline-h" class="mt-4"><h2 class="h5" id="timeline-h">Commit timeline</h2>
            \(chart)
            <div class="table-responsive"><table class="table table-sm table-striped align-middle" id="timeline">
            <caption>Newest first. Inserted/updated/deleted from the commits' write stats; the Kafka checkpoint (<code>deltastreamer.checkpoint.key</code>) committed with the rows.</caption>
            <thead><tr><th scope="col">Instant</th><th scope="col">Time (UTC)</th><th scope="col">Action</th><th scope="col">Operation</th><th scope="col" class="text-end">Inserted</th><th scope="col" class="text-end">Updated</th><th scope="col" class="text-end">Deleted</th><th scope="col" class="text-end">Files</th><th scope="col" class="text-end">Bytes</th><th scope="col">Kafka checkpoint</th><th scope="col">Read</th></tr></thead>
            <tbody>\(commits)</tbody></table></div></section>
            """)
    }

    /// What an incremental read shows: the commit time and key, then the data columns.
    static func changesSQL(_ table: String) -> String {
        "SELECT * EXCLUDE (_hoodie_commit_seqno, _hoodie_partition_path, _hoodie_file_name) FROM \(table) ORDER BY _hoodie_commit_time, _hoodie_record_key LIMIT 1000"
    }

    /// An instant before every commit ("since the beginning" of an incremental read).
    static let beginning = "19700101000000000"

    /// Percent-encodes a query parameter value.
    static func percent(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

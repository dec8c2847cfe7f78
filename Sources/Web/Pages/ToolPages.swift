import Pipeline

/// Bulk upload, the generator panel and the login page.
enum ToolPages {
    static func upload(schemas: [TopicSchema], maxBytes: Int, csrf: String, loggedIn: Bool) -> HTML {
        let options = schemas.map { s -> HTML in
            "<option value=\"\(s.name)\"\(HTML(trusted: s.name == BulkUploader.wrappingStream ? " selected" : ""))>\(s.name)</option>"
        }
        return Layout.page(title: "Bulk upload", csrf: csrf, active: "/upload", loggedIn: loggedIn, body: """
            <p>Upload a CSV file (first row: column names) or JSONL (one JSON object per line), up to \(maxBytes / (1024 * 1024)) MiB. The file is streamed to the server, row by row to Kafka.
            For the typed topics columns map to fields by name; <code>bulk_upload</code> keeps every column in <code>data</code>, derives <code>record_id</code> from the file name and row number when absent and uses the upload time when there is no <code>timestamp</code>.</p>
            <form id="upload-form" class="row g-3" data-max-bytes="\(maxBytes)">
            <div class="col-12 col-md-5"><label class="form-label" for="u-file">File <span class="text-danger" aria-hidden="true">*</span></label><input class="form-control" type="file" id="u-file" name="file" accept=".csv,.jsonl,.ndjson,.json,text/csv" required></div>
            <div class="col-6 col-md-3"><label class="form-label" for="u-topic">Topic</label><select class="form-select" id="u-topic" name="topic">\(options)</select></div>
            <div class="col-6 col-md-2"><label class="form-label" for="u-format">Format</label><select class="form-select" id="u-format" name="format"><option value="">from file name</option><option value="csv">CSV</option><option value="jsonl">JSONL</option></select></div>
            <div class="col-12 col-md-2 d-flex align-items-end"><button class="btn btn-primary w-100" type="submit">Upload</button></div>
            </form>
            <div class="progress mt-3" role="progressbar" aria-label="Upload progress" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0" id="u-progress-wrap"><div class="progress-bar" id="u-progress" style="width: 0%"></div></div>
            <div id="upload-result" class="mt-3" aria-live="polite"></div>
            <p class="mt-4 small">API: <code>POST /api/topics/{topic}/upload?format=csv&amp;filename=name.csv</code> with the file as the body.</p>
            """)
    }

    static func generator(schemas: [TopicSchema], status: GeneratorStatus, csrf: String, loggedIn: Bool) -> HTML {
        let s = status.settings
        let boxes = schemas.map { schema -> HTML in
            let checked: HTML = s.topics.isEmpty || s.topics.contains(schema.name) ? " checked" : ""
            return """
                <div class="form-check form-check-inline"><input class="form-check-input" type="checkbox" name="topics" value="\(schema.name)" id="g-\(schema.name)"\(checked)><label class="form-check-label" for="g-\(schema.name)">\(schema.name)</label></div>
                """
        }
        func ratio(_ name: String, _ label: String, _ value: Double) -> HTML {
            """
            <div class="col-6 col-md-3"><label class="form-label" for="g-\(name)">\(label)</label><input class="form-control" type="number" min="0" max="1" step="0.01" id="g-\(name)" name="\(name)" value="\(value)"></div>
            """
        }
        return Layout.page(title: "Real-time generator", csrf: csrf, active: "/generator", loggedIn: loggedIn, body: """
            <p>Produces realistic records for the chosen topics at a steady rate, with a mix of updates, deletes, late updates and invalid records (which go to the <code>.dlq</code> topics).</p>
            <form id="generator-form" class="row g-3">
            <fieldset class="col-12"><legend class="form-label fs-6">Topics</legend>\(boxes)</fieldset>
            <div class="col-6 col-md-3"><label class="form-label" for="g-rate">Records per second</label><input class="form-control" type="number" min="0.1" max="100000" step="any" id="g-rate" name="rate" value="\(s.rate)" required></div>
            \(ratio("updateRatio", "Update ratio", s.updateRatio))
            \(ratio("deleteRatio", "Delete ratio", s.deleteRatio))
            \(ratio("lateRatio", "Late-update ratio", s.lateRatio))
            \(ratio("invalidRatio", "Invalid ratio", s.invalidRatio))
            <div class="col-12 d-flex gap-2"><button class="btn btn-success" type="submit" id="g-start">Start</button><button class="btn btn-outline-danger" type="button" id="g-stop">Stop</button></div>
            </form>
            <div class="mt-3" aria-live="polite"><p>Status: <strong id="g-state">\(status.running ? "running" : "stopped")</strong> · sent <strong id="g-total">\(status.total)</strong> record(s)</p>
            <p id="g-error" class="text-danger">\(status.lastError ?? "")</p><ul id="g-counts" class="small"></ul></div>
            """)
    }

    static func login(next: String, failed: Bool, csrf: String) -> HTML {
        let alert: HTML = failed ? "<div class=\"alert alert-danger\" role=\"alert\">That token is not right.</div>" : ""
        return Layout.page(title: "Log in", csrf: csrf, body: """
            \(alert)
            <form method="post" action="/login" class="col-12 col-md-6">
            <input type="hidden" name="csrf_token" value="\(csrf)"><input type="hidden" name="next" value="\(next)">
            <label class="form-label" for="l-token">Access token (<code>web.auth_token</code>)</label>
            <input class="form-control mb-3" type="password" id="l-token" name="token" autocomplete="current-password" required autofocus>
            <button class="btn btn-primary" type="submit">Log in</button>
            </form>
            """)
    }
}

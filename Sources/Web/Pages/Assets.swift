import Foundation

/// Static files: Bootstrap from Debian's libjs-bootstrap5 (installed by `make setup`;
/// no CDN is needed) and the app's own small script and styles.
enum Assets {
    /// Asset name → Debian file (the app works, unstyled, when a package is missing).
    static let debianFiles: [String: String] = [
        "bootstrap.min.css": "/usr/share/javascript/bootstrap5/css/bootstrap.min.css",
        "bootstrap.bundle.min.js": "/usr/share/javascript/bootstrap5/js/bootstrap.bundle.min.js",
        "chart.min.js": "/usr/share/javascript/chart.js/chart.min.js",
    ]

    static func contentType(_ name: String) -> String {
        if name.hasSuffix(".css") { return "text/css; charset=utf-8" }
        if name.hasSuffix(".js") { return "text/javascript; charset=utf-8" }
        return "application/octet-stream"
    }

    static func load(_ name: String) -> [UInt8]? {
        switch name {
        case "app.js": return Array(appJS.utf8)
        case "app.css": return Array(appCSS.utf8)
        case "sql.js": return Array(SQLScript.source.utf8)
        case "charts.js": return Array(ChartsScript.source.utf8)
        case "dashboard.js": return Array(DashboardScript.source.utf8)
        default:
            guard let path = debianFiles[name], let data = FileManager.default.contents(atPath: path) else { return nil }
            return Array(data)
        }
    }

    static let appCSS = """
        pre.json { white-space: pre-wrap; word-break: break-word; max-height: 24rem; overflow: auto; background: var(--bs-tertiary-bg); padding: .5rem; border-radius: .25rem; }
        .form-label { font-weight: 500; }
        .navbar-nav { column-gap: 1rem; row-gap: .25rem; }
        :focus-visible { outline: 3px solid #0d6efd; outline-offset: 2px; }
        .sql-editor { position: relative; }
        .sql-editor textarea, .sql-editor .sql-highlight { font-family: var(--bs-font-monospace); font-size: .9rem; line-height: 1.45; padding: .5rem .75rem; margin: 0; white-space: pre-wrap; overflow-wrap: break-word; word-break: normal; tab-size: 4; }
        .sql-editor .sql-highlight { position: absolute; inset: 0; overflow: hidden; border: var(--bs-border-width) solid transparent; pointer-events: none; background: transparent; color: var(--bs-body-color); }
        .sql-editor textarea { position: relative; background: transparent; color: transparent; caret-color: var(--bs-body-color); resize: vertical; min-height: 9rem; }
        .sql-editor textarea::selection { color: transparent; background: rgba(13,110,253,.25); }
        .tok-keyword { color: #0b5ed7; font-weight: 600; } .tok-function { color: #6f42c1; } .tok-string { color: #198754; }
        .tok-number { color: #b35900; } .tok-comment { color: #6c757d; font-style: italic; } .tok-ident { color: #8a2846; }
        #sql-result td { white-space: nowrap; max-width: 32rem; overflow: hidden; text-overflow: ellipsis; }
        svg.chart { width: 100%; max-width: 760px; height: auto; display: block; }
        .chart-label, .chart-value { font-size: 12px; fill: var(--bs-body-color); font-family: var(--bs-font-monospace); }
        .chart-bar { fill: #0d6efd; }
        """

    /// Upload with a progress bar, the generator panel's start/stop and live count.
    /// Every request carries the CSRF token from the page's meta tag.
    static let appJS = #"""
        (function () {
          "use strict";
          var meta = document.querySelector('meta[name="csrf-token"]');
          var csrf = meta ? meta.content : "";
          function esc(s) { var d = document.createElement("div"); d.textContent = String(s); return d.innerHTML; }

          var upload = document.getElementById("upload-form");
          if (upload) {
            upload.addEventListener("submit", function (ev) {
              ev.preventDefault();
              var file = document.getElementById("u-file").files[0];
              var out = document.getElementById("upload-result");
              var bar = document.getElementById("u-progress");
              if (!file) { out.innerHTML = '<div class="alert alert-danger" role="alert">Choose a file first.</div>'; return; }
              var max = Number(upload.dataset.maxBytes);
              if (file.size > max) {
                out.innerHTML = '<div class="alert alert-danger" role="alert">' + esc(file.name) + ' is ' + Math.round(file.size / 1048576) + ' MiB; the limit is ' + Math.round(max / 1048576) + ' MiB.</div>';
                return;
              }
              var topic = document.getElementById("u-topic").value;
              var format = document.getElementById("u-format").value;
              var url = "/api/topics/" + encodeURIComponent(topic) + "/upload?filename=" + encodeURIComponent(file.name) + (format ? "&format=" + format : "");
              var xhr = new XMLHttpRequest();
              xhr.open("POST", url);
              xhr.setRequestHeader("X-CSRF-Token", csrf);
              xhr.setRequestHeader("Content-Type", "application/octet-stream");
              xhr.upload.onprogress = function (e) {
                if (e.lengthComputable) { var p = Math.round(100 * e.loaded / e.total); bar.style.width = p + "%"; bar.parentNode.setAttribute("aria-valuenow", p); }
              };
              xhr.onload = function () {
                bar.style.width = "100%";
                var r; try { r = JSON.parse(xhr.responseText); } catch (e) { r = { error: xhr.responseText }; }
                if (r.error) { out.innerHTML = '<div class="alert alert-danger" role="alert">' + esc(r.error) + '</div>'; return; }
                var html = '<div class="alert ' + (r.failed || r.stoppedBecause ? 'alert-warning' : 'alert-success') + '" role="status">' +
                  esc(r.rows) + ' row(s): <strong>' + esc(r.produced) + '</strong> produced to ' + esc(r.topic) + ', <strong>' + esc(r.failed) + '</strong> refused.' +
                  (r.stoppedBecause ? ' Stopped: ' + esc(r.stoppedBecause) : '') + '</div>';
                if (r.errors && r.errors.length) {
                  html += '<table class="table table-sm" id="upload-errors"><caption>Refused rows</caption><thead><tr><th scope="col">Row</th><th scope="col">Stage</th><th scope="col">Reason</th></tr></thead><tbody>';
                  r.errors.forEach(function (e) { html += '<tr><td>' + esc(e.row) + '</td><td>' + esc(e.stage) + '</td><td>' + esc(e.reason) + '</td></tr>'; });
                  html += '</tbody></table>';
                }
                out.innerHTML = html;
              };
              xhr.onerror = function () { out.innerHTML = '<div class="alert alert-danger" role="alert">The upload failed (connection closed).</div>'; };
              bar.style.width = "0%";
              xhr.send(file);
            });
          }

          var gen = document.getElementById("generator-form");
          if (gen) {
            var show = function (s) {
              document.getElementById("g-state").textContent = s.running ? "running" : "stopped";
              document.getElementById("g-total").textContent = s.total;
              document.getElementById("g-error").textContent = s.lastError || s.error || "";
              var list = document.getElementById("g-counts");
              list.innerHTML = "";
              Object.keys(s.sent || {}).sort().forEach(function (k) { var li = document.createElement("li"); li.textContent = k + ": " + s.sent[k]; list.appendChild(li); });
            };
            var call = function (path, body) {
              return fetch(path, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: body ? JSON.stringify(body) : "{}" })
                .then(function (r) { return r.json(); }).then(show);
            };
            gen.addEventListener("submit", function (ev) {
              ev.preventDefault();
              var topics = Array.prototype.map.call(gen.querySelectorAll('input[name="topics"]:checked'), function (c) { return c.value; });
              var num = function (n) { return Number(gen.elements[n].value); };
              call("/api/generator/start", { rate: num("rate"), topics: topics, updateRatio: num("updateRatio"), deleteRatio: num("deleteRatio"), lateRatio: num("lateRatio"), invalidRatio: num("invalidRatio") });
            });
            document.getElementById("g-stop").addEventListener("click", function () { call("/api/generator/stop"); });
            setInterval(function () { fetch("/api/generator").then(function (r) { return r.json(); }).then(show).catch(function () {}); }, 1000);
          }

          // The topic list refreshes its counts and rates (rates need two looks).
          var topicsTable = document.getElementById("topics");
          if (topicsTable) {
            var refreshTopics = function () {
              fetch("/api/kafka/topics").then(function (r) { return r.json(); }).then(function (list) {
                list.forEach(function (t) {
                  var row = topicsTable.querySelector('tr[data-topic="' + CSS.escape(t.name) + '"]');
                  if (!row) { return; }
                  var rate = t.messagesPerSecond;
                  row.querySelector(".topic-messages").textContent = t.messages;
                  row.querySelector(".topic-rate").textContent = rate === null || rate === undefined ? "—" : (rate >= 10 ? rate.toFixed(0) : rate.toFixed(1));
                  row.querySelector(".topic-marks").textContent = t.partitions.map(function (p) { return p.partition + ": " + p.low + "–" + p.high; }).join(" · ");
                });
                document.getElementById("topics-refreshed").textContent = "refreshed " + new Date().toTimeString().slice(0, 8);
              }).catch(function () {});
            };
            setTimeout(refreshTopics, 1000);
            setInterval(refreshTopics, 5000);
          }
        })();
        """#
}

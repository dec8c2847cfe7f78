(function () {
  "use strict";
  var form = document.getElementById("sql-form");
  if (!form) { return; }
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.content : "";
  var text = document.getElementById("sql-text"), hl = document.getElementById("sql-highlight");
  var asof = document.getElementById("sql-asof"), since = document.getElementById("sql-since"), until = document.getElementById("sql-until");
  var limit = document.getElementById("sql-limit"), withMeta = document.getElementById("sql-meta");
  var errorBox = document.getElementById("sql-error"), statusLine = document.getElementById("sql-status");
  var table = document.getElementById("sql-result"), pager = document.getElementById("sql-pager");
  var PAGE = 50, result = null, page = 0, HISTORY = "tributary.sql.history";
  var KEYWORDS = /^(select|from|where|group|by|order|limit|offset|having|join|left|right|inner|outer|full|cross|on|as|and|or|not|in|is|null|like|ilike|between|case|when|then|else|end|with|union|all|distinct|asc|desc|over|partition|values|describe|show|tables|cast|true|false|interval|exists|using|qualify|window|filter|except|intersect|recursive|lateral|nulls|first|last)$/i;
  var FUNCTIONS = /^(count|sum|avg|min|max|round|date_trunc|strftime|epoch_us|epoch_ms|now|coalesce|lower|upper|length|substr|row_number|rank|lag|lead|list|struct_pack|approx_count_distinct|median|quantile_cont|stddev|hash|abs|floor|ceil|regexp_matches|string_agg|any_value|arg_max|arg_min)$/i;

  function esc(s) { return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;"); }

  function highlight(src) {
    var re = /(--[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|('(?:[^']|'')*'?)|("(?:[^"]|"")*"?)|(\b\d+(?:\.\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)|([\s\S])/g;
    var out = "", m;
    while ((m = re.exec(src)) !== null) {
      if (m[1] !== undefined) { out += '<span class="tok-comment">' + esc(m[1]) + "</span>"; }
      else if (m[2] !== undefined) { out += '<span class="tok-string">' + esc(m[2]) + "</span>"; }
      else if (m[3] !== undefined) { out += '<span class="tok-ident">' + esc(m[3]) + "</span>"; }
      else if (m[4] !== undefined) { out += '<span class="tok-number">' + esc(m[4]) + "</span>"; }
      else if (m[5] !== undefined) {
        out += KEYWORDS.test(m[5]) ? '<span class="tok-keyword">' + esc(m[5]) + "</span>"
          : FUNCTIONS.test(m[5]) ? '<span class="tok-function">' + esc(m[5]) + "</span>" : esc(m[5]);
      }
      else { out += esc(m[6]); }
    }
    return out + "\n";
  }
  function sync() { hl.innerHTML = highlight(text.value); hl.scrollTop = text.scrollTop; hl.scrollLeft = text.scrollLeft; }
  text.addEventListener("input", sync);
  text.addEventListener("scroll", sync);
  text.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); run(); }
  });
  sync();

  function history() { try { return JSON.parse(localStorage.getItem(HISTORY) || "[]"); } catch (e) { return []; } }
  function renderHistory() {
    var list = document.getElementById("sql-history");
    list.innerHTML = "";
    history().forEach(function (h, i) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button"; b.className = "btn btn-link btn-sm p-0 text-start font-monospace sql-history-item";
      b.textContent = h.sql.length > 80 ? h.sql.slice(0, 80) + "…" : h.sql;
      b.title = h.sql + (h.as_of ? " (as of " + h.as_of + ")" : "") + (h.since ? " (since " + h.since + ")" : "");
      b.addEventListener("click", function () { load(h); text.focus(); });
      li.appendChild(b); list.appendChild(li);
    });
  }
  function remember(body) {
    var items = history().filter(function (h) { return !(h.sql === body.sql && h.as_of === body.as_of && h.since === body.since && h.until === body.until); });
    items.unshift(body);
    try { localStorage.setItem(HISTORY, JSON.stringify(items.slice(0, 30))); } catch (e) { /* storage full or off */ }
    renderHistory();
  }
  function load(h) {
    text.value = h.sql; asof.value = h.as_of || ""; since.value = h.since || ""; until.value = h.until || "";
    withMeta.checked = !!h.with_meta; if (h.limit) { limit.value = h.limit; }
    sync();
  }
  document.getElementById("sql-history-clear").addEventListener("click", function () { localStorage.removeItem(HISTORY); renderHistory(); });
  renderHistory();
  Array.prototype.forEach.call(document.querySelectorAll(".sql-table"), function (b) {
    b.addEventListener("click", function () { text.value = "SELECT * FROM " + b.dataset.table + " LIMIT 100"; sync(); text.focus(); });
  });

  function cell(v) {
    if (v === null || v === undefined) { return '<span class="text-body-secondary fst-italic">NULL</span>'; }
    if (typeof v === "object") { return '<code class="small">' + esc(JSON.stringify(v)) + "</code>"; }
    return esc(v);
  }
  function render() {
    var cols = result.columns, rows = result.rows;
    var head = "<tr>" + cols.map(function (c) {
      return '<th scope="col">' + esc(c.name) + '<br><small class="col-type fw-normal text-body-secondary">' + esc(c.type) + "</small></th>";
    }).join("") + "</tr>";
    var start = page * PAGE, slice = rows.slice(start, start + PAGE);
    var body = slice.map(function (r) { return "<tr>" + r.map(function (v) { return "<td>" + cell(v) + "</td>"; }).join("") + "</tr>"; }).join("");
    table.tHead.innerHTML = head;
    table.tBodies[0].innerHTML = body;
    var pages = Math.max(1, Math.ceil(rows.length / PAGE));
    pager.hidden = pages <= 1;
    document.getElementById("sql-page").textContent = "Page " + (page + 1) + " of " + pages;
    document.getElementById("sql-prev").disabled = page === 0;
    document.getElementById("sql-next").disabled = page >= pages - 1;
  }
  document.getElementById("sql-prev").addEventListener("click", function () { if (page > 0) { page--; render(); } });
  document.getElementById("sql-next").addEventListener("click", function () { if ((page + 1) * PAGE < result.rows.length) { page++; render(); } });

  function download(name, type, content) {
    var url = URL.createObjectURL(new Blob([content], { type: type }));
    var a = document.createElement("a");
    a.href = url; a.download = name; document.body.appendChild(a); a.click();
    setTimeout(function () { URL.revokeObjectURL(url); a.remove(); }, 1000);
  }
  function csvCell(v) {
    if (v === null || v === undefined) { return ""; }
    var s = typeof v === "object" ? JSON.stringify(v) : String(v);
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  var csvButton = document.getElementById("sql-csv"), jsonButton = document.getElementById("sql-json");
  csvButton.addEventListener("click", function () {
    if (!result) { return; }
    var lines = [result.columns.map(function (c) { return csvCell(c.name); }).join(",")];
    result.rows.forEach(function (r) { lines.push(r.map(csvCell).join(",")); });
    download("query.csv", "text/csv", lines.join("\r\n") + "\r\n");
  });
  jsonButton.addEventListener("click", function () {
    if (!result) { return; }
    var objects = result.rows.map(function (r) { var o = {}; result.columns.forEach(function (c, i) { o[c.name] = r[i]; }); return o; });
    download("query.json", "application/json", JSON.stringify(objects, null, 2));
  });

  function showError(message, kind) {
    var title = kind === "duckdb" ? "DuckDB says" : kind === "refused" ? "Refused" : kind === "timeout" ? "Timed out" : "Error";
    errorBox.innerHTML = '<div class="alert alert-danger mb-0" id="sql-error-message"><strong>' + esc(title) + ":</strong> <span class=\"font-monospace\">" + esc(message) + "</span></div>";
  }
  function run() {
    var body = { sql: text.value, limit: Number(limit.value) || 1000, with_meta: withMeta.checked };
    if (asof.value) { body.as_of = asof.value; }
    if (since.value) { body.since = since.value; }
    if (until.value) { body.until = until.value; }
    errorBox.innerHTML = "";
    if (body.as_of && (body.since || body.until)) { showError("choose either a time-travel commit or a range of changes, not both", "invalid"); return; }
    if (body.until && !body.since) { showError("“up to commit” needs “changes after commit”", "invalid"); return; }
    statusLine.textContent = "Running…";
    var params = new URLSearchParams();
    Object.keys(body).forEach(function (k) { if (k !== "limit" && body[k] !== false) { params.set(k, body[k] === true ? "1" : body[k]); } });
    window.history.replaceState(null, "", "/sql?" + params.toString());
    fetch("/api/query", { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body) })
      .then(function (r) { return r.text().then(function (t) { var j; try { j = JSON.parse(t); } catch (e) { j = { error: t || ("HTTP " + r.status) }; } return { ok: r.ok, j: j }; }); })
      .then(function (r) {
        remember(body);
        if (!r.ok || r.j.error) {
          statusLine.textContent = "";
          showError(r.j.error || "the query failed", r.j.kind);
          return;
        }
        result = r.j; page = 0; render();
        csvButton.disabled = false; jsonButton.disabled = false;
        statusLine.textContent = result.rows.length + " row(s)" + (result.truncated ? " (cut at the row limit)" : "") + " in " + Math.round(result.elapsed_ms) + " ms" +
          (body.as_of ? " · as of " + body.as_of : "") + (body.since ? " · changes after " + body.since + (body.until ? " up to " + body.until : "") : "");
      })
      .catch(function (e) { statusLine.textContent = ""; showError("the server did not answer (" + e + ")", "network"); });
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
  if (form.dataset.run === "1") { run(); }
})();

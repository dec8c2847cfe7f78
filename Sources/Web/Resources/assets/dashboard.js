(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root || !window.TributaryCharts) { return; }
  var C = window.TributaryCharts, points = [], updates = 0, MAX = 150;
  function esc(s) { var d = document.createElement("div"); d.textContent = String(s); return d.innerHTML; }
  function topicNames() { var last = points[points.length - 1]; return last ? last.topics.map(function (t) { return t.topic; }) : []; }
  function series(field) {
    return topicNames().map(function (name) {
      return { name: name, points: points.map(function (p) {
        var t = p.topics.filter(function (x) { return x.topic === name; })[0];
        return [p.time, t ? t[field] : 0];
      }) };
    });
  }
  function draw() {
    var last = points[points.length - 1];
    C.line(document.getElementById("chart-in"), series("inRate"));
    C.line(document.getElementById("chart-out"), series("outRate"));
    C.line(document.getElementById("chart-dlq"), series("dlqRate"));
    C.line(document.getElementById("chart-lag"), series("lag"));
    var withProcessor = points.filter(function (p) { return p.processor; });
    C.line(document.getElementById("chart-durations"), withProcessor.length ? [
      { name: "batch", points: withProcessor.map(function (p) { return [p.time, p.processor.lastBatchSeconds]; }) },
      { name: "commit", points: withProcessor.map(function (p) { return [p.time, p.processor.lastCommitSeconds]; }) }
    ] : [], { empty: "no processor in this process", format: function (v) { return v < 10 ? v.toFixed(2) + "s" : v.toFixed(0) + "s"; } });
    C.bars(document.getElementById("chart-tables"), last ? last.tables.map(function (t) {
      return { label: t.name, value: t.bytes, text: C.bytes(t.bytes) + " · " + t.files + " files · " + t.commits + " commits" };
    }) : [], { empty: "no tables yet" });
    var mergeOnRead = last ? last.tables.filter(function (t) { return t.tableType === "merge_on_read"; }) : [];
    C.bars(document.getElementById("chart-logs"), mergeOnRead.map(function (t) {
      return { label: t.name, value: t.logBytes, text: C.bytes(t.logBytes) + " in " + t.logFiles + " log files (base " + C.bytes(t.bytes) + ") · " +
        t.pendingCompactions + " pending compactions" };
    }), { empty: "no merge-on-read tables" });
    if (!last) { return; }
    document.querySelector("#dash-totals tbody").innerHTML = last.topics.map(function (t) {
      return "<tr><th scope=\"row\">" + esc(t.topic) + "</th><td class=\"text-end\">" + t.produced + "</td><td class=\"text-end\">" + C.number(t.inRate) +
        "</td><td class=\"text-end\">" + t.out + "</td><td class=\"text-end\">" + C.number(t.outRate) + "</td><td class=\"text-end\">" + t.deadLettered +
        "</td><td class=\"text-end\">" + t.lag + "</td><td class=\"text-end\">" + (t.tombstonesSkipped === null || t.tombstonesSkipped === undefined ? "—" : t.tombstonesSkipped) + "</td></tr>";
    }).join("");
    document.getElementById("dash-time").textContent = new Date(last.time).toTimeString().slice(0, 8);
    document.getElementById("dash-problems").innerHTML = (last.problems || []).map(function (p) {
      return '<div class="alert alert-warning py-1 small">' + esc(p) + "</div>";
    }).join("");
  }
  function add(p) { points.push(p); if (points.length > MAX) { points.shift(); } }
  function connect() {
    var state = document.getElementById("dash-state");
    var source = new EventSource("/api/dashboard/stream");
    source.onopen = function () { state.textContent = "connected"; };
    source.onerror = function () { state.textContent = "reconnecting…"; };
    source.addEventListener("sample", function (e) {
      var p; try { p = JSON.parse(e.data); } catch (err) { return; }
      var last = points[points.length - 1];
      if (!last || p.time > last.time) { add(p); }
      updates++;
      document.getElementById("dash-updates").textContent = updates;
      draw();
    });
  }
  fetch("/api/dashboard").then(function (r) { return r.json(); }).then(function (h) { (h.points || []).forEach(add); draw(); })
    .catch(function () { draw(); }).then(connect);
  var resizeTimer;
  window.addEventListener("resize", function () { clearTimeout(resizeTimer); resizeTimer = setTimeout(draw, 150); });

  function alerts() {
    var box = document.getElementById("dash-alerts");
    fetch("/api/alerts", { headers: { "Accept": "application/json" } }).then(function (r) {
      if (r.status === 404) { box.innerHTML = '<p class="small" id="alerts-absent">Alert rules: see <a href="/metrics">/metrics</a>.</p>'; return null; }
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (data) {
      if (data === null) { return; }
      var list = (Array.isArray(data) ? data : (data.alerts || data.rules || [])).slice();
      if (!list.length) { box.innerHTML = '<p class="small text-body-secondary">No alert rules are defined.</p>'; return; }
      var rank = function (a) { var st = String(a.state || ""); return /fir/i.test(st) ? 0 : /pend/i.test(st) ? 1 : 2; };
      list.sort(function (a, b) { return rank(a) - rank(b); });
      var firing = list.filter(function (a) { return rank(a) === 0; }).length;
      box.innerHTML = '<p class="small">' + (firing ? '<strong class="text-danger">' + firing + " firing</strong>" : '<span class="text-success">nothing firing</span>') +
        " · " + list.length + ' rule(s) · details on <a href="/metrics">/metrics</a></p><ul class="list-group" id="alerts-list">' + list.map(function (a) {
        var state = String(a.state || a.status || (a.firing ? "firing" : "ok"));
        var cls = rank(a) === 0 ? "danger" : rank(a) === 1 ? "warning" : "success";
        // Active instances carry their summary with the labels and value filled in.
        var active = (a.values || []).filter(function (v) { return v.state && v.state !== "inactive"; });
        var detail = active.length ? active.map(function (v) { return esc(v.summary || JSON.stringify(v.labels)); }).join("<br>")
          : esc(a.description || a.message || (a.expression ? a.expression : ""));
        return '<li class="list-group-item"><div class="d-flex flex-wrap gap-2 align-items-center"><span class="badge text-bg-' + cls + '">' + esc(state) + "</span><strong>" +
          esc(a.name || a.alert || a.rule || "rule") + "</strong>" + (a.severity ? ' <span class="badge text-bg-light border">' + esc(a.severity) + "</span>" : "") +
          '</div><div class="small text-body-secondary font-monospace text-break">' + detail + "</div></li>";
      }).join("") + "</ul>";
    }).catch(function (e) { box.innerHTML = '<p class="small">Alert rules: see <a href="/metrics">/metrics</a> (' + esc(e.message) + ").</p>"; });
  }
  alerts();
  setInterval(alerts, 10000);
})();

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

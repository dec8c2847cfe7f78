(function () {
  "use strict";
  var PALETTE = ["#0d6efd", "#dc3545", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#d63384", "#6c757d"];
  function color(i) { return PALETTE[i % PALETTE.length]; }
  function number(v) {
    var a = Math.abs(v);
    if (a >= 1e9) { return (v / 1e9).toFixed(1) + "G"; }
    if (a >= 1e6) { return (v / 1e6).toFixed(1) + "M"; }
    if (a >= 1e4) { return (v / 1e3).toFixed(0) + "k"; }
    if (a >= 1e3) { return (v / 1e3).toFixed(1) + "k"; }
    if (a >= 10 || v === 0) { return v.toFixed(0); }
    return v.toFixed(a >= 1 ? 1 : 2);
  }
  function bytes(n) {
    var units = ["B", "KiB", "MiB", "GiB", "TiB"], i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n.toFixed(0) : n.toFixed(n < 10 ? 1 : 0)) + " " + units[i];
  }
  function nice(max) {
    if (max <= 0) { return 1; }
    var p = Math.pow(10, Math.floor(Math.log10(max))), f = max / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
  }
  function clock(ms) { var d = new Date(ms); return d.toTimeString().slice(0, 8); }
  function setup(canvas) {
    var ratio = window.devicePixelRatio || 1;
    var width = canvas.clientWidth || canvas.parentNode.clientWidth || 300;
    var height = Number(canvas.getAttribute("height")) || 220;
    if (!canvas.dataset.cssHeight) { canvas.dataset.cssHeight = height; }
    height = Number(canvas.dataset.cssHeight);
    canvas.style.width = "100%"; canvas.style.height = height + "px";
    canvas.width = Math.round(width * ratio); canvas.height = Math.round(height * ratio);
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    var style = getComputedStyle(document.body);
    ctx.font = "11px " + (style.fontFamily || "sans-serif");
    return { ctx: ctx, w: width, h: height, fg: style.color || "#212529" };
  }
  function empty(c, message) {
    c.ctx.fillStyle = c.fg; c.ctx.globalAlpha = 0.6; c.ctx.textAlign = "center";
    c.ctx.fillText(message, c.w / 2, c.h / 2); c.ctx.globalAlpha = 1;
  }
  function legend(c, names, top) {
    var x = 8, y = top;
    names.forEach(function (name, i) {
      var w = c.ctx.measureText(name).width + 22;
      if (x + w > c.w) { x = 8; y += 14; }
      c.ctx.fillStyle = color(i); c.ctx.fillRect(x, y - 8, 10, 10);
      c.ctx.fillStyle = c.fg; c.ctx.textAlign = "left"; c.ctx.fillText(name, x + 14, y + 1);
      x += w;
    });
  }
  /// series: [{name, points: [[timeMs, value], ...]}]; opts.format formats values.
  function line(canvas, series, opts) {
    opts = opts || {};
    var c = setup(canvas), fmt = opts.format || number;
    var all = [];
    series.forEach(function (s) { s.points.forEach(function (p) { all.push(p); }); });
    canvas.dataset.points = all.length;
    if (all.length < 1) { empty(c, opts.empty || "waiting for data…"); return; }
    var rows = Math.ceil(series.length / 4);
    var left = 52, right = 10, top = 8, bottom = 22 + rows * 14;
    var x0 = Math.min.apply(null, all.map(function (p) { return p[0]; }));
    var x1 = Math.max.apply(null, all.map(function (p) { return p[0]; }));
    if (x1 - x0 < 1000) { x0 = x1 - 60000; }
    var yMax = nice(Math.max.apply(null, all.map(function (p) { return p[1]; })) * 1.1);
    var pw = c.w - left - right, ph = c.h - top - bottom;
    function X(t) { return left + (t - x0) / (x1 - x0) * pw; }
    function Y(v) { return top + ph - v / yMax * ph; }
    c.ctx.strokeStyle = "rgba(128,128,128,.3)"; c.ctx.lineWidth = 1; c.ctx.fillStyle = c.fg; c.ctx.textAlign = "right";
    for (var i = 0; i <= 4; i++) {
      var v = yMax * i / 4, y = Y(v);
      c.ctx.beginPath(); c.ctx.moveTo(left, y); c.ctx.lineTo(c.w - right, y); c.ctx.stroke();
      c.ctx.fillText(fmt(v), left - 4, y + 4);
    }
    c.ctx.textAlign = "left"; c.ctx.fillText(clock(x0), left, top + ph + 14);
    c.ctx.textAlign = "right"; c.ctx.fillText(clock(x1), c.w - right, top + ph + 14);
    series.forEach(function (s, i) {
      if (!s.points.length) { return; }
      c.ctx.strokeStyle = color(i); c.ctx.lineWidth = 2; c.ctx.beginPath();
      s.points.forEach(function (p, j) { if (j === 0) { c.ctx.moveTo(X(p[0]), Y(p[1])); } else { c.ctx.lineTo(X(p[0]), Y(p[1])); } });
      c.ctx.stroke();
      var last = s.points[s.points.length - 1];
      c.ctx.fillStyle = color(i); c.ctx.beginPath(); c.ctx.arc(X(last[0]), Y(last[1]), 2.5, 0, 2 * Math.PI); c.ctx.fill();
    });
    legend(c, series.map(function (s) {
      var last = s.points.length ? s.points[s.points.length - 1][1] : 0;
      return s.name + " " + fmt(last);
    }), top + ph + 30);
  }
  /// items: [{label, value, text}]
  function bars(canvas, items, opts) {
    opts = opts || {};
    var c = setup(canvas);
    canvas.dataset.points = items.length;
    if (!items.length) { empty(c, opts.empty || "no data"); return; }
    var left = Math.min(160, Math.max.apply(null, items.map(function (it) { return c.ctx.measureText(it.label).width; })) + 12);
    var rowH = Math.min(28, (c.h - 8) / items.length), max = Math.max.apply(null, items.map(function (it) { return it.value; })) || 1;
    var textW = Math.max.apply(null, items.map(function (it) { return c.ctx.measureText(it.text || number(it.value)).width; })) + 12;
    items.forEach(function (it, i) {
      var y = 4 + i * rowH, w = Math.max(0, c.w - left - textW) * it.value / max;
      c.ctx.fillStyle = c.fg; c.ctx.textAlign = "right"; c.ctx.fillText(it.label, left - 6, y + rowH / 2 + 4);
      c.ctx.fillStyle = color(i); c.ctx.fillRect(left, y + 3, Math.max(w, it.value > 0 ? 1 : 0), rowH - 6);
      c.ctx.fillStyle = c.fg; c.ctx.textAlign = "left"; c.ctx.fillText(it.text || number(it.value), left + w + 6, y + rowH / 2 + 4);
    });
  }
  window.TributaryCharts = { line: line, bars: bars, number: number, bytes: bytes };
})();

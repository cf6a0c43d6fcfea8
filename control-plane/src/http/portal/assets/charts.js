// Bandwidth charts of the subscriber portal, drawn on <canvas> by hand: the live chart fed
// once a second by the /network/live event stream, and the history chart from the points the
// page carries in data-series. Every live point received increments the canvas's
// data-points attribute.
"use strict";

(function () {
  var RX = "#0b57d0";
  var TX = "#e8710a";
  var LIVE_POINTS_KEPT = 120;

  function fit(canvas) {
    var ratio = window.devicePixelRatio || 1;
    var width = Math.max(200, Math.floor(canvas.clientWidth));
    var height = Math.max(120, Math.floor(canvas.clientHeight));
    if (canvas.width !== width * ratio || canvas.height !== height * ratio) {
      canvas.width = width * ratio;
      canvas.height = height * ratio;
    }
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return { ctx: ctx, width: width, height: height };
  }

  function niceMax(value) {
    if (!(value > 0)) { return 1; }
    var power = Math.pow(10, Math.floor(Math.log10(value)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      if (value <= steps[i] * power) { return steps[i] * power; }
    }
    return 10 * power;
  }

  // points: [{t: ms, rx: Mbps, tx: Mbps}], oldest first.
  function draw(canvas, points, spanMs) {
    var f = fit(canvas);
    var ctx = f.ctx;
    var left = 44, right = 8, top = 8, bottom = 22;
    var w = f.width - left - right, h = f.height - top - bottom;
    ctx.clearRect(0, 0, f.width, f.height);
    var max = 0;
    points.forEach(function (p) { max = Math.max(max, p.rx, p.tx); });
    max = niceMax(max);
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = "#555f6b";
    ctx.strokeStyle = "#e3e7eb";
    ctx.lineWidth = 1;
    for (var g = 0; g <= 4; g++) {
      var y = top + h - (h * g) / 4;
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + w, y); ctx.stroke();
      var decimals = max < 4 ? 2 : max < 40 ? 1 : 0;
      ctx.fillText(String(Number((max * g / 4).toFixed(decimals))), 2, y + 4);
    }
    ctx.fillText("Mbps", 2, f.height - 6);
    if (points.length === 0) { return; }
    var end = points[points.length - 1].t;
    var start = spanMs ? end - spanMs : points[0].t;
    var range = Math.max(1, end - start);
    function series(key, colour) {
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2;
      ctx.beginPath();
      var begun = false;
      points.forEach(function (p) {
        if (p.t < start) { return; }
        var x = left + ((p.t - start) / range) * w;
        var y = top + h - (p[key] / max) * h;
        if (begun) { ctx.lineTo(x, y); } else { ctx.moveTo(x, y); begun = true; }
      });
      ctx.stroke();
    }
    series("rx", RX);
    series("tx", TX);
  }

  function point(raw) {
    return { t: Date.parse(raw.timestamp), rx: Number(raw.rx_mbps) || 0, tx: Number(raw.tx_mbps) || 0 };
  }

  function startLive(canvas) {
    var points = [];
    var rxOut = document.getElementById("live-rx");
    var txOut = document.getElementById("live-tx");
    var status = document.getElementById("live-status");
    var source = new EventSource(canvas.dataset.source);
    source.onopen = function () { status.textContent = "Live: updated every second."; };
    source.onerror = function () { status.textContent = "Live feed interrupted; reconnecting…"; };
    source.onmessage = function (event) {
      var p;
      try { p = point(JSON.parse(event.data)); } catch (e) { return; }
      if (isNaN(p.t)) { return; }
      points.push(p);
      if (points.length > LIVE_POINTS_KEPT) { points.shift(); }
      canvas.dataset.points = String(Number(canvas.dataset.points || "0") + 1);
      rxOut.textContent = p.rx.toFixed(2);
      txOut.textContent = p.tx.toFixed(2);
      draw(canvas, points, LIVE_POINTS_KEPT * 1000);
    };
    window.addEventListener("resize", function () { draw(canvas, points, LIVE_POINTS_KEPT * 1000); });
    draw(canvas, points, LIVE_POINTS_KEPT * 1000);
  }

  function startHistory(canvas) {
    var points = [];
    try { points = JSON.parse(canvas.dataset.series || "[]").map(point); } catch (e) { points = []; }
    draw(canvas, points, 0);
    window.addEventListener("resize", function () { draw(canvas, points, 0); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var live = document.getElementById("live-chart");
    if (live) { startLive(live); }
    var history = document.getElementById("history-chart");
    if (history) { startHistory(history); }
  });
})();

// Draws the timeline chart (uPlot, served by this app) from the JSON the page embeds.
// The page already states every number in words and in a table; the chart is an enhancement.
(function () {
  "use strict";
  var holder = document.getElementById("chart");
  var source = document.getElementById("timeline-data");
  if (!holder || !source || typeof uPlot === "undefined") { return; }
  var d = JSON.parse(source.textContent);
  var b = d.bands;
  var x = d.times_h;
  var refColours = { therapeutic_low: "#1d6b2f", therapeutic_high: "#1d6b2f", toxic: "#b35900", comatose_fatal: "#a30000", csf_therapeutic: "#1d6b2f" };
  var data = [x, b.p5, b.p25, b.p50, b.p75, b.p95];
  var series = [
    { label: "Hours" },
    { label: "5th percentile", stroke: "rgba(16,42,67,0.35)", width: 1 },
    { label: "25th percentile", stroke: "rgba(16,42,67,0.55)", width: 1 },
    { label: "Median", stroke: "#102a43", width: 3 },
    { label: "75th percentile", stroke: "rgba(16,42,67,0.55)", width: 1 },
    { label: "95th percentile", stroke: "rgba(16,42,67,0.35)", width: 1 }
  ];
  d.references.forEach(function (r) {
    data.push(x.map(function () { return r.value; }));
    series.push({ label: r.label + " (" + r.value + " " + d.unit + ")", stroke: refColours[r.kind] || "#444", width: 2, dash: [8, 5], points: { show: false } });
  });
  // Scale to the curves, not to a far-away reference (those stay in the legend and the text).
  var top = Math.max.apply(null, b.p95);
  var yMax = top * 1.3;
  d.references.forEach(function (r) { if (r.value <= top * 2.5) { yMax = Math.max(yMax, r.value * 1.1); } });
  var hidden = d.references.filter(function (r) { return r.value > yMax; });
  if (hidden.length) {
    var note = document.createElement("p");
    note.className = "muted";
    note.textContent = "Above the chart (not reached by these curves): " + hidden.map(function (r) { return r.label + " " + r.value + " " + d.unit; }).join("; ") + ".";
    holder.parentNode.insertBefore(note, holder.nextSibling);
  }
  function phasesPlugin() {
    return { hooks: { drawClear: [function (u) {
      var p = d.phases, ctx = u.ctx;
      if (!p.onset || !p.offset || d.now_h !== null && d.now_h !== undefined) { return; }
      var left = u.valToPos(p.onset.p50_h, "x", true), right = u.valToPos(p.offset.p50_h, "x", true);
      ctx.save();
      ctx.fillStyle = "rgba(255, 191, 71, 0.22)";
      ctx.fillRect(left, u.bbox.top, right - left, u.bbox.height);
      ctx.fillStyle = "#4d3b00";
      ctx.font = Math.round(12 * devicePixelRatio) + "px system-ui, sans-serif";
      ctx.fillText("effects felt (median)", left + 4 * devicePixelRatio, u.bbox.top + 14 * devicePixelRatio);
      ctx.restore();
    }], draw: [function (u) {
      if (d.now_h === null || d.now_h === undefined) { return; }
      var ctx = u.ctx, xNow = u.valToPos(d.now_h, "x", true);
      ctx.save();
      ctx.strokeStyle = "#a30000"; ctx.lineWidth = 2 * devicePixelRatio;
      ctx.beginPath(); ctx.moveTo(xNow, u.bbox.top); ctx.lineTo(xNow, u.bbox.top + u.bbox.height); ctx.stroke();
      ctx.fillStyle = "#a30000"; ctx.font = "bold " + Math.round(12 * devicePixelRatio) + "px system-ui, sans-serif";
      ctx.fillText("now", xNow + 4 * devicePixelRatio, u.bbox.top + 30 * devicePixelRatio);
      ctx.restore();
    }] } };
  }
  function size() { return { width: Math.max(280, holder.clientWidth), height: Math.max(260, Math.min(420, Math.round(holder.clientWidth * 0.55))) }; }
  var opts = Object.assign(size(), {
    series: series,
    scales: { x: { time: false }, y: { range: function () { return [0, yMax]; } } },
    axes: [
      { label: "Hours after the first dose", values: function (u, vals) { return vals.map(function (v) { return v + " h"; }); } },
      { label: "Concentration (" + d.unit + ")", size: 70 }
    ],
    bands: [{ series: [5, 1], fill: "rgba(16,42,67,0.10)" }, { series: [4, 2], fill: "rgba(16,42,67,0.18)" }],
    legend: { live: true },
    plugins: [phasesPlugin()]
  });
  var plot = new uPlot(opts, data, holder);
  window.addEventListener("resize", function () { plot.setSize(size()); });
  holder.dataset.ready = "1";
})();

// Journal history: one bar chart of daily totals per substance (uPlot, served by this app).
// Days without use are drawn as zero, so the gaps (days of use) are visible too.
(function () {
  "use strict";
  var source = document.getElementById("history-data");
  if (!source || typeof uPlot === "undefined") { return; }
  var h = JSON.parse(source.textContent);
  var dayMs = 86400000;
  var end = new Date(h.until); end.setHours(0, 0, 0, 0);
  var start = new Date(end.getTime() - (h.days - 1) * dayMs);
  function iso(d) { var m = d.getMonth() + 1, day = d.getDate(); return d.getFullYear() + "-" + (m < 10 ? "0" : "") + m + "-" + (day < 10 ? "0" : "") + day; }
  document.querySelectorAll(".history-chart").forEach(function (holder) {
    var s = h.substances[Number(holder.dataset.index)];
    var totals = {};
    s.days.forEach(function (d) { totals[d.date] = d.total; });
    var xs = [], ys = [];
    for (var t = start.getTime(); t <= end.getTime(); t += dayMs) {
      var d = new Date(t);
      xs.push(t / 1000);
      ys.push(totals[iso(d)] || 0);
    }
    var opts = {
      width: Math.max(280, holder.clientWidth), height: 220,
      series: [{}, { label: "Daily total (" + s.unit + ")", fill: "rgba(29,79,145,0.75)", stroke: "#1d4f91", paths: uPlot.paths.bars({ size: [0.7, 40] }), points: { show: false } }],
      axes: [{}, { label: s.unit + "/day", size: 60 }],
      scales: { y: { range: function (u, min, max) { return [0, Math.max(1, max * 1.15)]; } } }
    };
    var plot = new uPlot(opts, [xs, ys], holder);
    window.addEventListener("resize", function () { plot.setSize({ width: Math.max(280, holder.clientWidth), height: 220 }); });
  });
})();

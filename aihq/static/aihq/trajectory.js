/* The indicator's trajectory: planned line, actual points, forecast with its 80% band (ECharts, shipped). */
(function () {
  "use strict";
  var node = document.getElementById("trajectory-data");
  var el = document.getElementById("trajectory");
  if (!node || !el || !window.echarts) { return; }
  var d = JSON.parse(node.textContent);
  var chart = echarts.init(el, null, {renderer: "svg"});
  var L = d.labels;
  var lows = d.forecast.map(function (p) { return [p[0], p[2]]; });
  var widths = d.forecast.map(function (p) { return [p[0], p[3] - p[2]]; });
  var reported = d.actual.filter(function (p) { return !p.derived; }).map(function (p) { return p.value; });
  var derived = d.actual.filter(function (p) { return p.derived; }).map(function (p) { return p.value; });
  var series = [
    {name: L.planned, type: "line", data: d.planned, symbol: "none", lineStyle: {color: "#2f6690", width: 2}, itemStyle: {color: "#2f6690"}},
    {name: L.interval, type: "line", data: lows, stack: "band", symbol: "none", lineStyle: {opacity: 0}, silent: true, tooltip: {show: false}},
    {name: L.interval, type: "line", data: widths, stack: "band", symbol: "none", lineStyle: {opacity: 0},
      areaStyle: {color: "rgba(201, 162, 39, 0.22)"}, itemStyle: {color: "rgba(201, 162, 39, 0.5)"}, silent: true, tooltip: {show: false}},
    {name: L.forecast, type: "line", data: d.forecast.map(function (p) { return [p[0], p[1]]; }), symbol: "none",
      lineStyle: {type: "dashed", color: "#b5651d", width: 2}, itemStyle: {color: "#b5651d"}},
    {name: L.actual, type: "scatter", data: reported, symbolSize: 10, itemStyle: {color: "#16425b"}, z: 5},
    {name: L.derived, type: "scatter", data: derived, symbolSize: 9, itemStyle: {color: "#fff", borderColor: "#16425b", borderWidth: 2}, z: 5}
  ];
  if (d.target) {
    series.push({name: L.target, type: "scatter", data: [d.target], symbol: "diamond", symbolSize: 14, itemStyle: {color: "#c62828"}, z: 6});
  }
  chart.setOption({
    grid: {left: 60, right: 24, top: 40, bottom: 40},
    legend: {top: 0, data: [L.planned, L.actual, L.derived, L.forecast, L.interval, L.target].filter(function (name) {
      return series.some(function (s) { return s.name === name && s.data.length; });
    })},
    tooltip: {trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : (Math.round(v * 100) / 100) + " " + d.unit; }},
    xAxis: {type: "time"},
    yAxis: {type: "value", name: d.unit, scale: true},
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();

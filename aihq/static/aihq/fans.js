/* Scenario fan charts (P10–P90 band, P50 line) and the capex waterfall, with the shipped ECharts. */
(function () {
  "use strict";
  var node = document.getElementById("fan-data");
  if (!node || !window.echarts) { return; }
  var d = JSON.parse(node.textContent);
  function compact(v) {
    var a = Math.abs(v);
    if (a >= 1e12) { return (v / 1e12).toFixed(2) + " T"; }
    if (a >= 1e9) { return (v / 1e9).toFixed(2) + " B"; }
    if (a >= 1e6) { return (v / 1e6).toFixed(2) + " M"; }
    if (a >= 1e3) { return (v / 1e3).toFixed(1) + " k"; }
    return Math.round(v * 100) / 100;
  }
  d.series.forEach(function (s) {
    var el = document.getElementById("fan-" + s.key);
    if (!el) { return; }
    var chart = echarts.init(el, null, {renderer: "svg"});
    var width = s.p90.map(function (v, i) { return v - s.p10[i]; });
    chart.setOption({
      grid: {left: 70, right: 16, top: 16, bottom: 30},
      tooltip: {trigger: "axis", valueFormatter: compact},
      xAxis: {type: "category", data: d.years},
      yAxis: {type: "value", axisLabel: {formatter: compact}},
      series: [
        {name: "P10", type: "line", data: s.p10, stack: "band", symbol: "none", lineStyle: {opacity: 0}},
        {name: d.labels.band, type: "line", data: width, stack: "band", symbol: "none", lineStyle: {opacity: 0},
          areaStyle: {color: "rgba(47, 102, 144, 0.22)"}, tooltip: {show: false}},
        {name: d.labels.p50, type: "line", data: s.p50, symbol: "circle", lineStyle: {color: "#16425b", width: 2}, itemStyle: {color: "#16425b"}}
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
  var wf = document.getElementById("waterfall");
  var techs = Object.keys(d.capex_by_technology || {});
  if (wf && techs.length) {
    var chart = echarts.init(wf, null, {renderer: "svg"});
    var base = [], values = [], total = 0;
    techs.forEach(function (t) { base.push(total); values.push(d.capex_by_technology[t]); total += d.capex_by_technology[t]; });
    chart.setOption({
      grid: {left: 80, right: 16, top: 16, bottom: 60},
      tooltip: {trigger: "axis", valueFormatter: compact},
      xAxis: {type: "category", data: techs.concat([d.labels.total]), axisLabel: {rotate: 20}},
      yAxis: {type: "value", axisLabel: {formatter: compact}},
      series: [
        {type: "bar", stack: "w", data: base.concat([0]), itemStyle: {color: "transparent"}, tooltip: {show: false}},
        {type: "bar", stack: "w", data: values.concat([total]), itemStyle: {color: "#b5651d"}}
      ]
    });
  }
})();

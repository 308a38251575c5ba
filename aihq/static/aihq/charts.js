/* Dashboard charts drawn with the ECharts copy shipped in static files (no CDN). */
(function () {
  "use strict";
  var node = document.getElementById("chart-data");
  if (!node || !window.echarts) { return; }
  var data = JSON.parse(node.textContent);
  var listUrl = document.querySelector("a.kpi") ? document.querySelector("a.kpi").getAttribute("href") : "/use-cases/";
  var palette = ["#2f6690", "#3a7ca5", "#81c3d7", "#16425b", "#d9dcd6", "#7f9c96", "#c9a227", "#b5651d"];
  var stageColours = {planned: "#9fb3c8", development: "#81c3d7", pilot: "#c9a227", production: "#2f6690", retired: "#8d8d8d"};
  function bar(id, rows, param, horizontal) {
    var el = document.getElementById(id);
    if (!el) { return; }
    if (!rows.length) { el.classList.add("chart-empty"); return; }
    var chart = echarts.init(el, null, {renderer: "svg"});
    var names = rows.map(function (r) { return r.name; });
    var values = rows.map(function (r) {
      return {value: r.value, itemStyle: {color: stageColours[r.key] || palette[0]}};
    });
    var category = {type: "category", data: names, axisLabel: {width: 150, overflow: "truncate"}, inverse: horizontal};
    var value = {type: "value", minInterval: 1};
    chart.setOption({
      grid: {left: horizontal ? 160 : 40, right: 20, top: 10, bottom: horizontal ? 20 : 40},
      tooltip: {trigger: "item"},
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [{type: "bar", data: values, barMaxWidth: 28}]
    });
    chart.on("click", function (e) {
      var row = rows[e.dataIndex];
      if (row && row.key) { window.location.href = listUrl.split("?")[0] + "?" + param + "=" + encodeURIComponent(row.key); }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  bar("chart-stage", data.stage, "stage", false);
  bar("chart-sector", data.sector, "sector", true);
  bar("chart-region", data.region, "region", true);
  bar("chart-organisation", data.organisation, "organisation", true);
})();

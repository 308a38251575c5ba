/* Published records by region on a map of Russia's federal subjects: offline (the GeoJSON ships with AIHQ),
   Lambert conformal conic projection so Chukotka, which crosses 180°, stays whole. */
(function () {
  "use strict";
  var el = document.getElementById("coverage-map");
  var dataEl = document.getElementById("coverage-regions");
  if (!el || !dataEl || typeof echarts === "undefined") return;
  var counts = JSON.parse(dataEl.textContent);
  var russian = (document.documentElement.lang || "en").indexOf("ru") === 0;
  var rad = Math.PI / 180, phi1 = 52 * rad, phi2 = 64 * rad, lon0 = 100;
  var n = Math.log(Math.cos(phi1) / Math.cos(phi2)) /
    Math.log(Math.tan(Math.PI / 4 + phi2 / 2) / Math.tan(Math.PI / 4 + phi1 / 2));
  var F = Math.cos(phi1) * Math.pow(Math.tan(Math.PI / 4 + phi1 / 2), n) / n;
  function project(p) {
    var lon = p[0] < -20 ? p[0] + 360 : p[0];
    var rho = F / Math.pow(Math.tan(Math.PI / 4 + p[1] * rad / 2), n);
    var theta = n * (lon - lon0) * rad;
    return [rho * Math.sin(theta) * 1000, -(F - rho * Math.cos(theta)) * 1000];
  }
  function unproject(xy) {
    var x = xy[0] / 1000, y = -xy[1] / 1000;
    var rho = Math.sign(n) * Math.sqrt(x * x + (F - y) * (F - y));
    var theta = Math.atan2(x, F - y);
    var lat = 2 * Math.atan(Math.pow(F / rho, 1 / n)) - Math.PI / 2;
    return [lon0 + theta / n / rad, lat / rad];
  }
  fetch(el.getAttribute("data-geo")).then(function (r) { return r.json(); }).then(function (geo) {
    var names = {};
    geo.features.forEach(function (f) {
      var code = f.id;  // ISO 3166-2, as AIHQ's regions are coded (Crimea and Sevastopol: UA-43, UA-40)
      f.properties.aihq_code = code;
      names[code] = russian ? (f.properties.name_ru || f.properties.name_en) : f.properties.name_en;
    });
    echarts.registerMap("russia", geo);
    var data = Object.keys(names).map(function (code) { return {name: code, value: counts[code] || 0}; });
    var max = Math.max.apply(null, data.map(function (d) { return d.value; }).concat([1]));
    var chart = echarts.init(el, null, {renderer: "svg"});
    chart.setOption({
      tooltip: {trigger: "item", formatter: function (p) { return (names[p.name] || p.name) + ": " + (p.value || 0); }},
      visualMap: {min: 0, max: max, left: 0, bottom: 0, calculable: false, itemHeight: 80,
        inRange: {color: ["#eef3f8", "#2f6690", "#1f3a5f"]}, textStyle: {color: "#5d6b7a"}},
      series: [{type: "map", map: "russia", nameProperty: "aihq_code", projection: {project: project, unproject: unproject},
        roam: false, data: data, emphasis: {label: {show: false}, itemStyle: {areaColor: "#7cc4c8"}},
        itemStyle: {borderColor: "#fff", borderWidth: 0.5}}]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();

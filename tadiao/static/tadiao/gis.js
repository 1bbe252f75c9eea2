// 一张图: registers the boundary GeoJSON (fetched from data-geojson, or an empty map when none is uploaded) under the
// option's geo.map and draws the option handed over in the <script type="application/json"> named by data-map.
// A click on a point with a `url` opens it (the project); tooltips show each item's `tip`, escaped on the server.
(function () {
  "use strict";
  var EMPTY = { type: "FeatureCollection", features: [] };

  function escapeText(text) {
    var div = document.createElement("div");
    div.textContent = text || "";
    return div.innerHTML;
  }
  function tooltip(params) {
    var d = params.data || {};
    return d.tip || escapeText(params.name);
  }
  function open(params) {
    if (params && params.data && params.data.url) { window.location.assign(params.data.url); }
  }

  // Point sizes are set for a desktop map; on a phone-sized map they shrink with it, so that points stay apart.
  function scalePoints(option, width) {
    var factor = Math.max(0.4, Math.min(1, width / 720));
    if (factor === 1) { return; }
    if (width < 480) {
      option.geo.label.show = false;  // names would cover the map; they show on touch (emphasis)
      if (option.visualMap) { option.visualMap.itemHeight = 60; option.visualMap.itemWidth = 12; }
    }
    option.series.forEach(function (series) {
      if (series.type !== "scatter") { return; }
      series.data.forEach(function (item) { item.symbolSize = Math.max(4, item.symbolSize * factor); });
    });
  }

  var whenSized = window.tadiaoWhenSized;  // when_sized.js, loaded first

  function draw(element, option, geojson) {
    whenSized(element, function () { drawNow(element, option, geojson); });
  }

  function drawNow(element, option, geojson) {
    echarts.registerMap(option.geo.map, geojson);
    scalePoints(option, element.clientWidth);
    option.tooltip.formatter = tooltip;
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(option);
    chart.on("click", open);
    // A box that collapses for a moment (the layout reflowing) is skipped: the geo layout throws on no size.
    function resize() {
      if (element.clientWidth > 0 && element.clientHeight > 0) { chart.resize(); }
    }
    if (typeof ResizeObserver !== "undefined") {
      new ResizeObserver(resize).observe(element);
    } else {
      window.addEventListener("resize", resize);
    }
    window.addEventListener("orientationchange", resize);
    element.dataset.ready = "true";
  }

  document.querySelectorAll("[data-map]").forEach(function (element) {
    var source = document.getElementById(element.dataset.map);
    if (!source || typeof echarts === "undefined") { return; }
    var option = JSON.parse(source.textContent);
    var url = element.dataset.geojson;
    if (!url) { draw(element, option, EMPTY); return; }
    fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (geojson) { draw(element, option, geojson); })
      .catch(function () {
        element.textContent = "地图边界加载失败，请刷新页面重试。";
        element.classList.add("td-map-failed");
      });
  });
}());

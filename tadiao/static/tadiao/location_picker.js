// The project form's location picker (projects/partials/location.html). Without JavaScript the form works alone:
// the longitude and latitude fields, the pasted coordinates and their system are converted on the server when saved.
// With it: a click on the county map writes the clicked WGS-84 point into the fields (system reset to WGS-84, the
// pasted text cleared); "换算并在地图上定位" converts pasted GCJ-02 / BD-09 coordinates through /gis/convert/ and fills
// the fields; typed coordinates show as a point on the map.
(function () {
  "use strict";
  var box = document.querySelector("[data-location-picker]");
  if (!box) { return; }
  var lngField = document.getElementById("id_longitude");
  var latField = document.getElementById("id_latitude");
  var pasteField = document.getElementById("id_coordinates");
  var systemField = document.getElementById("id_coordinate_system");
  var locate = document.getElementById("locate-pasted");
  var message = document.getElementById("picker-message");
  var chart = null;

  function say(text, failed) {
    if (!message) { return; }
    message.textContent = text;
    message.className = "small " + (failed ? "text-danger" : "text-success");
  }

  function fieldPoint() {
    var lng = parseFloat(lngField.value), lat = parseFloat(latField.value);
    return isFinite(lng) && isFinite(lat) ? [lng, lat] : null;
  }

  function mark(point) {
    if (!chart) { return; }
    chart.setOption({ series: [{ id: "picked", data: point ? [{ name: "项目位置", value: point }] : [] }] });
  }

  function setFields(lng, lat) {
    lngField.value = Number(lng).toFixed(6);
    latField.value = Number(lat).toFixed(6);
    if (systemField) { systemField.value = "wgs84"; }
    if (pasteField) { pasteField.value = ""; }
    mark([Number(lngField.value), Number(latField.value)]);
  }

  // Pasted coordinates: converted by the server (the same formulas as on saving), then written into the fields.
  if (locate && pasteField && box.dataset.convert) {
    locate.classList.remove("d-none");
    locate.addEventListener("click", function () {
      var text = pasteField.value.trim();
      if (!text) { say("请先粘贴坐标。", true); return; }
      var query = new URLSearchParams({ text: text, system: systemField ? systemField.value || "wgs84" : "wgs84",
                                        format: "json" });
      fetch(box.dataset.convert + "?" + query.toString(), { credentials: "same-origin" })
        .then(function (response) {
          return response.json().catch(function () { return { error: "坐标换算失败，请稍后重试。" }; });
        })
        .then(function (data) {
          if (data.error) { say(data.error, true); return; }
          setFields(data.longitude, data.latitude);
          say("已换算为 WGS-84：" + data.longitude + "，" + data.latitude, false);
        })
        .catch(function () { say("坐标换算失败，请检查网络后重试；也可以直接保存，保存时会自动换算。", true); });
    });
  }

  var whenSized = window.tadiaoWhenSized;  // when_sized.js, loaded first

  function draw(option, geojson) {
    echarts.registerMap(option.geo.map, geojson);
    option.tooltip = { show: false };
    option.legend = { show: false };
    if (box.clientWidth < 480) { option.geo.label.show = false; }
    option.series.push({
      id: "picked", name: "项目位置", type: "scatter", coordinateSystem: "geo", geoIndex: 0, z: 5,
      symbol: "pin", symbolSize: 30, symbolOffset: [0, "-45%"], itemStyle: { color: "#d9363e" }, data: []
    });
    chart = echarts.init(box, null, { renderer: "canvas" });
    chart.setOption(option);
    mark(fieldPoint());
    // A click (not the end of a drag that pans the map) sets the location.
    var down = null;
    chart.getZr().on("mousedown", function (e) { down = [e.offsetX, e.offsetY]; });
    chart.getZr().on("click", function (e) {
      if (down && Math.abs(e.offsetX - down[0]) + Math.abs(e.offsetY - down[1]) > 6) { return; }
      var point = chart.convertFromPixel({ geoIndex: 0 }, [e.offsetX, e.offsetY]);
      if (!point || !isFinite(point[0]) || !isFinite(point[1])) { return; }
      setFields(point[0], point[1]);
      say("已标注位置：" + lngField.value + "，" + latField.value, false);
    });
    function resize() {
      if (box.clientWidth > 0 && box.clientHeight > 0) { chart.resize(); }
    }
    if (typeof ResizeObserver !== "undefined") { new ResizeObserver(resize).observe(box); }
    window.addEventListener("orientationchange", resize);
    [lngField, latField].forEach(function (field) {
      field.addEventListener("change", function () { mark(fieldPoint()); });
    });
    box.dataset.ready = "true";
  }

  var source = document.getElementById(box.dataset.locationPicker || "");
  if (!source || !box.dataset.geojson || typeof echarts === "undefined") { return; }
  var option = JSON.parse(source.textContent);
  fetch(box.dataset.geojson, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    })
    .then(function (geojson) { whenSized(box, function () { draw(option, geojson); }); })
    .catch(function () {
      box.textContent = "地图边界加载失败，仍可直接填写经纬度或粘贴坐标。";
      box.classList.add("td-map-failed");
    });
}());

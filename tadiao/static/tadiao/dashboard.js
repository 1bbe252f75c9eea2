// Draws every [data-chart] element from the ECharts option handed over in the <script type="application/json">
// of the same id; a click on a data item with a `url` opens it (the filtered list behind the figure). Each chart
// follows its box: on a window resize, a phone turned sideways, or the layout changing the box's width.
(function () {
  "use strict";
  function stageTooltip(params) {
    var d = params.data || {};
    return params.seriesName + "（" + (d.stage || "") + "）<br>" + d.value[1] + "<br>" + d.value[0];
  }
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var source = document.getElementById(element.dataset.chart);
    if (!source || typeof echarts === "undefined") { return; }
    var option = JSON.parse(source.textContent);
    if (element.dataset.chart === "chart-milestones") { option.tooltip.formatter = stageTooltip; }
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(option);
    chart.on("click", function (params) {
      if (params.data && params.data.url) { window.location.href = params.data.url; }
    });
    function resize() {
      if (element.clientWidth > 0 && element.clientHeight > 0) { chart.resize(); }
    }
    window.addEventListener("resize", resize);
    window.addEventListener("orientationchange", resize);
    if (typeof ResizeObserver !== "undefined") { new ResizeObserver(resize).observe(element); }
  });
}());

// tadiaoWhenSized(element, then): run `then` once the element's box has a size. ECharts lays a geo map out from the
// element's size: drawn into a box with none yet (a phone layout still settling), it fails on an empty view
// rectangle. Shared by the map pages (gis.js) and the project form's location picker (location_picker.js).
(function () {
  "use strict";
  function whenSized(element, then) {
    if (element.clientWidth > 0 && element.clientHeight > 0) { then(); return; }
    if (typeof ResizeObserver === "undefined") { window.setTimeout(function () { whenSized(element, then); }, 50); return; }
    var observer = new ResizeObserver(function () {
      if (element.clientWidth > 0 && element.clientHeight > 0) { observer.disconnect(); then(); }
    });
    observer.observe(element);
  }
  window.tadiaoWhenSized = whenSized;
})();

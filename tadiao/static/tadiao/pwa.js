/* Registers the service worker (/sw.js, which caches only our static files) where the browser supports it; a
   browser without it, or a page served over plain HTTP on a non-local address, simply works without. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.isSecureContext) {
    return;
  }
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
      /* not installable here (e.g. a private window): the site works the same without it */
    });
  });
})();

/* 塔吊 service worker: keeps copies of our own static files (/static/: styles, scripts, icons) so that a phone on
   a weak network opens pages faster. Pages, form posts, photos and data always come from the server: every other
   request is left alone and goes to the network as if there were no service worker. */
"use strict";

const CACHE = "tadiao-static-{{ version|escapejs }}";
const STATIC_PREFIX = new URL("{{ static_url|escapejs }}", self.location.origin).href;

self.addEventListener("install", () => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  // A new release has a new cache name: drop the copies of the old one.
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith("tadiao-static-") && name !== CACHE).map((name) => caches.delete(name))
      ))
      .then(() => self.clients.claim())
  );
});

function isStatic(request) {
  return request.method === "GET" && request.url.startsWith(STATIC_PREFIX);
}

self.addEventListener("fetch", (event) => {
  if (!isStatic(event.request)) {
    return; // not ours to answer: the browser fetches it from the server
  }
  event.respondWith(
    caches.open(CACHE).then((cache) =>
      cache.match(event.request).then((cached) => {
        if (cached) {
          return cached;
        }
        return fetch(event.request).then((response) => {
          if (response.ok && response.type === "basic") {
            cache.put(event.request, response.clone());
          }
          return response;
        });
      })
    )
  );
});

// The API docs page: Swagger UI on our own schema; no validator badge (it would call an outside host), and the
// page's CSRF token on every request so "Try it out" works with the browser's login session.
(function () {
  const body = document.body.dataset;
  window.ui = SwaggerUIBundle({
    url: body.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    requestInterceptor: function (req) {
      if (body.csrfToken) {
        req.headers["X-CSRFToken"] = body.csrfToken;
      }
      return req;
    },
  });
})();

// The API documentation at /schema (coord.web.api_docs): Swagger UI, from coord's own files,
// on the API description coord serves. No validator badge: it would call another site.
document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-container");
  if (!root || !window.SwaggerUIBundle) return;
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.specUrl,
    dom_id: "#swagger-container",
    deepLinking: true,
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});

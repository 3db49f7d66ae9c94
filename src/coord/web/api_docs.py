"""The API documentation at /schema, served whole by coord: Swagger UI's script and style
from static/swagger-ui (swagger-ui-dist 5.35.0 from npm, Apache-2.0: its LICENSE and NOTICE
lie beside them; the stylesheet's source-map comment is removed). It works offline, and the
page runs coord's own scripts only: static/schema.js starts Swagger UI on
/schema/openapi.json, where Litestar's page would inline the description in a <script>."""

from __future__ import annotations

from html import escape
from typing import Any

from litestar import Request
from litestar.openapi.plugins import SwaggerRenderPlugin

from coord import i18n
from coord.i18n import gettext as _
from coord.web.static_assets import static

STARTER = static("schema.js")


class OfflineSwagger(SwaggerRenderPlugin):
    def __init__(self, path: str = "/") -> None:
        bundle = static("swagger-ui/swagger-ui-bundle.js")
        super().__init__(js_url=bundle, css_url=static("swagger-ui/swagger-ui.css"),
                         standalone_preset_js_url=bundle, path=path,
                         favicon='<link rel="icon" href="data:,">')

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema["info"]["title"]))
        spec = escape(f"{request.app.openapi_config.path}/openapi.json")  # type: ignore[union-attr]
        # coord's own words in the reader's language (Swagger UI's are English).
        language = i18n.current()
        heading = _("%(title)s: the API") % {"title": title}
        needs_js = _('This page needs JavaScript. The API description itself is at <a href="%(spec)s">%(spec)s</a>.') % {
            "spec": spec}
        return f"""<!DOCTYPE html>
<html lang="{language}" dir="{i18n.direction(language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{heading}</title>
{self.favicon}
<link rel="stylesheet" href="{self.css_url}">
<script src="{self.js_url}" defer></script>
<script src="{STARTER}" defer></script>
</head>
<body>
<noscript><p>{needs_js}</p></noscript>
<div id="swagger-container" data-spec-url="{spec}"></div>
</body>
</html>
""".encode()

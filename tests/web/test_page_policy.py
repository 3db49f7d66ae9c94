"""The pages keep to their Content-Security-Policy (same-origin scripts and styles only):
no inline scripts, event-handler attributes or style attributes in any template, and every
script and stylesheet they load is served by coord itself with the right type."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).parents[2] / "src" / "coord" / "web" / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE = re.compile(r"\sstyle\s*=|<style", re.I)
ASSET = re.compile(r'<(?:script|link)[^>]+(?:src|href)="(/static/[^"]+)"')


def templates() -> list[Path]:
    return sorted(TEMPLATES.glob("*.html"))


@pytest.mark.parametrize("template", templates(), ids=lambda p: p.name)
def test_template_has_nothing_inline_the_policy_would_block(template: Path):
    text = template.read_text()
    assert not INLINE_SCRIPT.search(text), "inline <script>: put it in static/coord.js"
    assert not HANDLER_ATTRIBUTE.search(text), "on*= attribute: bind the event in static/coord.js"
    assert not STYLE.search(text), "style attribute or <style>: add a class to static/coord.css"


async def test_every_asset_the_layout_loads_is_served_here(client):
    layout = (await client.get("/login")).text  # base.html, rendered: its assets' versioned addresses
    assets = ASSET.findall(layout)
    files = [path.partition("?")[0] for path in assets]
    assert any(f.endswith(".js") for f in files) and any(f.endswith(".css") for f in files)
    for path, file in zip(assets, files):
        response = await client.get(path)
        assert response.status_code == 200, path
        expected = "text/css" if file.endswith(".css") else "javascript"
        assert expected in response.headers["content-type"], path
        assert response.headers["x-content-type-options"] == "nosniff"
    page = await client.get("/login")
    csp = page.headers["content-security-policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "form-action 'self'",
                      "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp

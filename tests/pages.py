"""Helpers for page tests: a browser-like session over real HTTP through the app
(cookies kept, CSRF token read from the page's form like a browser would)."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie
from typing import Any

from httpx import Response

from tests.support import PASSWORD, User

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
# Unicode's directional controls inside a link, an image or a form's address: on an Arabic
# page a sentence's placeholder once carried its isolates into href, and the link 404'd.
CONTROLS_IN_ADDRESS = re.compile(r"""\b(?:href|src|action|formaction)=(["'])[^"']*[\u200e\u200f\u202a-\u202e\u2066-\u2069]""")


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


class Visitor:
    """One browser: its own cookie jar on the shared test client's app."""

    def __init__(self, client) -> None:
        self.client = client
        self.cookies: dict[str, str] = {}

    def _keep(self, response: Response) -> Response:
        if response.headers.get("content-type", "").startswith("text/html"):
            wrong = CONTROLS_IN_ADDRESS.search(response.text)
            assert wrong is None, f"{response.url}: an address with directional controls: {response.text[wrong.start():wrong.start() + 120]!r}"
        # Read Set-Cookie ourselves: httpx's jar silently drops the expired ones that log out.
        for header in response.headers.get_list("set-cookie"):
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel.value in ("", "null") or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        # The jar is ours, sent as a header: the shared client keeps none between visitors.
        self.client.cookies.clear()
        headers = dict(extra or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    async def get(self, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Response:
        return self._keep(await self.client.get(path, headers=self._headers(headers), **kwargs))

    async def post(self, path: str, data: dict[str, Any] | None = None, *, form_page: str | None = None,
                   **kwargs: Any) -> Response:
        """Post a form as the page `form_page` (default: `path`) would, with its CSRF token."""
        page = await self.get(form_page or path)
        body = {"_csrf_token": csrf_of(page.text), **(data or {})}
        kwargs.setdefault("follow_redirects", False)  # tests look at where a form sends you
        return self._keep(await self.client.post(path, data=body, headers=self._headers(), **kwargs))

    async def post_raw(self, path: str, data: dict[str, Any], headers: dict[str, str] | None = None,
                       **kwargs: Any) -> Response:
        """Post exactly `data` (no token added) with this browser's cookies."""
        return self._keep(await self.client.post(path, data=data, headers=self._headers(headers), **kwargs))

    async def login(self, user: User, password: str = PASSWORD) -> Response:
        response = await self.post("/login", {"email": user.email, "password": password})
        assert response.status_code == 303, response.text
        return response


def text_of(html: str) -> str:
    """The visible text, tags dropped and whitespace collapsed, for assertions on wording."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()

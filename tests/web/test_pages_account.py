"""Sign up, log in, log out through the pages, with CSRF and the session cookie."""

from __future__ import annotations

from tests.pages import Visitor, csrf_of, text_of
from tests.support import PASSWORD, expect


async def test_register_signs_in_and_shows_the_crisis_line(client):
    browser = Visitor(client)
    page = await browser.get("/register")
    assert page.status_code == 200
    for name in ("email", "password", "display_name"):
        assert f'name="{name}"' in page.text and f'for="f-{name}"' in page.text
    done = await browser.post("/register", {"email": "new@example.org", "password": PASSWORD,
                                            "display_name": "Nell", "timezone": "Europe/Berlin"})
    assert done.status_code == 303 and done.headers["location"] == "/me"
    assert "coord_session" in browser.cookies
    set_cookie = done.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=lax" in set_cookie
    board = await browser.get("/shifts")
    assert board.status_code == 200 and "Europe/Berlin" in board.text
    assert "988" in text_of(board.text)


async def test_register_errors_are_shown_in_the_form_and_nothing_is_created(client, pool):
    browser = Visitor(client)
    short = await browser.post("/register", {"email": "x@example.org", "password": "short", "display_name": "X"})
    assert short.status_code == 422
    assert "at least 10 characters" in short.text and 'aria-invalid="true"' in short.text
    assert 'value="x@example.org"' in short.text  # what was typed is kept
    missing = await browser.post("/register", {"email": "y@example.org", "password": PASSWORD})
    assert missing.status_code == 422 and "this field is required" in missing.text
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM users") == 0


async def test_login_wrong_password_then_right_then_logout(client, api):
    user = await api.user("lena")
    browser = Visitor(client)
    wrong = await browser.post("/login", {"email": user.email, "password": "not the password"})
    assert wrong.status_code == 401 and "email or password is not right" in wrong.text
    assert "coord_session" not in browser.cookies
    ok = await browser.post("/login?next=/shifts", {"email": user.email, "password": PASSWORD, "next": "/shifts"},
                            form_page="/login?next=/shifts")
    assert ok.status_code == 303 and ok.headers["location"] == "/shifts"
    assert (await browser.get("/shifts")).status_code == 200
    out = await browser.post("/logout", form_page="/shifts")
    assert out.status_code == 303
    assert "coord_session" not in browser.cookies
    again = await browser.get("/shifts", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/login?next=/shifts"


async def test_login_never_redirects_to_another_site(client, api):
    user = await api.user()
    browser = Visitor(client)
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "/\t/evil.example", "/\n/evil.example",
                   " //evil.example"):
        response = await browser.post("/login", {"email": user.email, "password": PASSWORD, "next": target})
        assert response.headers["location"] == "/me"


async def test_posts_without_the_csrf_token_are_refused(client, api, pool):
    browser = Visitor(client)
    await browser.get("/register")  # has the CSRF cookie, but sends no token
    response = await browser.post_raw("/register", {"email": "z@example.org", "password": PASSWORD, "display_name": "Z"})
    assert response.status_code == 403 and "form has expired" in response.text
    forged = await browser.post_raw("/register", {"_csrf_token": "forged", "email": "z@example.org",
                                                  "password": PASSWORD, "display_name": "Z"})
    assert forged.status_code == 403
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM users") == 0


async def test_logging_out_everywhere_ends_page_sessions(client, api):
    user = await api.user()
    browser = Visitor(client)
    await browser.login(user)
    assert (await browser.get("/shifts")).status_code == 200
    expect(await client.post("/api/v1/auth/logout-all", headers=user.headers), 204)
    assert (await browser.get("/shifts", follow_redirects=False)).status_code == 303


async def test_the_page_cookie_is_not_an_api_token(client, api):
    user = await api.user()
    browser = Visitor(client)
    await browser.login(user)
    token = browser.cookies["coord_session"]
    client.cookies.clear()
    expect(await client.get("/api/v1/me", headers=user.headers), 200)  # the account is now known live
    # Twice: the second time the cookie's token is one already verified, naming that live account.
    for _ in range(2):
        response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401


async def test_pages_answer_without_javascript_and_carry_the_page_policy(client):
    for path in ("/", "/login", "/register", "/logout"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        if path in ("/login", "/register"):
            assert csrf_of(response.text)


async def test_unknown_addresses_are_a_page_for_browsers_and_a_problem_for_the_api(client):
    browser = await client.get("/no-such-page", headers={"Accept": "text/html,application/xhtml+xml"})
    assert browser.status_code == 404 and browser.headers["content-type"].startswith("text/html")
    assert "There is nothing here" in browser.text and "988" in browser.text
    api = await client.get("/api/v1/no-such-thing", headers={"Accept": "text/html"})
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"
    plain = await client.get("/no-such-page")
    assert plain.status_code == 404 and plain.headers["content-type"] == "application/problem+json"


async def test_pages_outside_an_organization_show_the_readers_own_organizations_crisis_line(client, api):
    admin = await api.user("admin")
    org = await api.org(admin)
    line = "Riverside warm line: call 555-0100, any time."
    expect(await client.patch(f"/api/v1/orgs/{org['id']}", json={"crisis_resources": line}, headers=admin.headers), 200)
    member = await api.user("member")
    await api.member(org, admin, member, "volunteer")
    browser = Visitor(client)
    await browser.login(member)
    for path in ("/me", "/me/feeds", "/me/notifications", "/"):
        assert line in text_of((await browser.get(path)).text), path
    loner = Visitor(client)
    await loner.login(await api.user("loner"))
    assert "call or text 988" in text_of((await loner.get("/me")).text)


async def test_a_page_shows_at_once_what_another_process_committed(client, api, pool, monkeypatch):
    """Pages read the account from the database on every request, not from the API's cache of
    this process, which another `coord serve` process's change reaches only when its entry
    expires (held for an hour here, so a page that used it would show the old state)."""
    from coord.auth import security

    monkeypatch.setattr(security.accounts, "ttl", 3600)
    browser = Visitor(client)
    done = await browser.post("/register", {"email": "ines@example.org", "password": PASSWORD, "display_name": "Inés"})
    assert done.status_code == 303
    assert "Confirm your email address" in text_of((await browser.get("/shifts")).text)
    # The confirmation link was opened on another process: its commit is all this one sees.
    async with pool.acquire() as conn:
        await conn.execute("UPDATE users SET email_confirmed_at = now() WHERE email = 'ines@example.org'")
    assert "Confirm your email address" not in text_of((await browser.get("/shifts")).text)
    # Logged out everywhere on another process: the next page here has no session.
    async with pool.acquire() as conn:
        await conn.execute("UPDATE users SET token_version = token_version + 1 WHERE email = 'ines@example.org'")
    gone = await browser.get("/shifts", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].startswith("/login")

"""A sign-up evening on one shared Wi-Fi: many people sign up from one address under the
default budgets (COORD_LOGIN_ATTEMPTS_PER_MINUTE=10), while guessing at one account is
limited; a refused form comes back with what was typed, never the password."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from coord.app import create_app
from tests.conftest import make_settings
from tests.pages import Visitor, text_of
from tests.support import PASSWORD


async def test_thirty_people_sign_up_from_one_address_while_bad_logins_for_one_account_are_limited(
    database_url, redis_url, tmp_path, pool, redis
):
    settings = make_settings(database_url, redis_url, tmp_path, COORD_LOGIN_ATTEMPTS_PER_MINUTE="10")
    async with AsyncTestClient(app=create_app(settings), base_url="http://coord.test") as client:
        for n in range(30):  # every request comes from the test client's one address
            response = await Visitor(client).post(
                "/register", {"email": f"neighbour{n}@example.org", "password": PASSWORD,
                              "display_name": f"Neighbour {n}", "timezone": "America/Chicago"})
            assert response.status_code == 303, (n, text_of(response.text))
        assert await pool.fetchval("SELECT count(*) FROM users") == 30

        guesser = Visitor(client)
        wrong = {"email": "neighbour0@example.org", "password": "a wrong guess here"}
        statuses = [(await guesser.post("/login", wrong)).status_code for _ in range(12)]
        assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]
        refused = await guesser.post("/login", {**wrong, "password": PASSWORD})  # even the right one waits now
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        assert 'value="neighbour0@example.org"' in refused.text  # the form is back with the address
        assert PASSWORD not in refused.text and "Log in" in text_of(refused.text)

        # Per account: the next neighbour, from the same address, signs in at once.
        other = await Visitor(client).post("/login", {"email": "neighbour1@example.org", "password": PASSWORD})
        assert other.status_code == 303


async def test_a_refused_sign_up_is_shown_again_with_what_was_typed_but_never_the_password(
    database_url, redis_url, tmp_path, pool, redis
):
    settings = make_settings(database_url, redis_url, tmp_path, COORD_LOGIN_ATTEMPTS_PER_MINUTE="1")
    async with AsyncTestClient(app=create_app(settings), base_url="http://coord.test") as client:
        browser = Visitor(client)
        typed = {"email": "sam@example.org", "password": "short", "display_name": "Sam Lee",
                 "timezone": "America/Chicago"}
        invalid = await browser.post("/register", typed)  # the first try: refused for the password
        assert invalid.status_code == 422
        again = await browser.post("/register", {**typed, "password": PASSWORD})  # the second, past the budget
        assert again.status_code == 429 and int(again.headers["retry-after"]) > 0
        for response in (invalid, again):
            assert 'value="sam@example.org"' in response.text and 'value="Sam Lee"' in response.text
            assert '<option value="America/Chicago" selected>' in response.text
            assert 'name="password" type="password" value=""' in response.text and PASSWORD not in response.text
        assert "Wait" in text_of(again.text) and "try again" in text_of(again.text)
        assert await pool.fetchval("SELECT count(*) FROM users") == 0

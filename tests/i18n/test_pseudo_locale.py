"""Every page in a pseudo-locale (issue 16.4): no English left that was never marked.

The pseudo-locale `qps` (ISO 639's private-use range, as Microsoft's qps-ploc) is built at test
time from messages.pot: every msgid becomes accented and a third longer ("Sign up" ->
"[Ŝîĝñ ûþ ~~]"), placeholders, tags and entities kept. It is the active catalog through the
same path es and ar take (the coord_lang cookie, coord.i18n.catalog), so the pages run their
non-English branches. What is still plain ASCII English after that was never marked (or is
marked but missing from the .pot, e.g. `_(variable)`), and that is what the test reports,
page by page.

Dates: the pseudo-locale's CLDR data is English's (its patterns: "Thu, Dec 3"), with every
name CLDR supplies (months, weekdays, day periods, eras, zone names) accented too. So a date
written by CLDR reads "Ţĥû, Ðéç 3" and passes, while a date written by strftime or by hand
(English words in a language other than English) is caught like any unmarked string.

Not English words, and so ignored: what the test data says (the names written into the
database below, as whole phrases), numbers, and the few non-words of ALLOWED (the brand,
the languages' own names in the menu, URLs, email addresses, IANA zone names).
"""

from __future__ import annotations

import copy
import io
import re
from datetime import timedelta
from gettext import GNUTranslations

import babel.localedata
import pytest
from babel.messages.catalog import Catalog as BabelCatalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from coord import i18n
from coord.auth.account_cache import CHANNEL, accounts
from coord.auth.tokens import derive
from tests.moments import now
from tests.pages import Visitor
from tests.support import expect, wait_until
from tests.support.world import make_group
from tests.support.authz_world import build_world, page_routes
from tests.support.page_words import ALLOWED, ENGLISH_WORD, USER_CONTENT, Readable, data_phrases

PSEUDO = "qps"
ROLES = ("anonymous", "participant", "volunteer", "facilitator", "coordinator", "admin")
ACCENTS = str.maketrans("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
                        "åƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ")
# Kept as they are: placeholders, tags, entities.
KEEP = re.compile(r"%\(\w+\)[sdr]|%[sdr%]|\{\w*\}|<[^>]*>|&#?\w+;")


def pseudo(text: str) -> str:
    out, at = [], 0
    for found in KEEP.finditer(text):
        out += [text[at:found.start()].translate(ACCENTS), found.group()]
        at = found.end()
    out.append(text[at:].translate(ACCENTS))
    return f"[{''.join(out)} {'~' * max(2, len(text) // 3)}]"  # a third longer, like German or Spanish


def pseudo_translations() -> GNUTranslations:
    """messages.pot's every msgid, pseudo-translated, compiled like a real catalog."""
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as f:
        template = read_po(f)
    catalog = BabelCatalog(locale="en")
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, (tuple, list)):
            catalog.add(message.id, tuple(pseudo(form) for form in message.id))
        else:
            catalog.add(message.id, pseudo(message.id))
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return GNUTranslations(compiled)


CLDR_NAMES = ("months", "days", "day_periods", "eras", "quarters", "meta_zones", "time_zones", "zone_formats", "languages",
              "territories")


def _accent_all(value):
    if isinstance(value, str):
        return pseudo(value)[1:].rsplit(" ", 1)[0]  # accented, without the brackets (they sit inside dates)
    if isinstance(value, dict):
        return {k: _accent_all(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_accent_all(v) for v in value)
    return value  # babel's Alias objects and numbers


@pytest.fixture
def pseudo_locale(monkeypatch):
    """`qps` offered, its catalog the pseudo one, its CLDR data English's with accented names."""
    data = copy.deepcopy(babel.localedata.load("en"))
    for key in CLDR_NAMES:
        if key == "zone_formats":  # keep GMT/UTC offsets' patterns; accent "%s Time"
            data[key] = {**data[key], "region": pseudo("%s Time")[1:].rsplit(" ", 1)[0]}
        else:
            data[key] = _accent_all(data[key])
    monkeypatch.setitem(babel.localedata._cache, PSEUDO, data)
    babel.localedata.exists.cache_clear()
    translations = pseudo_translations()
    original = i18n.catalog
    monkeypatch.setattr(i18n, "catalog", lambda code: i18n.Catalog(translations, 1.0) if code == PSEUDO else original(code))
    monkeypatch.setattr(i18n, "LANGUAGES", {**i18n.LANGUAGES, PSEUDO: "[Ƥšéûðö]"})
    monkeypatch.setattr(i18n, "PREVIEW", {*i18n.PREVIEW, PSEUDO})
    yield
    babel.localedata.exists.cache_clear()


# What the test data is called: made-up names, so that none of them hides a word of coord's.
NAMES = (
    "UPDATE users SET display_name = 'Zuri Okonkwo-' || substr(md5(id::text), 1, 3)",
    "UPDATE orgs SET name = 'Qalandia Kollektiv ' || substr(slug, 5)",
    "UPDATE groups SET name = 'Tiwanaku Circle ' || substr(md5(id::text), 1, 3), description = 'Zanzibar notes'",
    "UPDATE venues SET name = 'Xochimilco Hall', address = '7 Quetzal Rd'",
    "UPDATE events SET title = 'Yggdrasil Fest', description = 'Kilimanjaro talk'",
    "UPDATE shifts SET role = 'Ouagadougou Greeter'",
)


def unmarked(html: str, data: re.Pattern[str]) -> list[str]:
    """The text of the page still in English words, each once."""
    parser = Readable()
    parser.feed(html)
    found: list[str] = []
    for chunk in parser.chunks:
        text = data.sub(" ", " ".join(chunk.split()))
        for allowed in ALLOWED:
            text = allowed.sub(" ", text)
        if ENGLISH_WORD.search(text) and " ".join(chunk.split()) not in found:
            found.append(" ".join(chunk.split()))
    return found


async def test_every_page_for_every_role_has_no_english_left_in_the_pseudo_locale(
        app, client, api, pool, pseudo_locale):
    world = await build_world(client, api, pool)
    for statement in NAMES:
        await pool.execute(statement)
    # The API's cache of signed-in accounts hears of renamed ones as another process's would.
    await pool.execute("SELECT pg_notify($1, id::text) FROM users", CHANNEL)
    await wait_until(lambda: not accounts._entries, what="the renamed accounts forgotten")
    params, people = world["params"], world["people"]
    # More of what makes parts of pages show: a session already held (its attendance), a
    # pending join request (the approval group's), a waitlisted volunteer on a full shift.
    past_session = world["overrides"]["recordAttendance"]["session_id"]
    await pool.execute("UPDATE shifts SET capacity = 1 WHERE id = $1::uuid", params["shift_id"])
    # A private group's invitation link and an organization's invitation, both real: their pages
    # as someone who opens them sees them (not the "this link cannot be used" page).
    org_id, admin = params["org_id"], people["admin"]
    private = await make_group(client, {"id": org_id}, admin, name="Zephyrine Circle", visibility="private")
    link = expect(await client.post(f"/api/v1/groups/{private['id']}/invite-link", headers=admin.headers), 201)
    nonce = await pool.fetchval("SELECT nonce FROM invitations WHERE org_id = $1::uuid LIMIT 1", org_id)
    invitation = derive(app.state.settings.secret_key, nonce)
    data = data_phrases([v for v in await pool.fetchval(f"SELECT array_agg(x) FROM ({USER_CONTENT}) AS t(x)") if v])
    paths = sorted(p for m, p in page_routes(app) if m == "GET" and "." not in p.rsplit("/", 1)[-1])  # not a download
    urls = []
    for path in paths:
        try:
            urls.append((path, path.format(**params)))
        except KeyError:  # a route the authorization matrix does not know yet (it fails there)
            print(f"not visited: {path}")
    urls.append(("/sessions/{session_id} (held)", f"/sessions/{past_session}"))
    urls.append(("/shifts?week", f"/shifts?week={(now() + timedelta(days=3)).date().isoformat()}"))
    urls.append(("/groups/join/{token} (a real link)", "/groups/join/" + link["url"].rsplit("/", 1)[1]))
    urls.append(("/invitations/{token} (a real one)", f"/invitations/{invitation}"))

    report: dict[str, list[str]] = {}
    pseudo_seen = 0
    for role in ROLES:
        browser = Visitor(client)
        browser.cookies["coord_lang"] = PSEUDO
        if role != "anonymous":
            await browser.login(people[role])
        for name, url in urls:
            response = await browser.get(url, follow_redirects=False)
            if response.is_redirect or not response.headers.get("content-type", "").startswith("text/html"):
                continue
            assert f'lang="{PSEUDO}"' in response.text, f"{url} as {role} is not in the pseudo-locale"
            pseudo_seen += 1
            left = unmarked(response.text, data)
            if left:
                report[f"{name} as {role} ({response.status_code})"] = left
    assert pseudo_seen > 100, f"only {pseudo_seen} pages were rendered"
    lines = []
    for page_name, texts in report.items():
        lines.append(f"{page_name}:")
        lines += [f"    {text[:160]}" for text in texts]
    print("\n".join(lines))
    if report:
        pytest.fail(f"{len(report)} pages show English that was never marked ({sum(map(len, report.values()))} "
                    "texts):\n" + "\n".join(lines), pytrace=False)

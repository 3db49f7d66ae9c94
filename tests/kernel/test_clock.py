"""coord reads the time in one place, coord.kernel.clock: the product's code, its tokens and
its SQL all follow the instant a test sets there (issue 12, point 3)."""

from __future__ import annotations

import ast
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from coord.kernel import clock
from tests.support import PASSWORD, User, assert_problem, expect

API = "/api/v1"
ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "src" / "coord", ROOT / "workers"]
# Modules allowed to read the system clock themselves, and why.
ALLOWED = {
    "src/coord/kernel/clock.py": "the one clock",
    # The age of a directory on disk: st_mtime is stamped by the system clock, so it is
    # measured with that clock (like the database's stamps with the database's now()).
    "src/coord/embedded_paths.py": "file ages against st_mtime",
    # An access line's stamp is taken as logging stamps every LogRecord (time.time), so lines
    # written both ways share one clock; a shifted coord clock in a test shifts neither.
    "src/coord/kernel/observability.py": "log lines stamped as LogRecords are",
}


def _clock_reads(tree: ast.AST) -> list[tuple[int, str]]:
    """Calls that read the wall clock: datetime.now/utcnow/today, date.today, time.time(_ns),
    and email.utils.formatdate() without an instant; however the names were imported."""
    modules: dict[str, str] = {}  # local name -> "datetime" / "time" / "email.utils"
    names: dict[str, str] = {}  # local name -> "datetime.datetime", "time.time", ...
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                modules[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def dotted(expr: ast.expr) -> str | None:
        if isinstance(expr, ast.Name):
            return names.get(expr.id) or modules.get(expr.id)
        if isinstance(expr, ast.Attribute) and (base := dotted(expr.value)):
            return f"{base}.{expr.attr}"
        return None

    banned = {
        "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today", "datetime.date.today",
        "time.time", "time.time_ns",
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not (name := dotted(node.func)):
            continue
        no_instant = not node.args and not any(k.arg == "timeval" for k in node.keywords)
        if name in banned or (name == "email.utils.formatdate" and no_instant):
            found.append((node.lineno, name))
    return found


def test_only_coord_clock_reads_the_wall_clock():
    offenders = []
    for base in SOURCES:
        for path in sorted(base.rglob("*.py")):
            module = path.relative_to(ROOT).as_posix()
            if module in ALLOWED:
                continue
            for line, name in _clock_reads(ast.parse(path.read_text(), filename=module)):
                offenders.append(f"{module}:{line}: {name}()")
    assert not offenders, "read the time through coord.kernel.clock instead:\n" + "\n".join(offenders)


def test_the_static_check_sees_through_aliases_but_not_comments():
    source = """
import datetime as dt
import time
from datetime import date as D, datetime as DT
from email.utils import formatdate
# datetime.now() in a comment is no call
a = dt.datetime.now(dt.timezone.utc)
b = DT.utcnow()
c = D.today()
d = time.time()
e = formatdate(usegmt=True)
f = formatdate(0.0, usegmt=True)
g = time.monotonic()
"""
    assert [name for _, name in _clock_reads(ast.parse(source))] == [
        "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.date.today", "time.time",
        "email.utils.formatdate",
    ]


def test_shifted_moves_the_clock_for_a_block_only():
    before = clock.now()
    with clock.shifted(timedelta(days=400)):
        assert clock.now() - before >= timedelta(days=400)
        assert clock.today_in("Pacific/Kiritimati") >= (before + timedelta(days=400)).date()
    assert clock.now() - before < timedelta(days=1)
    assert clock.now().utcoffset() == timedelta(0)


async def test_an_access_token_expires_on_the_clock(client, app, api):
    user = await api.user()
    token = app.state.jwt_auth.create_token(
        identifier=user.id, token_expiration=timedelta(minutes=1), token_extras={"tv": 0}
    )
    headers = {"Authorization": f"Bearer {token}"}
    expect(await client.get(f"{API}/me", headers=headers), 200)  # verified, and remembered
    with clock.shifted(timedelta(seconds=50)):
        expect(await client.get(f"{API}/me", headers=headers), 200)
    with clock.shifted(timedelta(minutes=2)):
        assert_problem(await client.get(f"{API}/me", headers=headers), 401)
    expect(await client.get(f"{API}/me", headers=headers), 200)  # only the clock said expired


async def test_tokens_are_issued_on_the_clock(client, app, api):
    user = await api.user()
    with clock.shifted(timedelta(days=30)):
        token = app.state.jwt_auth.create_token(
            identifier=user.id, token_expiration=timedelta(minutes=1), token_extras={"tv": 0}
        )
        expect(await client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"}), 200)


async def _login(client, user: User) -> dict[str, str]:
    """A fresh token, issued at the clock's current instant (the old one may have expired there)."""
    body = {"email": user.email, "password": PASSWORD}
    return {"Authorization": f"Bearer {expect(await client.post(f'{API}/auth/token', json=body), 200)['access_token']}"}


async def _volunteer_and_shift(client, api, starts_in: timedelta) -> tuple[dict, str]:
    admin = await api.user("admin")
    org = await api.org(admin)  # the cancellation cutoff defaults to 24 hours
    volunteer = await api.user("vol")
    await api.member(org, admin, volunteer, "volunteer")
    starts = clock.now().replace(microsecond=0) + starts_in
    body = {"role": "Greeter", "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "capacity": 2}
    shift = expect(await client.post(f"{API}/orgs/{org['id']}/shifts", json=body, headers=admin.headers), 201)
    return volunteer, f"{API}/shifts/{shift['id']}/signups"


async def test_a_late_cancel_is_judged_at_the_clocks_instant_in_sql(client, api):
    """The late-cancel flag is computed in SQL: it follows the instant coord.kernel.clock passes,
    not the database's now() (to the database, this start is still three days away)."""
    volunteer, url = await _volunteer_and_shift(client, api, timedelta(hours=72))
    expect(await client.post(url, headers=volunteer.headers), 201)
    with clock.shifted(timedelta(hours=60)):  # 12 hours before the start, inside the 24-hour cutoff
        assert (await client.delete(f"{url}/me", headers=await _login(client, volunteer))).status_code == 204
    mine = expect(await client.get(f"{url}/me", headers=volunteer.headers), 200)
    assert (mine["status"], mine["late_cancel"]) == ("cancelled", True)

    other, url = await _volunteer_and_shift(client, api, timedelta(hours=72))
    expect(await client.post(url, headers=other.headers), 201)
    assert (await client.delete(f"{url}/me", headers=other.headers)).status_code == 204
    assert expect(await client.get(f"{url}/me", headers=other.headers), 200)["late_cancel"] is False


async def test_signups_close_at_the_start_on_the_clock(client, api):
    volunteer, url = await _volunteer_and_shift(client, api, timedelta(hours=5))
    with clock.shifted(timedelta(hours=6)):
        assert_problem(await client.post(url, headers=volunteer.headers), 409)
    expect(await client.post(url, headers=volunteer.headers), 201)


async def test_a_registration_window_opens_on_the_clock(client, api):
    admin = await api.user("admin")
    org = await api.org(admin)
    member = await api.user("member")
    await api.member(org, admin, member, "volunteer")
    now = clock.now().replace(microsecond=0)
    body = {"title": "First aid", "kind": "training", "timezone": "America/New_York", "visibility": "private",
            "starts_at": (now + timedelta(days=5)).isoformat(), "ends_at": (now + timedelta(days=5, hours=3)).isoformat(),
            "registration_opens_at": (now + timedelta(days=2)).isoformat(), "capacity": 2}
    event = expect(await client.post(f"{API}/orgs/{org['id']}/events", json=body, headers=admin.headers), 201)
    url = f"{API}/events/{event['id']}/registrations"
    problem = assert_problem(await client.post(url, headers=member.headers), 409)
    assert problem["type"].endswith("registration-not-open")
    # When, in words and where the event happens; the instant itself in the problem's fields.
    opens = datetime.fromisoformat(body["registration_opens_at"]).astimezone(ZoneInfo("America/New_York"))
    assert opens.strftime("%H:%M") in problem["detail"] and str(opens.year) in problem["detail"], problem
    assert not re.search(r"\d{4}-\d\d-\d\dT", problem["detail"]), problem  # no ISO instant in the sentence
    assert datetime.fromisoformat(problem["registration_opens_at"]) == opens
    spanish = assert_problem(await client.post(url, headers={**member.headers, "Accept-Language": "es"}), 409)
    assert spanish["detail"] != problem["detail"] and opens.strftime("%H:%M") in spanish["detail"], spanish
    with clock.shifted(timedelta(days=3)):
        assert expect(await client.post(url, headers=await _login(client, member)), 201)["status"] == "confirmed"
